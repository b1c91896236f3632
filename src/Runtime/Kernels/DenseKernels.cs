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
    /// gradient stays in registers and each column is one vector dot product. Both are fixed sums in a fixed order, hence
    /// deterministic. The batch kernels (<see cref="ForwardBatch{T}"/>, <see cref="BackwardInputBatch{T}"/>) make the same
    /// sums for each example, in blocks that keep W in cache while every example uses it.
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

        /// <summary>
        /// <see cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, int, int, Rectifier)"/> for
        /// <paramref name="examples"/> examples at once: <c>y_e = W·x_e + b</c>, then the <paramref name="rectifier"/>, where
        /// <paramref name="x"/> is <c>[examples × inputs]</c> and <paramref name="y"/> <c>[examples × outputs]</c>, row by row.
        /// Row <c>e</c> of <paramref name="y"/> has the same bits as <c>Forward</c> of row <c>e</c> of <paramref name="x"/> alone.
        /// </summary>
        /// <remarks>
        /// A wide layer's weights are read from memory once for the whole batch, not once per example: each thread takes a
        /// range of outputs and walks the inputs in blocks; a block's weights for 8 vectors of outputs are copied together
        /// and stay in L1 while every example adds its nonzero inputs of the block to those outputs, held in registers.
        /// </remarks>
        /// <param name="x">The inputs, <paramref name="examples"/> rows of <paramref name="inputs"/> values.</param>
        /// <param name="weight">W, <c>[outputs, inputs]</c> column-major (as for <c>Forward</c>).</param>
        /// <param name="bias">The bias, <paramref name="outputs"/> values, or empty for none.</param>
        /// <param name="y">The outputs, <paramref name="examples"/> rows of <paramref name="outputs"/> values.</param>
        /// <param name="inputs">Inputs per example.</param>
        /// <param name="outputs">Outputs per example.</param>
        /// <param name="examples">Rows of <paramref name="x"/> and <paramref name="y"/>: 1 or more.</param>
        /// <param name="rectifier">The ReLU or ReLU6 that follows the layer, applied as the outputs are stored, or none.</param>
        public static unsafe void ForwardBatch<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> y, int inputs, int outputs, int examples, Rectifier rectifier = Rectifier.None)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            CheckBatch(weight, inputs, outputs, examples);
            Check.Length(x, (long)examples * inputs, nameof(x));
            Check.Length(y, (long)examples * outputs, nameof(y));
            if (!bias.IsEmpty) Check.Length(bias, outputs, nameof(bias));
            fixed (T* px = x, pw = weight, pb = bias, py = y)
            {
                T* pbias = bias.IsEmpty ? null : pb;
                if (SimdWidth.Use512) ForwardBatch<T, Vector512<T>, Simd512<T>>(px, pw, pbias, py, inputs, outputs, examples, rectifier);
                else if (SimdWidth.Use256) ForwardBatch<T, Vector256<T>, Simd256<T>>(px, pw, pbias, py, inputs, outputs, examples, rectifier);
                else if (SimdWidth.Use128) ForwardBatch<T, Vector128<T>, Simd128<T>>(px, pw, pbias, py, inputs, outputs, examples, rectifier);
                else ForwardBatch<T, T, SimdScalar<T>>(px, pw, pbias, py, inputs, outputs, examples, rectifier);
            }
        }

        /// <summary>
        /// <see cref="BackwardInput{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, int, int)"/> for <paramref name="examples"/>
        /// examples at once: <c>dx_e = Wᵀ·dy_e</c>, where <paramref name="dy"/> is <c>[examples × outputs]</c> and
        /// <paramref name="dx"/> <c>[examples × inputs]</c>, row by row. Row <c>e</c> of <paramref name="dx"/> has the same bits as
        /// <c>BackwardInput</c> of row <c>e</c> of <paramref name="dy"/> alone.
        /// </summary>
        /// <remarks>
        /// A wide layer's weights are read from memory once for the whole batch: each thread takes a range of columns (inputs)
        /// and, a block of columns that stays in cache at a time, takes every example's dot products with them.
        /// </remarks>
        /// <param name="dy">The output gradients, <paramref name="examples"/> rows of <paramref name="outputs"/> values.</param>
        /// <param name="weight">W, <c>[outputs, inputs]</c> column-major (as for <c>BackwardInput</c>).</param>
        /// <param name="dx">The input gradients, <paramref name="examples"/> rows of <paramref name="inputs"/> values.</param>
        /// <param name="inputs">Inputs per example.</param>
        /// <param name="outputs">Outputs per example.</param>
        /// <param name="examples">Rows of <paramref name="dy"/> and <paramref name="dx"/>: 1 or more.</param>
        public static unsafe void BackwardInputBatch<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> weight, Span<T> dx, int inputs, int outputs, int examples)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            CheckBatch(weight, inputs, outputs, examples);
            Check.Length(dy, (long)examples * outputs, nameof(dy));
            Check.Length(dx, (long)examples * inputs, nameof(dx));
            fixed (T* pdy = dy, pw = weight, pdx = dx)
            {
                if (SimdWidth.Use512) BackwardBatch<T, Vector512<T>, Simd512<T>>(pdy, pw, pdx, inputs, outputs, examples);
                else if (SimdWidth.Use256) BackwardBatch<T, Vector256<T>, Simd256<T>>(pdy, pw, pdx, inputs, outputs, examples);
                else if (SimdWidth.Use128) BackwardBatch<T, Vector128<T>, Simd128<T>>(pdy, pw, pdx, inputs, outputs, examples);
                else BackwardBatch<T, T, SimdScalar<T>>(pdy, pw, pdx, inputs, outputs, examples);
            }
        }

        /// <summary>The checks both batch kernels make: the layer's sizes, its weights' length, the number of examples.</summary>
        private static void CheckBatch<T>(ReadOnlySpan<T> weight, int inputs, int outputs, int examples)
        {
            Check.DenseSizes(inputs, outputs);
            Check.Length(weight, (long)inputs * outputs, nameof(weight));
            if (examples < 1) throw new ArgumentOutOfRangeException(nameof(examples), examples, "A batch has 1 example or more.");
        }

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
            int totalVectors = (outputs + S.Count - 1) / S.Count;
            int threads = KernelParallelism.Threads((long)inputs * outputs);
            int* nonzero = Scratch<int>.First(inputs);
            int count = Nonzero(x, 0, inputs, nonzero);
            if (totalVectors > 8)
            {
                // Wide layers stream W column by column (each column contiguous, read once, zero inputs' columns skipped),
                // adding into y in cache: the same sums in the same order as the register blocks below, without reading W in
                // short strided pieces. Threads take ranges of outputs.
                int rangeVectors = threads > 1 ? (totalVectors + 2 * threads - 1) / (2 * threads) : totalVectors;
                var stream = new DenseJob<T> { X = x, W = w, Bias = bias, Y = y, Inputs = count, Outputs = outputs, Block = rangeVectors * S.Count, Rectifier = rectifier, Nonzero = nonzero };
                KernelParallelism.For((outputs + stream.Block - 1) / stream.Block, threads, &StreamPiece<T, TV, S>, &stream);
                return;
            }
            // Blocks of up to 8 vectors of outputs stream the columns once each; a large layer shared among threads uses
            // smaller blocks so every thread has one (each output's sum is the same whatever its block).
            int blockVectors = threads > 1 ? Math.Clamp((totalVectors + threads - 1) / threads, 1, 8) : 8;
            var job = new DenseJob<T> { X = x, W = w, Bias = bias, Y = y, Inputs = count, Outputs = outputs, Block = blockVectors * S.Count, Rectifier = rectifier, Nonzero = nonzero };
            KernelParallelism.For((outputs + job.Block - 1) / job.Block, threads, &ForwardPiece<T, TV, S>, &job);
        }

        /// <summary>
        /// Outputs <c>[o0, o0 + Block)</c>: <c>y = b</c>, then <c>y += x[i] · W[·, i]</c> for the nonzero inputs in order, four
        /// columns per pass over the range (each output one chain of fused multiply-adds over <c>i</c>), then the rectifier.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static unsafe void StreamPiece<T, TV, S>(void* context, int piece)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            ref DenseJob<T> job = ref Unsafe.AsRef<DenseJob<T>>(context);
            int vl = S.Count, o0 = piece * job.Block, n = Math.Min(job.Block, job.Outputs - o0), stride = job.Outputs;
            int whole = n / vl * vl, tail = n - whole;
            T* y = job.Y + o0, w = job.W + o0, x = job.X;
            int* nonzero = job.Nonzero;
            if (job.Bias != null) new ReadOnlySpan<T>(job.Bias + o0, n).CopyTo(new Span<T>(y, n));
            else new Span<T>(y, n).Clear();
            int c = 0;
            for (; c + 4 <= job.Inputs; c += 4)
            {
                int i0 = nonzero[c], i1 = nonzero[c + 1], i2 = nonzero[c + 2], i3 = nonzero[c + 3];
                TV x0 = S.Broadcast(x[i0]), x1 = S.Broadcast(x[i1]), x2 = S.Broadcast(x[i2]), x3 = S.Broadcast(x[i3]);
                T* w0 = w + (long)i0 * stride, w1 = w + (long)i1 * stride, w2 = w + (long)i2 * stride, w3 = w + (long)i3 * stride;
                for (int o = 0; o < whole; o += vl)
                {
                    TV a = S.MultiplyAdd(S.Load(w0 + o), x0, S.Load(y + o));
                    a = S.MultiplyAdd(S.Load(w1 + o), x1, a);
                    a = S.MultiplyAdd(S.Load(w2 + o), x2, a);
                    S.Store(y + o, S.MultiplyAdd(S.Load(w3 + o), x3, a));
                }
                if (tail > 0)
                {
                    TV a = S.MultiplyAdd(S.LoadFirst(w0 + whole, tail), x0, S.LoadFirst(y + whole, tail));
                    a = S.MultiplyAdd(S.LoadFirst(w1 + whole, tail), x1, a);
                    a = S.MultiplyAdd(S.LoadFirst(w2 + whole, tail), x2, a);
                    S.StoreFirst(y + whole, S.MultiplyAdd(S.LoadFirst(w3 + whole, tail), x3, a), tail);
                }
            }
            for (; c < job.Inputs; c++)
            {
                int i = nonzero[c];
                TV xi = S.Broadcast(x[i]);
                T* wi = w + (long)i * stride;
                for (int o = 0; o < whole; o += vl) S.Store(y + o, S.MultiplyAdd(S.Load(wi + o), xi, S.Load(y + o)));
                if (tail > 0) S.StoreFirst(y + whole, S.MultiplyAdd(S.LoadFirst(wi + whole, tail), xi, S.LoadFirst(y + whole, tail)), tail);
            }
            if (job.Rectifier != Rectifier.None) Rows.Rectify<T, TV, S>(y, y, n, job.Rectifier);
        }

        /// <summary>The indices <c>i</c> in <c>[first, end)</c> with <c>x[i] ≠ 0</c>, in order, into <paramref name="list"/>; returns how many.</summary>
        private static unsafe int Nonzero<T>(T* x, int first, int end, int* list) where T : unmanaged, IFloatingPointIeee754<T>
        {
            int count = 0;
            for (int i = first; i < end; i++)
            {
                // Without a branch (zeros come in no pattern a predictor could learn): i is written, kept if x[i] is not zero.
                list[count] = i;
                count += x[i] != T.Zero ? 1 : 0; // post-ReLU inputs are often zero: their column is not read
            }
            return count;
        }

        /// <summary>
        /// The bytes of W a block of the backward batch holds: it stays in the core's L2 cache while every example of the
        /// batch takes its dot products with it, so W comes from memory once per batch.
        /// </summary>
        private const int BatchBlockBytes = 256 * 1024;

        /// <summary>The batch kernels without <see cref="Ahead"/> (Benchmarks' A/B; this thread's batch calls only, read when a call starts).</summary>
        [ThreadStatic] internal static bool t_noPrefetch;

        /// <summary>
        /// The bytes of W a tile of the forward batch holds, copied together: it stays in the L1 cache while every example
        /// adds its nonzero inputs (a copy, because columns a power of two apart would share a few of L1's sets).
        /// </summary>
        private const int PackedTileBytes = 32 * 1024;

        private static unsafe void ForwardBatch<T, TV, S>(T* x, T* w, T* bias, T* y, int inputs, int outputs, int examples, Rectifier rectifier)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            int totalVectors = (outputs + S.Count - 1) / S.Count;
            if (totalVectors <= 8)
            {
                // Narrow layers keep W in cache anyway (at most 8 vectors per column): one example after another.
                for (int e = 0; e < examples; e++) Forward<T, TV, S>(x + (long)e * inputs, w, bias, y + (long)e * outputs, inputs, outputs, rectifier);
                return;
            }
            // Ranges of outputs of 4 KB per column (whole pages of W stream from memory), fewer if that leaves a thread
            // without two. Neither ranges nor blocks change a sum: each output is one chain over its example's nonzero
            // inputs in order, whatever range, block or tile it is computed in.
            int threads = KernelParallelism.Threads((long)inputs * outputs * examples);
            int rangeVectors = Math.Max(8, 4096 / sizeof(T) / S.Count);
            if (threads > 1) rangeVectors = Math.Min(rangeVectors, (totalVectors + 2 * threads - 1) / (2 * threads));
            int block = rangeVectors * S.Count;
            var job = new DenseJob<T>
            {
                X = x, W = w, Bias = bias, Y = y, Inputs = inputs, Outputs = outputs, Examples = examples, Block = block,
                Columns = Math.Min(inputs, PackedTileBytes / (8 * S.Count * sizeof(T))), Rectifier = rectifier, Prefetch = !t_noPrefetch,
            };
            KernelParallelism.For((outputs + block - 1) / block, threads, &ForwardBatchPiece<T, TV, S>, &job);
        }

        /// <summary>
        /// Outputs <c>[o0, o0 + Block)</c> of every example, a block of <c>Columns</c> inputs at a time: each example's nonzero
        /// inputs of the block listed, then tile by tile (8 vectors of outputs, that block's columns copied together), each
        /// example's outputs continue their chains in registers (<see cref="ForwardTile"/>) from the bias or the values stored
        /// after the previous block; the rectifier with the last block.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static unsafe void ForwardBatchPiece<T, TV, S>(void* context, int piece)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            ref DenseJob<T> job = ref Unsafe.AsRef<DenseJob<T>>(context);
            int o0 = piece * job.Block, n = Math.Min(job.Block, job.Outputs - o0), inputs = job.Inputs, outputs = job.Outputs;
            int columns = job.Columns, examples = job.Examples, tile = 8 * S.Count;
            // This thread's own buffers.
            int* lists = Scratch<int>.First((long)examples * columns), counts = Scratch<int>.Second(examples);
            T* packed = Scratch<T>.First((long)columns * tile);
            for (int i0 = 0; i0 < inputs; i0 += columns)
            {
                int k = Math.Min(columns, inputs - i0);
                for (int e = 0; e < examples; e++) counts[e] = Nonzero(job.X + (long)e * inputs + i0, 0, k, lists + e * columns);
                Rectifier rectifier = i0 + k == inputs ? job.Rectifier : Rectifier.None;
                for (int t = 0; t < n; t += tile)
                {
                    int width = Math.Min(tile, n - t);
                    T* source = job.W + (long)i0 * outputs + o0 + t;
                    Pack<T, TV, S>(source, outputs, packed, tile, width, k);
                    // The next tile (of these columns, or the next block's first) comes into L2 while the examples use this one,
                    // a line or two per column of their products.
                    long steps = 0;
                    for (int e = 0; e < examples; e++) steps += counts[e];
                    var ahead = !job.Prefetch ? default
                        : t + tile < n ? new Ahead(source + tile, Math.Min(tile, n - t - tile) * sizeof(T), k, (long)outputs * sizeof(T), steps)
                        : i0 + k < inputs ? new Ahead(job.W + (long)(i0 + k) * outputs + o0, Math.Min(tile, n) * sizeof(T), Math.Min(columns, inputs - i0 - k), (long)outputs * sizeof(T), steps)
                        : default;
                    for (int e = 0; e < examples; e++)
                    {
                        T* row = job.Y + (long)e * outputs + o0 + t;
                        T* start = i0 > 0 ? row : job.Bias == null ? null : job.Bias + o0 + t;
                        ForwardTile<T, TV, S, Ahead>(job.X + (long)e * inputs + i0, lists + e * columns, counts[e], packed, start, row, tile, width, rectifier, ref ahead);
                    }
                }
            }
        }

        /// <summary>Copies <paramref name="width"/> values of each of <paramref name="columns"/> columns, <paramref name="stride"/> apart, to <paramref name="packed"/>, <paramref name="tile"/> apart.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static unsafe void Pack<T, TV, S>(T* source, int stride, T* packed, int tile, int width, int columns)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            int whole = width / S.Count * S.Count;
            for (int c = 0; c < columns; c++, source += stride, packed += tile)
            {
                for (int v = 0; v < whole; v += S.Count) S.Store(packed + v, S.Load(source + v));
                if (whole < width) S.StoreFirst(packed + whole, S.LoadFirst(source + whole, width - whole), width - whole);
            }
        }

        private static unsafe void BackwardBatch<T, TV, S>(T* dy, T* w, T* dx, int inputs, int outputs, int examples)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            if (outputs <= 8 * S.Count)
            {
                // Narrow layers keep W in cache anyway: one example after another.
                for (int e = 0; e < examples; e++) Backward<T, TV, S>(dy + (long)e * outputs, w, dx + (long)e * inputs, inputs, outputs, ReluStep<T>.None);
                return;
            }
            // Ranges of inputs as for one example; within a range, blocks of whole columns of BatchBlockBytes (a multiple of
            // four: Dots takes four at a time). Each column's sum has the same order whatever its range or block.
            int threads = KernelParallelism.Threads((long)inputs * outputs * examples);
            int range = threads > 1 ? Math.Max(64, (inputs + 4 * threads - 1) / (4 * threads)) : inputs;
            var job = new DenseJob<T>
            {
                Dy = dy, W = w, Dx = dx, Inputs = inputs, Outputs = outputs, Examples = examples, Block = range,
                Columns = Math.Max(4, BatchBlockBytes / (outputs * sizeof(T)) / 4 * 4), Prefetch = !t_noPrefetch,
            };
            KernelParallelism.For((inputs + range - 1) / range, threads, &DotBatchPiece<T, TV, S>, &job);
        }

        /// <summary>Inputs <c>[i0, i0 + Block)</c> of every example: block of columns by block of columns, each example's dot products with them (<see cref="Dots"/>).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static unsafe void DotBatchPiece<T, TV, S>(void* context, int piece)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            ref DenseJob<T> job = ref Unsafe.AsRef<DenseJob<T>>(context);
            int first = piece * job.Block, end = Math.Min(job.Inputs, first + job.Block), inputs = job.Inputs, outputs = job.Outputs;
            for (int i0 = first; i0 < end; i0 += job.Columns)
            {
                int count = Math.Min(job.Columns, end - i0);
                T* w = job.W + (long)i0 * outputs;
                // The range's next block comes into L2 while the pairs of examples take their products with this one, a line or
                // two per step of their loops, spread over all of them (asking twice or four times as fast gained only 1.03-1.1x).
                int nextCount = Math.Min(job.Columns, end - i0 - count);
                var ahead = new Ahead(nextCount > 0 && job.Prefetch ? w + (long)count * outputs : null, (long)nextCount * outputs * sizeof(T),
                    (long)(job.Examples / 2) * (count / 4) * (outputs / (2 * S.Count)));
                int e = 0;
                // Two examples at a time share each load of W (it comes from L2: one load per multiply-add would bound the loop).
                for (; e + 2 <= job.Examples; e += 2)
                {
                    T* dy = job.Dy + (long)e * outputs, dx = job.Dx + (long)e * inputs + i0;
                    int i = Dots2<T, TV, S>(dy, dy + outputs, w, dx, dx + inputs, count, outputs, ref ahead);
                    Dots<T, TV, S>(dy, w + (long)i * outputs, dx + i, count - i, outputs, ReluStep<T>.None);
                    Dots<T, TV, S>(dy + outputs, w + (long)i * outputs, dx + inputs + i, count - i, outputs, ReluStep<T>.None);
                }
                if (e < job.Examples) Dots<T, TV, S>(job.Dy + (long)e * outputs, w, job.Dx + (long)e * inputs + i0, count, outputs, ReluStep<T>.None);
            }
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
            public int* Nonzero;
            public int Examples;
            public int Columns; // batches: the inputs (columns of W) in one block that stays in cache
            public bool Prefetch; // batches: the next block fetched while this one is used (t_noPrefetch read on the calling thread)
        }

        private static unsafe void ForwardPiece<T, TV, S>(void* context, int piece)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            ref DenseJob<T> job = ref Unsafe.AsRef<DenseJob<T>>(context);
            int o0 = piece * job.Block;
            T* bias = job.Bias == null ? null : job.Bias + o0;
            NoAhead none = default;
            ForwardTile<T, TV, S, NoAhead>(job.X, job.Nonzero, job.Inputs, job.W + o0, bias, job.Y + o0, job.Outputs, Math.Min(job.Block, job.Outputs - o0), job.Rectifier, ref none);
        }

        /// <summary>
        /// <c>y[0..width) = start + Σ x[i] · W[0..width, i]</c> over the <paramref name="count"/> inputs listed in
        /// <paramref name="nonzero"/>, in order, then the rectifier, in registers: up to 8 vectors of outputs
        /// (<see cref="ForwardBlock"/>). Column <c>i</c> of the block is at <c>w + i · stride</c>.
        /// </summary>
        private static unsafe void ForwardTile<T, TV, S, TA>(T* x, int* nonzero, int count, T* w, T* start, T* y, int stride, int width, Rectifier rectifier, ref TA ahead)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV> where TA : struct, IAhead
        {
            switch ((width + S.Count - 1) / S.Count)
            {
                case 1: ForwardBlock<T, TV, S, Count1, TA>(x, nonzero, count, w, start, y, stride, width, rectifier, ref ahead); break;
                case 2: ForwardBlock<T, TV, S, Count2, TA>(x, nonzero, count, w, start, y, stride, width, rectifier, ref ahead); break;
                case 3: ForwardBlock<T, TV, S, Count3, TA>(x, nonzero, count, w, start, y, stride, width, rectifier, ref ahead); break;
                case 4: ForwardBlock<T, TV, S, Count4, TA>(x, nonzero, count, w, start, y, stride, width, rectifier, ref ahead); break;
                case 5: ForwardBlock<T, TV, S, Count5, TA>(x, nonzero, count, w, start, y, stride, width, rectifier, ref ahead); break;
                case 6: ForwardBlock<T, TV, S, Count6, TA>(x, nonzero, count, w, start, y, stride, width, rectifier, ref ahead); break;
                case 7: ForwardBlock<T, TV, S, Count7, TA>(x, nonzero, count, w, start, y, stride, width, rectifier, ref ahead); break;
                default: ForwardBlock<T, TV, S, Count8, TA>(x, nonzero, count, w, start, y, stride, width, rectifier, ref ahead); break;
            }
        }

        /// <summary>
        /// <c>y[0..count) = start + Σ_i x[i] · W[0..count, i]</c>, <c>i</c> over the <paramref name="inputs"/> listed in
        /// <paramref name="nonzero"/>, for one block of <typeparamref name="TN"/> vectors of outputs (the last one holding
        /// <c>count − (N−1)·Count</c> of them); <paramref name="w"/> points at the block's first row, <paramref name="start"/>
        /// (the bias, or the sums so far: a stored value is a chain's exact value) may be null for zero.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static unsafe void ForwardBlock<T, TV, S, TN, TA>(T* x, int* nonzero, int inputs, T* w, T* start, T* y, int stride, int count, Rectifier rectifier, ref TA next)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV> where TN : struct, ICount where TA : struct, IAhead
        {
            TA ahead = next; // a local the JIT keeps in registers; NoAhead (single examples) compiles to nothing
            // No call may stay in this method: the JIT keeps vectors live across a call on the stack.
            int vl = S.Count, n = TN.Value, tail = count - (n - 1) * vl;
            bool full = tail == vl;
            TV a0 = S.Zero, a1 = S.Zero, a2 = S.Zero, a3 = S.Zero, a4 = S.Zero, a5 = S.Zero, a6 = S.Zero, a7 = S.Zero;
            if (start != null)
            {
                if (n == 1) a0 = full ? S.Load(start) : S.LoadFirst(start, tail); else a0 = S.Load(start);
                if (n > 1) a1 = n == 2 && !full ? S.LoadFirst(start + vl, tail) : S.Load(start + vl);
                if (n > 2) a2 = n == 3 && !full ? S.LoadFirst(start + 2 * vl, tail) : S.Load(start + 2 * vl);
                if (n > 3) a3 = n == 4 && !full ? S.LoadFirst(start + 3 * vl, tail) : S.Load(start + 3 * vl);
                if (n > 4) a4 = n == 5 && !full ? S.LoadFirst(start + 4 * vl, tail) : S.Load(start + 4 * vl);
                if (n > 5) a5 = n == 6 && !full ? S.LoadFirst(start + 5 * vl, tail) : S.Load(start + 5 * vl);
                if (n > 6) a6 = n == 7 && !full ? S.LoadFirst(start + 6 * vl, tail) : S.Load(start + 6 * vl);
                if (n > 7) a7 = !full ? S.LoadFirst(start + 7 * vl, tail) : S.Load(start + 7 * vl);
            }
            T* first = w;
            for (int c = 0; c < inputs; c++)
            {
                int i = nonzero[c];
                w = first + (long)i * stride;
                T* last = w + (n - 1) * vl;
                TV v = S.Broadcast(x[i]);
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
                ahead.Step();
            }
            next = ahead;
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
            // Wide layers: one whole dot product per column, four columns at a time (W read in order, once); narrow ones: the
            // register blocks below.
            if (outputs > 8 * S.Count) KernelParallelism.For((inputs + range - 1) / range, threads, &DotPiece<T, TV, S>, &job);
            else KernelParallelism.For((inputs + range - 1) / range, threads, &BackwardPiece<T, TV, S>, &job);
        }

        /// <summary>Inputs <c>[i0, i0 + Block)</c>: their dot products (<see cref="Dots"/>).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static unsafe void DotPiece<T, TV, S>(void* context, int piece)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            ref DenseJob<T> job = ref Unsafe.AsRef<DenseJob<T>>(context);
            int i0 = piece * job.Block, count = Math.Min(job.Block, job.Inputs - i0);
            Dots<T, TV, S>(job.Dy, job.W + (long)i0 * job.Outputs, job.Dx + i0, count, job.Outputs, job.Rule.Offset(i0));
        }

        /// <summary>
        /// <c>dx[i] = rule(Σ_o W[o, i] · dy[o])</c> for the <paramref name="count"/> columns starting at <paramref name="w"/>, four
        /// at a time: each column's sum in two chains (even and odd vectors of outputs, the last one read through a mask), the
        /// chains added and summed across lanes, a fixed order for each column whether it is summed alone or with three others.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static unsafe void Dots<T, TV, S>(T* dy, T* w, T* dx, int count, int outputs, ReluStep<T> rule)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            int vl = S.Count, whole = outputs / vl * vl, tail = outputs - whole;
            int i = 0;
            for (; i + 4 <= count; i += 4)
            {
                T* w0 = w + (long)i * outputs, w1 = w0 + outputs, w2 = w1 + outputs, w3 = w2 + outputs;
                TV e0 = S.Zero, o0 = S.Zero, e1 = S.Zero, o1 = S.Zero, e2 = S.Zero, o2 = S.Zero, e3 = S.Zero, o3 = S.Zero;
                int o = 0;
                for (; o + 2 * vl <= whole; o += 2 * vl)
                {
                    TV d = S.Load(dy + o), d1 = S.Load(dy + o + vl);
                    e0 = S.MultiplyAdd(S.Load(w0 + o), d, e0); o0 = S.MultiplyAdd(S.Load(w0 + o + vl), d1, o0);
                    e1 = S.MultiplyAdd(S.Load(w1 + o), d, e1); o1 = S.MultiplyAdd(S.Load(w1 + o + vl), d1, o1);
                    e2 = S.MultiplyAdd(S.Load(w2 + o), d, e2); o2 = S.MultiplyAdd(S.Load(w2 + o + vl), d1, o2);
                    e3 = S.MultiplyAdd(S.Load(w3 + o), d, e3); o3 = S.MultiplyAdd(S.Load(w3 + o + vl), d1, o3);
                }
                if (o < whole)
                {
                    TV d = S.Load(dy + o);
                    e0 = S.MultiplyAdd(S.Load(w0 + o), d, e0); e1 = S.MultiplyAdd(S.Load(w1 + o), d, e1);
                    e2 = S.MultiplyAdd(S.Load(w2 + o), d, e2); e3 = S.MultiplyAdd(S.Load(w3 + o), d, e3);
                    o += vl;
                }
                if (tail > 0)
                {
                    // The masked vector goes to the chain whose turn it is.
                    TV d = S.LoadFirst(dy + whole, tail);
                    bool even = whole / vl % 2 == 0;
                    TV p0 = S.MultiplyAdd(S.LoadFirst(w0 + whole, tail), d, even ? e0 : o0), p1 = S.MultiplyAdd(S.LoadFirst(w1 + whole, tail), d, even ? e1 : o1);
                    TV p2 = S.MultiplyAdd(S.LoadFirst(w2 + whole, tail), d, even ? e2 : o2), p3 = S.MultiplyAdd(S.LoadFirst(w3 + whole, tail), d, even ? e3 : o3);
                    if (even) { e0 = p0; e1 = p1; e2 = p2; e3 = p3; } else { o0 = p0; o1 = p1; o2 = p2; o3 = p3; }
                }
                dx[i] = rule.Apply(i, S.Sum(S.Add(e0, o0)));
                dx[i + 1] = rule.Apply(i + 1, S.Sum(S.Add(e1, o1)));
                dx[i + 2] = rule.Apply(i + 2, S.Sum(S.Add(e2, o2)));
                dx[i + 3] = rule.Apply(i + 3, S.Sum(S.Add(e3, o3)));
            }
            for (; i < count; i++)
            {
                T* wi = w + (long)i * outputs;
                TV e = S.Zero, odd = S.Zero;
                int o = 0;
                for (; o + 2 * vl <= whole; o += 2 * vl)
                {
                    e = S.MultiplyAdd(S.Load(wi + o), S.Load(dy + o), e);
                    odd = S.MultiplyAdd(S.Load(wi + o + vl), S.Load(dy + o + vl), odd);
                }
                if (o < whole)
                {
                    e = S.MultiplyAdd(S.Load(wi + o), S.Load(dy + o), e);
                    o += vl;
                }
                if (tail > 0)
                {
                    TV p = S.MultiplyAdd(S.LoadFirst(wi + whole, tail), S.LoadFirst(dy + whole, tail), whole / vl % 2 == 0 ? e : odd);
                    if (whole / vl % 2 == 0) e = p; else odd = p;
                }
                dx[i] = rule.Apply(i, S.Sum(S.Add(e, odd)));
            }
        }

        /// <summary>
        /// <see cref="Dots{T, TV, S}"/> for two examples at once (<paramref name="dyA"/> into <paramref name="dxA"/>, <paramref name="dyB"/>
        /// into <paramref name="dxB"/>), four columns at a time, each load of W serving both: every column's sums are the same
        /// chains, in the same order, as <see cref="Dots{T, TV, S}"/> gives each example alone. Returns the columns done (a multiple
        /// of four); the caller finishes the rest with <see cref="Dots{T, TV, S}"/>.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static unsafe int Dots2<T, TV, S>(T* dyA, T* dyB, T* w, T* dxA, T* dxB, int count, int outputs, ref Ahead next)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            Ahead ahead = next; // a local the JIT keeps in registers
            int vl = S.Count, whole = outputs / vl * vl, tail = outputs - whole;
            bool even = whole / vl % 2 == 0; // whose turn the masked last vector is
            int i = 0;
            for (; i + 4 <= count; i += 4)
            {
                T* w0 = w + (long)i * outputs, w1 = w0 + outputs, w2 = w1 + outputs, w3 = w2 + outputs;
                TV ea0 = S.Zero, oa0 = S.Zero, ea1 = S.Zero, oa1 = S.Zero, ea2 = S.Zero, oa2 = S.Zero, ea3 = S.Zero, oa3 = S.Zero;
                TV eb0 = S.Zero, ob0 = S.Zero, eb1 = S.Zero, ob1 = S.Zero, eb2 = S.Zero, ob2 = S.Zero, eb3 = S.Zero, ob3 = S.Zero;
                int o = 0;
                for (; o + 2 * vl <= whole; o += 2 * vl)
                {
                    TV a = S.Load(dyA + o), a1 = S.Load(dyA + o + vl), b = S.Load(dyB + o), b1 = S.Load(dyB + o + vl);
                    TV x = S.Load(w0 + o), x1 = S.Load(w0 + o + vl);
                    ea0 = S.MultiplyAdd(x, a, ea0); oa0 = S.MultiplyAdd(x1, a1, oa0); eb0 = S.MultiplyAdd(x, b, eb0); ob0 = S.MultiplyAdd(x1, b1, ob0);
                    x = S.Load(w1 + o); x1 = S.Load(w1 + o + vl);
                    ea1 = S.MultiplyAdd(x, a, ea1); oa1 = S.MultiplyAdd(x1, a1, oa1); eb1 = S.MultiplyAdd(x, b, eb1); ob1 = S.MultiplyAdd(x1, b1, ob1);
                    x = S.Load(w2 + o); x1 = S.Load(w2 + o + vl);
                    ea2 = S.MultiplyAdd(x, a, ea2); oa2 = S.MultiplyAdd(x1, a1, oa2); eb2 = S.MultiplyAdd(x, b, eb2); ob2 = S.MultiplyAdd(x1, b1, ob2);
                    x = S.Load(w3 + o); x1 = S.Load(w3 + o + vl);
                    ea3 = S.MultiplyAdd(x, a, ea3); oa3 = S.MultiplyAdd(x1, a1, oa3); eb3 = S.MultiplyAdd(x, b, eb3); ob3 = S.MultiplyAdd(x1, b1, ob3);
                    ahead.Step();
                }
                if (o < whole)
                {
                    TV a = S.Load(dyA + o), b = S.Load(dyB + o);
                    TV x = S.Load(w0 + o); ea0 = S.MultiplyAdd(x, a, ea0); eb0 = S.MultiplyAdd(x, b, eb0);
                    x = S.Load(w1 + o); ea1 = S.MultiplyAdd(x, a, ea1); eb1 = S.MultiplyAdd(x, b, eb1);
                    x = S.Load(w2 + o); ea2 = S.MultiplyAdd(x, a, ea2); eb2 = S.MultiplyAdd(x, b, eb2);
                    x = S.Load(w3 + o); ea3 = S.MultiplyAdd(x, a, ea3); eb3 = S.MultiplyAdd(x, b, eb3);
                }
                if (tail > 0)
                {
                    TV a = S.LoadFirst(dyA + whole, tail), b = S.LoadFirst(dyB + whole, tail);
                    TV x0 = S.LoadFirst(w0 + whole, tail), x1 = S.LoadFirst(w1 + whole, tail), x2 = S.LoadFirst(w2 + whole, tail), x3 = S.LoadFirst(w3 + whole, tail);
                    if (even)
                    {
                        ea0 = S.MultiplyAdd(x0, a, ea0); ea1 = S.MultiplyAdd(x1, a, ea1); ea2 = S.MultiplyAdd(x2, a, ea2); ea3 = S.MultiplyAdd(x3, a, ea3);
                        eb0 = S.MultiplyAdd(x0, b, eb0); eb1 = S.MultiplyAdd(x1, b, eb1); eb2 = S.MultiplyAdd(x2, b, eb2); eb3 = S.MultiplyAdd(x3, b, eb3);
                    }
                    else
                    {
                        oa0 = S.MultiplyAdd(x0, a, oa0); oa1 = S.MultiplyAdd(x1, a, oa1); oa2 = S.MultiplyAdd(x2, a, oa2); oa3 = S.MultiplyAdd(x3, a, oa3);
                        ob0 = S.MultiplyAdd(x0, b, ob0); ob1 = S.MultiplyAdd(x1, b, ob1); ob2 = S.MultiplyAdd(x2, b, ob2); ob3 = S.MultiplyAdd(x3, b, ob3);
                    }
                }
                dxA[i] = S.Sum(S.Add(ea0, oa0)); dxA[i + 1] = S.Sum(S.Add(ea1, oa1)); dxA[i + 2] = S.Sum(S.Add(ea2, oa2)); dxA[i + 3] = S.Sum(S.Add(ea3, oa3));
                dxB[i] = S.Sum(S.Add(eb0, ob0)); dxB[i + 1] = S.Sum(S.Add(eb1, ob1)); dxB[i + 2] = S.Sum(S.Add(eb2, ob2)); dxB[i + 3] = S.Sum(S.Add(eb3, ob3));
            }
            next = ahead;
            return i;
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
