using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Relucent.Kernels
{
    /// <summary>
    /// A residual sum and the ReLU next to it in one pass (every torchvision ResNet block ends <c>relu(f(x) + x)</c>): forward the
    /// sum and the ReLU after it, backward the two paths' signals summed and the rule of the ReLU before the block. Each is
    /// <see cref="ElementwiseKernels.Add{T}"/> followed by <see cref="ActivationKernels.Relu{T}"/> or
    /// <see cref="ReluRules.Apply{T, TRule}"/>, the same bits (the sum <c>a + b</c> in that order, then the same maximum or
    /// compare-and-select), with the sum never stored: one read of each operand and one write instead of two passes over the
    /// tensor, which is memory-bound at ResNet sizes (up to 3.2 MB).
    /// </summary>
    public static class ResidualKernels
    {
        /// <summary>
        /// <c>y = max(a + b, 0)</c>: <see cref="ElementwiseKernels.Add{T}"/> then <see cref="ActivationKernels.Relu{T}"/> in one
        /// pass, bit for bit (max(−0, 0) = +0, a NaN stays NaN).
        /// </summary>
        /// <remarks><paramref name="y"/> may be <paramref name="a"/> or <paramref name="b"/> itself, but not overlap either in part.</remarks>
        public static unsafe void AddRelu<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Length(b, a.Length, nameof(b));
            Check.Length<T>(y, a.Length, nameof(y));
            SameOrApart(a, y, nameof(a));
            SameOrApart(b, y, nameof(b));
            fixed (T* pa = a, pb = b, py = y)
            {
                // A large pass is shared among the kernel threads in ranges (PassRanges), on the path chosen here by the caller.
                delegate*<void*, int, int, void> range =
                    SimdWidth.Use512 ? &AddReluRange<T, Vector512<T>, Simd512<T>>
                    : SimdWidth.Use256 ? &AddReluRange<T, Vector256<T>, Simd256<T>>
                    : SimdWidth.Use128 ? &AddReluRange<T, Vector128<T>, Simd128<T>>
                    : &AddReluRange<T, T, SimdScalar<T>>;
                var operands = new PassRanges.Operands<T> { A = pa, B = pb, Y = py };
                PassRanges.Run(a.Length, PassRanges.Threads(a.Length), range, &operands);
            }
        }

        private static unsafe void AddReluRange<T, TV, S>(void* context, int first, int end)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            ref PassRanges.Operands<T> o = ref Unsafe.AsRef<PassRanges.Operands<T>>(context);
            AddRelu<T, TV, S>(o.A + first, o.B + first, o.Y + first, end - first);
        }

        /// <summary>
        /// <c>rIn = TRule(z, a + b)</c>: the signals <paramref name="a"/> and <paramref name="b"/> arriving at a ReLU's output summed
        /// (<see cref="ElementwiseKernels.Add{T}"/>), then the ReLU's rule <typeparamref name="TRule"/> at its forward output
        /// <paramref name="z"/> (<see cref="ReluRules.Apply{T, TRule}"/>) in one pass, bit for bit: <c>a + b</c> where it passes,
        /// <c>+0</c> elsewhere.
        /// </summary>
        /// <remarks><paramref name="rIn"/> may be one of the inputs itself, but not overlap any in part.</remarks>
        public static unsafe void AddRule<T, TRule>(ReadOnlySpan<T> z, ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> rIn)
            where T : unmanaged, IFloatingPointIeee754<T> where TRule : struct, IReluRule
        {
            Check.Length(a, z.Length, nameof(a));
            Check.Length(b, z.Length, nameof(b));
            Check.Length<T>(rIn, z.Length, nameof(rIn));
            SameOrApart(z, rIn, nameof(z));
            SameOrApart(a, rIn, nameof(a));
            SameOrApart(b, rIn, nameof(b));
            fixed (T* pz = z, pa = a, pb = b, pr = rIn)
            {
                // A large pass is shared among the kernel threads in ranges (PassRanges), on the path chosen here by the caller.
                var operands = new PassRanges.Operands<T> { A = pa, B = pb, C = pz, Y = pr, Setting = PassRanges.Width };
                PassRanges.Run(z.Length, PassRanges.Threads(z.Length), &AddRuleRange<T, TRule>, &operands);
            }
        }

        private static unsafe void AddRuleRange<T, TRule>(void* context, int first, int end)
            where T : unmanaged, IFloatingPointIeee754<T> where TRule : struct, IReluRule
        {
            ref PassRanges.Operands<T> o = ref Unsafe.AsRef<PassRanges.Operands<T>>(context);
            T* pz = o.C + first, pa = o.A + first, pb = o.B + first, pr = o.Y + first;
            int n = end - first, i = 0;
            if (o.Setting >= 512)
            {
                int vl = Vector512<T>.Count;
                for (; i + vl <= n; i += vl)
                {
                    Vector512<T> sum = Vector512.Load(pa + i) + Vector512.Load(pb + i);
                    (sum & TRule.Pass(Vector512.Load(pz + i), sum)).Store(pr + i);
                }
                if (i < n)
                {
                    Vector512<T> sum = Simd512<T>.LoadFirst(pa + i, n - i) + Simd512<T>.LoadFirst(pb + i, n - i);
                    Simd512<T>.StoreFirst(pr + i, sum & TRule.Pass(Simd512<T>.LoadFirst(pz + i, n - i), sum), n - i);
                }
                return;
            }
            if (o.Setting >= 256)
            {
                int vl = Vector256<T>.Count;
                for (; i + vl <= n; i += vl)
                {
                    Vector256<T> sum = Vector256.Load(pa + i) + Vector256.Load(pb + i);
                    (sum & TRule.Pass(Vector256.Load(pz + i), sum)).Store(pr + i);
                }
            }
            else if (o.Setting >= 128)
            {
                int vl = Vector128<T>.Count;
                for (; i + vl <= n; i += vl)
                {
                    Vector128<T> sum = Vector128.Load(pa + i) + Vector128.Load(pb + i);
                    (sum & TRule.Pass(Vector128.Load(pz + i), sum)).Store(pr + i);
                }
            }
            // The last few values (all of them on the scalar path), as ReluRules' scalar definition: the sum where it passes, else +0.
            for (; i < n; i++)
            {
                T sum = pa[i] + pb[i];
                pr[i] = TRule.Pass(pz[i], sum) ? sum : T.Zero;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static unsafe void AddRelu<T, TV, S>(T* a, T* b, T* y, int count)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            int vl = S.Count, i = 0;
            for (; i + vl <= count; i += vl) S.Store(y + i, S.Relu(S.Add(S.Load(a + i), S.Load(b + i))));
            if (i < count) S.StoreFirst(y + i, S.Relu(S.Add(S.LoadFirst(a + i, count - i), S.LoadFirst(b + i, count - i))), count - i);
        }

        // An output may be an input itself (each value is read before it is written, at the same index), never overlap it in
        // part: a value would then be read after an earlier index had overwritten it. ElementwiseKernels.Add refuses that too.
        private static void SameOrApart<T>(ReadOnlySpan<T> input, ReadOnlySpan<T> output, string name)
        {
            if (input.Overlaps(output, out int offset) && offset != 0)
            {
                throw new ArgumentException($"{name} overlaps the output in part ({offset} values apart); pass the same span or separate ones.", name);
            }
        }
    }
}
