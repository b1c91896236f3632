using System.Numerics;
using System.Numerics.Tensors;

namespace Relucent.Kernels
{
    /// <summary>Element-wise sums: the residual connection <c>y = f(x) + x</c> forward, and the two paths' signals summed backward.</summary>
    public static class ElementwiseKernels
    {
        /// <summary><c>y = a + b</c>.</summary>
        public static void Add<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Length(b, a.Length, nameof(b));
            Check.Length<T>(y, a.Length, nameof(y));
            TensorPrimitives.Add(a, b, y);
        }
    }
}
