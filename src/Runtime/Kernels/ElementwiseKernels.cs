using System.Numerics;
using System.Numerics.Tensors;

namespace Relucent.Kernels
{
    /// <summary>Element-wise sums: the residual connection <c>y = f(x) + x</c> forward, and the two paths' signals summed backward.</summary>
    /// <remarks>A large sum is shared among the kernel threads in ranges (<see cref="PassRanges"/>); each element's sum is the same.</remarks>
    public static unsafe class ElementwiseKernels
    {
        /// <summary><c>y = a + b</c>.</summary>
        public static void Add<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Length(b, a.Length, nameof(b));
            Check.Length<T>(y, a.Length, nameof(y));
            fixed (T* pa = a, pb = b, py = y)
            {
                var operands = new PassRanges.Operands<T> { A = pa, B = pb, Y = py };
                PassRanges.Run(a.Length, PassRanges.Threads(y, a, b), &AddRange<T>, &operands);
            }
        }

        private static void AddRange<T>(void* context, int first, int end) where T : unmanaged, IFloatingPointIeee754<T>
        {
            ref PassRanges.Operands<T> o = ref System.Runtime.CompilerServices.Unsafe.AsRef<PassRanges.Operands<T>>(context);
            TensorPrimitives.Add(new ReadOnlySpan<T>(o.A + first, end - first), new ReadOnlySpan<T>(o.B + first, end - first), new Span<T>(o.Y + first, end - first));
        }
    }
}
