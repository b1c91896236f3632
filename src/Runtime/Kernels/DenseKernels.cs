using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Relucent.Kernels
{
    /// <summary>
    /// The fully connected layer <c>y = W·x + b</c>. <c>W</c> is <c>[outputs, inputs]</c> stored column-major,
    /// as a MathNet <c>Matrix</c> stores it, so column <c>i</c> (the weights leaving input <c>i</c>) is contiguous:
    /// the forward pass adds scaled columns and the backward pass takes one dot product per input.
    /// </summary>
    /// <remarks>
    /// SIMD with fused multiply-adds (<see cref="ISimd{T, TV}"/>). Forward: up to 8 vectors of outputs stay in
    /// registers while every column streams past once, its last vector read with a mask. Backward: the output
    /// gradient stays in registers and each column is one vector dot product. No scratch memory.
    /// Both are fixed sums in a fixed order, hence deterministic.
    /// </remarks>
    public static class DenseKernels
    {

        /// <summary>
        /// <c>y = W·x + b</c>; <paramref name="bias"/> may be empty for no bias. With <paramref name="relu"/>, <c>max(·, 0)</c>
        /// of that: the ReLU that follows the layer, applied as the outputs are stored (the same bits as
        /// <see cref="ActivationKernels.Relu{T}"/> afterwards).
        /// </summary>
        public static void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> y, int inputs, int outputs, bool relu = false)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            Forward(x, weight, bias, y, inputs, outputs, relu ? Rectifier.Relu : Rectifier.None);

        /// <summary>
        /// <c>y = W·x + b</c>, then the <paramref name="rectifier"/> that follows the layer (ReLU or ReLU6) applied as the outputs
        /// are stored: the same bits as <see cref="ActivationKernels.Relu{T}"/> or <see cref="ActivationKernels.Relu6{T}"/> afterwards.
        /// </summary>
        public static unsafe void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> y, int inputs, int outputs, Rectifier rectifier)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.DenseSizes(inputs, outputs);
            Check.Length(x, inputs, nameof(x));
            Check.Length(weight, (long)inputs * outputs, nameof(weight));
            Check.Length(y, outputs, nameof(y));
            if (!bias.IsEmpty) Check.Length(bias, outputs, nameof(bias));
            fixed (T* px = x, pw = weight, pb = bias, py = y)
            {
                T* pbias = bias.IsEmpty ? null : pb;
                if (SimdWidth.Use512) Forward<T, Vector512<T>, Simd512<T>>(px, pw, pbias, py, inputs, outputs, rectifier);
                else if (SimdWidth.Use256) Forward<T, Vector256<T>, Simd256<T>>(px, pw, pbias, py, inputs, outputs, rectifier);
                else if (SimdWidth.Use128) Forward<T, Vector128<T>, Simd128<T>>(px, pw, pbias, py, inputs, outputs, rectifier);
                else Forward<T, T, SimdScalar<T>>(px, pw, pbias, py, inputs, outputs, rectifier);
            }
        }

        /// <summary>The input gradient <c>dx = Wᵀ·dy</c>.</summary>
        public static unsafe void BackwardInput<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> weight, Span<T> dx, int inputs, int outputs)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.DenseSizes(inputs, outputs);
            Check.Length(dy, outputs, nameof(dy));
            Check.Length(weight, (long)inputs * outputs, nameof(weight));
            Check.Length(dx, inputs, nameof(dx));
            fixed (T* pdy = dy, pw = weight, pdx = dx) Backward(pdy, pw, pdx, inputs, outputs, ReluStep<T>.None);
        }

        /// <summary>
        /// The input gradient taken on through the ReLU just below this layer: <c>dx = rule(z, Wᵀ·dy)</c>, where
        /// <paramref name="reluOutput"/> is that ReLU's forward output <c>z</c> (its mask; DeconvNet does not read it). Each
        /// value passes the rule as it is stored: the same bits as <see cref="BackwardInput{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, int, int)"/>
        /// followed by <see cref="ReluRules"/>, without the second pass.
        /// </summary>
        public static void BackwardInput<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> weight, Span<T> dx, int inputs, int outputs, BackwardRule rule, ReadOnlySpan<T> reluOutput)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            BackwardInput(dy, weight, dx, inputs, outputs, rule, reluOutput, Rectifier.Relu);

        /// <summary>
        /// The input gradient taken on through the rectifier just below this layer: <c>dx = rule(z, Wᵀ·dy)</c>, where
        /// <paramref name="rectifierOutput"/> is that ReLU's or ReLU6's forward output <c>z</c>. Each value passes the rule as it
        /// is stored: the same bits as <see cref="BackwardInput{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, int, int)"/>
        /// followed by <see cref="ReluRules"/> or <see cref="Relu6Rules"/>.
        /// </summary>
        public static unsafe void BackwardInput<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> weight, Span<T> dx, int inputs, int outputs, BackwardRule rule, ReadOnlySpan<T> rectifierOutput, Rectifier rectifier)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.DenseSizes(inputs, outputs);
            Check.Length(dy, outputs, nameof(dy));
            Check.Length(weight, (long)inputs * outputs, nameof(weight));
            Check.Length(dx, inputs, nameof(dx));
            Check.Length(rectifierOutput, inputs, nameof(rectifierOutput));
            fixed (T* pdy = dy, pw = weight, pdx = dx, pz = rectifierOutput) Backward(pdy, pw, pdx, inputs, outputs, new ReluStep<T>(rule, pz, rectifier));
        }

        /// <summary>
        /// <see cref="BackwardInput{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, int, int, BackwardRule, ReadOnlySpan{T})"/> with the
        /// rule named as a type, as generated backward passes call it.
        /// </summary>
        public static void BackwardInput<T, TRule>(ReadOnlySpan<T> dy, ReadOnlySpan<T> weight, Span<T> dx, ReadOnlySpan<T> reluOutput, int inputs, int outputs)
            where T : unmanaged, IFloatingPointIeee754<T> where TRule : struct, IReluRule =>
            BackwardInput(dy, weight, dx, inputs, outputs, TRule.Rule, reluOutput);

        /// <summary>
        /// The input gradient through the rule <typeparamref name="TRule"/> of the <paramref name="rectifier"/> (ReLU or ReLU6)
        /// just below this layer, the rule named as a type, as generated backward passes call it.
        /// </summary>
        public static void BackwardInput<T, TRule>(ReadOnlySpan<T> dy, ReadOnlySpan<T> weight, Span<T> dx, ReadOnlySpan<T> rectifierOutput, int inputs, int outputs, Rectifier rectifier)
            where T : unmanaged, IFloatingPointIeee754<T> where TRule : struct, IReluRule =>
            BackwardInput(dy, weight, dx, inputs, outputs, TRule.Rule, rectifierOutput, rectifier);

        private static unsafe void Backward<T>(T* dy, T* w, T* dx, int inputs, int outputs, ReluStep<T> relu)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (SimdWidth.Use512) Backward<T, Vector512<T>, Simd512<T>>(dy, w, dx, inputs, outputs, relu);
            else if (SimdWidth.Use256) Backward<T, Vector256<T>, Simd256<T>>(dy, w, dx, inputs, outputs, relu);
            else if (SimdWidth.Use128) Backward<T, Vector128<T>, Simd128<T>>(dy, w, dx, inputs, outputs, relu);
            else Backward<T, T, SimdScalar<T>>(dy, w, dx, inputs, outputs, relu);
        }

        private static unsafe void Forward<T, TV, S>(T* x, T* w, T* bias, T* y, int inputs, int outputs, Rectifier rectifier)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            // Blocks of up to 8 vectors of outputs stream the columns once each; a large layer shared among threads uses
            // smaller blocks so every thread has one (each output's sum is the same whatever its block).
            int totalVectors = (outputs + S.Count - 1) / S.Count;
            int threads = KernelParallelism.Threads((long)inputs * outputs);
            int blockVectors = threads > 1 ? Math.Clamp((totalVectors + threads - 1) / threads, 1, 8) : 8;
            var job = new DenseJob<T> { X = x, W = w, Bias = bias, Y = y, Inputs = inputs, Outputs = outputs, Block = blockVectors * S.Count, Rectifier = rectifier };
            KernelParallelism.For((outputs + job.Block - 1) / job.Block, threads, &ForwardPiece<T, TV, S>, &job);
        }

        private unsafe struct DenseJob<T> where T : unmanaged, IFloatingPointIeee754<T>
        {
            public T* X;
            public T* W;
            public T* Bias;
            public T* Y;
            public T* Dy;
            public T* Dx;
            public int Inputs;
            public int Outputs;
            public int Block;
            public Rectifier Rectifier;
            public ReluStep<T> Rule;
        }

        private static unsafe void ForwardPiece<T, TV, S>(void* context, int piece)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            ref DenseJob<T> job = ref Unsafe.AsRef<DenseJob<T>>(context);
            int o0 = piece * job.Block;
            int count = Math.Min(job.Block, job.Outputs - o0);
            T* x = job.X, w = job.W + o0, y = job.Y + o0, bias = job.Bias == null ? null : job.Bias + o0;
            int inputs = job.Inputs, outputs = job.Outputs;
            switch ((count + S.Count - 1) / S.Count)
            {
                case 1: ForwardBlock<T, TV, S, Count1>(x, w, bias, y, inputs, outputs, count, job.Rectifier); break;
                case 2: ForwardBlock<T, TV, S, Count2>(x, w, bias, y, inputs, outputs, count, job.Rectifier); break;
                case 3: ForwardBlock<T, TV, S, Count3>(x, w, bias, y, inputs, outputs, count, job.Rectifier); break;
                case 4: ForwardBlock<T, TV, S, Count4>(x, w, bias, y, inputs, outputs, count, job.Rectifier); break;
                case 5: ForwardBlock<T, TV, S, Count5>(x, w, bias, y, inputs, outputs, count, job.Rectifier); break;
                case 6: ForwardBlock<T, TV, S, Count6>(x, w, bias, y, inputs, outputs, count, job.Rectifier); break;
                case 7: ForwardBlock<T, TV, S, Count7>(x, w, bias, y, inputs, outputs, count, job.Rectifier); break;
                default: ForwardBlock<T, TV, S, Count8>(x, w, bias, y, inputs, outputs, count, job.Rectifier); break;
            }
        }

        /// <summary>
        /// <c>y[0..count) = b + Σ_i x[i] · W[0..count, i]</c> for one block of <typeparamref name="TN"/> vectors of outputs
        /// (the last one holding <c>count − (N−1)·Count</c> of them); <paramref name="w"/> points at the block's first row.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static unsafe void ForwardBlock<T, TV, S, TN>(T* x, T* w, T* bias, T* y, int inputs, int stride, int count, Rectifier rectifier)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV> where TN : struct, ICount
        {
            // No call may stay in this method: the JIT keeps vectors live across a call on the stack.
            int vl = S.Count, n = TN.Value, tail = count - (n - 1) * vl;
            bool full = tail == vl;
            TV a0 = S.Zero, a1 = S.Zero, a2 = S.Zero, a3 = S.Zero, a4 = S.Zero, a5 = S.Zero, a6 = S.Zero, a7 = S.Zero;
            if (bias != null)
            {
                if (n == 1) a0 = full ? S.Load(bias) : S.LoadFirst(bias, tail); else a0 = S.Load(bias);
                if (n > 1) a1 = n == 2 && !full ? S.LoadFirst(bias + vl, tail) : S.Load(bias + vl);
                if (n > 2) a2 = n == 3 && !full ? S.LoadFirst(bias + 2 * vl, tail) : S.Load(bias + 2 * vl);
                if (n > 3) a3 = n == 4 && !full ? S.LoadFirst(bias + 3 * vl, tail) : S.Load(bias + 3 * vl);
                if (n > 4) a4 = n == 5 && !full ? S.LoadFirst(bias + 4 * vl, tail) : S.Load(bias + 4 * vl);
                if (n > 5) a5 = n == 6 && !full ? S.LoadFirst(bias + 5 * vl, tail) : S.Load(bias + 5 * vl);
                if (n > 6) a6 = n == 7 && !full ? S.LoadFirst(bias + 6 * vl, tail) : S.Load(bias + 6 * vl);
                if (n > 7) a7 = !full ? S.LoadFirst(bias + 7 * vl, tail) : S.Load(bias + 7 * vl);
            }
            T* last = w + (n - 1) * vl;
            for (int i = 0; i < inputs; i++, w += stride, last += stride)
            {
                T xi = x[i];
                if (xi == T.Zero) continue; // post-ReLU inputs are often zero: their column is not read
                TV v = S.Broadcast(xi);
                // Whole vectors first; the block's last vector (possibly partial) is read through a mask.
                if (n > 1) a0 = S.MultiplyAdd(S.Load(w), v, a0);
                if (n > 2) a1 = S.MultiplyAdd(S.Load(w + vl), v, a1);
                if (n > 3) a2 = S.MultiplyAdd(S.Load(w + 2 * vl), v, a2);
                if (n > 4) a3 = S.MultiplyAdd(S.Load(w + 3 * vl), v, a3);
                if (n > 5) a4 = S.MultiplyAdd(S.Load(w + 4 * vl), v, a4);
                if (n > 6) a5 = S.MultiplyAdd(S.Load(w + 5 * vl), v, a5);
                if (n > 7) a6 = S.MultiplyAdd(S.Load(w + 6 * vl), v, a6);
                TV lastColumn = full ? S.Load(last) : S.LoadFirst(last, tail);
                switch (n)
                {
                    case 1: a0 = S.MultiplyAdd(lastColumn, v, a0); break;
                    case 2: a1 = S.MultiplyAdd(lastColumn, v, a1); break;
                    case 3: a2 = S.MultiplyAdd(lastColumn, v, a2); break;
                    case 4: a3 = S.MultiplyAdd(lastColumn, v, a3); break;
                    case 5: a4 = S.MultiplyAdd(lastColumn, v, a4); break;
                    case 6: a5 = S.MultiplyAdd(lastColumn, v, a5); break;
                    case 7: a6 = S.MultiplyAdd(lastColumn, v, a6); break;
                    default: a7 = S.MultiplyAdd(lastColumn, v, a7); break;
                }
            }
            if (rectifier != Rectifier.None)
            {
                a0 = Rows.Rectify<T, TV, S>(a0, rectifier); a1 = Rows.Rectify<T, TV, S>(a1, rectifier); a2 = Rows.Rectify<T, TV, S>(a2, rectifier); a3 = Rows.Rectify<T, TV, S>(a3, rectifier);
                a4 = Rows.Rectify<T, TV, S>(a4, rectifier); a5 = Rows.Rectify<T, TV, S>(a5, rectifier); a6 = Rows.Rectify<T, TV, S>(a6, rectifier); a7 = Rows.Rectify<T, TV, S>(a7, rectifier);
            }
            StoreBlock<T, TV, S>(y, n, tail, a0, a1, a2, a3, a4, a5, a6, a7);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static unsafe void StoreBlock<T, TV, S>(T* y, int n, int tail, TV a0, TV a1, TV a2, TV a3, TV a4, TV a5, TV a6, TV a7)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            int vl = S.Count;
            TV lastValue = a0;
            if (n > 1) { S.Store(y, a0); lastValue = a1; }
            if (n > 2) { S.Store(y + vl, a1); lastValue = a2; }
            if (n > 3) { S.Store(y + 2 * vl, a2); lastValue = a3; }
            if (n > 4) { S.Store(y + 3 * vl, a3); lastValue = a4; }
            if (n > 5) { S.Store(y + 4 * vl, a4); lastValue = a5; }
            if (n > 6) { S.Store(y + 5 * vl, a5); lastValue = a6; }
            if (n > 7) { S.Store(y + 6 * vl, a6); lastValue = a7; }
            T* end = y + (n - 1) * vl;
            if (tail == vl) S.Store(end, lastValue);
            else S.StoreFirst(end, lastValue, tail);
        }

        private static unsafe void Backward<T, TV, S>(T* dy, T* w, T* dx, int inputs, int outputs, ReluStep<T> relu)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            // A large layer is shared among threads by ranges of inputs (each dx[i] is the same whichever thread sums it).
            int threads = KernelParallelism.Threads((long)inputs * outputs);
            int range = threads > 1 ? Math.Max(64, (inputs + 4 * threads - 1) / (4 * threads)) : inputs;
            var job = new DenseJob<T> { Dy = dy, W = w, Dx = dx, Inputs = inputs, Outputs = outputs, Block = range, Rule = relu };
            KernelParallelism.For((inputs + range - 1) / range, threads, &BackwardPiece<T, TV, S>, &job);
        }

        private static unsafe void BackwardPiece<T, TV, S>(void* context, int piece)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            // dx[i] = Σ_o W[o, i] · dy[o]: column i is contiguous. Blocks of up to 8 vectors of outputs: the first block
            // writes dx, later blocks add to it (a fixed order).
            ref DenseJob<T> job = ref Unsafe.AsRef<DenseJob<T>>(context);
            int i0 = piece * job.Block;
            int inputs = Math.Min(job.Block, job.Inputs - i0), outputs = job.Outputs;
            T* dy = job.Dy, w = job.W + (long)i0 * outputs, dx = job.Dx + i0;
            int block = 8 * S.Count;
            for (int o0 = 0; o0 < outputs; o0 += block)
            {
                int count = Math.Min(block, outputs - o0);
                bool accumulate = o0 > 0;
                // The ReLU rule, if any, applies once each dx[i] is complete: with the last block of outputs.
                ReluStep<T> rule = o0 + block >= outputs ? job.Rule.Offset(i0) : ReluStep<T>.None;
                switch ((count + S.Count - 1) / S.Count)
                {
                    case 1: BackwardBlock<T, TV, S, Count1>(dy + o0, w + o0, dx, inputs, outputs, count, accumulate, rule); break;
                    case 2: BackwardBlock<T, TV, S, Count2>(dy + o0, w + o0, dx, inputs, outputs, count, accumulate, rule); break;
                    case 3: BackwardBlock<T, TV, S, Count3>(dy + o0, w + o0, dx, inputs, outputs, count, accumulate, rule); break;
                    case 4: BackwardBlock<T, TV, S, Count4>(dy + o0, w + o0, dx, inputs, outputs, count, accumulate, rule); break;
                    case 5: BackwardBlock<T, TV, S, Count5>(dy + o0, w + o0, dx, inputs, outputs, count, accumulate, rule); break;
                    case 6: BackwardBlock<T, TV, S, Count6>(dy + o0, w + o0, dx, inputs, outputs, count, accumulate, rule); break;
                    case 7: BackwardBlock<T, TV, S, Count7>(dy + o0, w + o0, dx, inputs, outputs, count, accumulate, rule); break;
                    default: BackwardBlock<T, TV, S, Count8>(dy + o0, w + o0, dx, inputs, outputs, count, accumulate, rule); break;
                }
            }
        }

        /// <summary>
        /// <c>dx[i] (+)= Σ_{o &lt; count} W[o, i] · dy[o]</c> for one block of <typeparamref name="TN"/> vectors of outputs,
        /// the last one holding the remainder.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static unsafe void BackwardBlock<T, TV, S, TN>(T* dy, T* w, T* dx, int inputs, int stride, int count, bool accumulate, ReluStep<T> rule)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV> where TN : struct, ICount
        {
            // No call may stay in this method: the JIT keeps vectors live across a call on the stack.
            int vl = S.Count, n = TN.Value, tail = count - (n - 1) * vl;
            bool full = tail == vl;
            // dy stays in registers; its last vector is zero past the tail.
            TV d0 = S.Zero, d1 = S.Zero, d2 = S.Zero, d3 = S.Zero, d4 = S.Zero, d5 = S.Zero, d6 = S.Zero, d7 = S.Zero;
            if (n > 1) d0 = S.Load(dy);
            if (n > 2) d1 = S.Load(dy + vl);
            if (n > 3) d2 = S.Load(dy + 2 * vl);
            if (n > 4) d3 = S.Load(dy + 3 * vl);
            if (n > 5) d4 = S.Load(dy + 4 * vl);
            if (n > 6) d5 = S.Load(dy + 5 * vl);
            if (n > 7) d6 = S.Load(dy + 6 * vl);
            TV dLast = full ? S.Load(dy + (n - 1) * vl) : S.LoadFirst(dy + (n - 1) * vl, tail);
            // The last vector of each column is read with a mask: whole vectors could read past the end of W.
            T* lastColumn = w + (n - 1) * vl;
            for (int i = 0; i < inputs; i++, w += stride, lastColumn += stride)
            {

                // Two chains so the sum's latency halves; the pairing is fixed, so the order is too.
                TV even = S.Zero, odd = S.Zero;
                if (n > 1) even = S.MultiplyAdd(S.Load(w), d0, even);
                if (n > 2) odd = S.MultiplyAdd(S.Load(w + vl), d1, odd);
                if (n > 3) even = S.MultiplyAdd(S.Load(w + 2 * vl), d2, even);
                if (n > 4) odd = S.MultiplyAdd(S.Load(w + 3 * vl), d3, odd);
                if (n > 5) even = S.MultiplyAdd(S.Load(w + 4 * vl), d4, even);
                if (n > 6) odd = S.MultiplyAdd(S.Load(w + 5 * vl), d5, odd);
                if (n > 7) even = S.MultiplyAdd(S.Load(w + 6 * vl), d6, even);
                odd = S.MultiplyAdd(full ? S.Load(lastColumn) : S.LoadFirst(lastColumn, tail), dLast, odd);
                T sum = S.Sum(S.Add(even, odd));
                T value = accumulate ? dx[i] + sum : sum;
                dx[i] = rule.Apply(i, value);
            }
        }
    }
}
