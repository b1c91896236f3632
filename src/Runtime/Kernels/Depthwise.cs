using System.Numerics;
using System.Runtime.CompilerServices;

namespace Relucent.Kernels
{
    /// <summary>
    /// Depthwise convolution (groups equal to the channels and the filters: MobileNet's 3×3 layers), channel by channel:
    /// each output plane is k² shifted, scaled copies of its one padded input plane, summed a vector of output columns at a
    /// time. As a grouped convolution it would be one matrix product of a single row per channel, a tile of which wastes
    /// most of its registers.
    /// </summary>
    /// <remarks>
    /// <para>Forward: the plane is staged with its zero border; for stride <c>s &gt; 1</c> its columns are split into <c>s</c>
    /// phases (<c>P_φ[r, j] = P[r, φ + s·j]</c>), so that the input column <c>ox·s + kx</c> of every output column is the
    /// contiguous <c>P_{kx mod s}[·, ox + ⌊kx/s⌋]</c>. Each output value is <c>Σ_{ky,kx} w·x</c> in tap order, then the bias,
    /// then the rectifier.</para>
    /// <para>Input gradient at stride 1 (padding at most <c>k − 1</c>, kernels up to 7): the forward correlation itself, of
    /// <c>dy</c> padded by <c>k − 1 − p</c> on each side with the taps flipped, <c>dx[i, j] = Σ w[k−1−a, k−1−b]·dy_p[i + a, j + b]</c>,
    /// so it runs as fast as the forward pass (the 3×3 weights in registers); each input value sums its taps in flipped order.</para>
    /// <para>Input gradient otherwise: the output-gradient plane is staged with <c>G = ⌈(k − 1)/s⌉</c> zero columns on each side; input
    /// column <c>ix = φ + s·j</c> of phase <c>φ</c> sums, over the taps with <c>(iy + pt − ky)</c> divisible by <c>s</c> and
    /// <c>kx ≡ φ + pl (mod s)</c>, the contiguous <c>dy[(iy + pt − ky)/s, j + (φ + pl − kx)/s]</c>; the phases are then
    /// interleaved into the row. Each input value is one sum over its taps in tap order.</para>
    /// <para>Channels are independent, so a large call is shared among threads by ranges of channels
    /// (<see cref="KernelParallelism"/>) without changing a bit. Scratch is per thread (<see cref="Scratch{T}"/>).</para>
    /// </remarks>
    internal static unsafe class Depthwise
    {
        /// <summary>
        /// Set on a thread, its stride-1 input gradients take the general path instead of the transposed forward pass: for
        /// the benchmarks' A/B of the two (<c>ab-zoo Depthwise.t_untransposed</c>), per thread so no test run is affected.
        /// </summary>
        [ThreadStatic] internal static bool t_untransposed;

        private struct Job<T> where T : unmanaged, IFloatingPointIeee754<T>
        {
            public T* Input;
            public T* Weight;
            public T* Bias;
            public T* Output;
            public Planes Planes;
            public ConvolutionGeometry Geometry;
            public Rectifier Rectifier;
            public ReluStep<T> Rule; // the input gradient's rule, applied to each channel's plane as it is finished (None forward: default is not None)
            public int ChannelsPerPiece;
        }

        /// <summary>
        /// What a pass of plane-wise correlations reads: <see cref="Channels"/> planes of <see cref="Height"/> × <see cref="Width"/>,
        /// each padded and correlated with its own <see cref="Kernel"/>² taps at <see cref="Stride"/>. A layer's forward pass is its
        /// geometry's; its stride-1 input gradient is the output-gradient planes', padded by <c>k − 1 − p</c>.
        /// </summary>
        private readonly record struct Planes(int Channels, int Height, int Width, int Kernel, int Stride, int PadTop, int PadLeft, int PadBottom, int PadRight)
        {
            public int OutputHeight => (Height + PadTop + PadBottom - Kernel) / Stride + 1;

            public int OutputWidth => (Width + PadLeft + PadRight - Kernel) / Stride + 1;

            public static Planes Of(in ConvolutionGeometry g) => new(g.Channels, g.Height, g.Width, g.Kernel, g.Stride, g.PadTop, g.PadLeft, g.PadBottom, g.PadRight);

            /// <summary>The forward pass that is <paramref name="g"/>'s input gradient, when it is one (see the class remarks).</summary>
            public static bool TryTransposed(in ConvolutionGeometry g, out Planes planes)
            {
                int k = g.Kernel, most = k - 1;
                bool applies = !t_untransposed && g.Stride == 1 && k <= 7 && g.PadTop <= most && g.PadLeft <= most && g.PadBottom <= most && g.PadRight <= most;
                planes = applies ? new(g.Channels, g.OutputHeight, g.OutputWidth, k, 1, most - g.PadTop, most - g.PadLeft, most - g.PadBottom, most - g.PadRight) : default;
                return applies;
            }
        }

        public static void Forward<T, TV, S>(T* x, T* w, T* bias, T* y, in ConvolutionGeometry g, Rectifier rectifier)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            var job = new Job<T> { Input = x, Weight = w, Bias = bias, Output = y, Planes = Planes.Of(g), Rectifier = rectifier, Rule = ReluStep<T>.None };
            Run(ref job, &ForwardPiece<T, TV, S>);
        }

        public static void BackwardInput<T, TV, S>(T* dy, T* w, T* dx, in ConvolutionGeometry g, ReluStep<T> rule)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            if (Planes.TryTransposed(g, out Planes transposed))
            {
                // The taps flipped, in the weights' own layout ([k², channels]), in this thread's scratch: every piece reads
                // them while this thread runs its own pieces, which use other scratch buffers.
                int taps = g.Kernel * g.Kernel, channels = g.Channels;
                T* flipped = Scratch<T>.Third((long)taps * channels);
                for (int t = 0; t < taps; t++) new ReadOnlySpan<T>(w + (long)(taps - 1 - t) * channels, channels).CopyTo(new Span<T>(flipped + (long)t * channels, channels));
                var forward = new Job<T> { Input = dy, Weight = flipped, Output = dx, Planes = transposed, Rectifier = Rectifier.None, Rule = rule };
                Run(ref forward, &ForwardPiece<T, TV, S>);
            }
            else
            {
                var job = new Job<T> { Input = dy, Weight = w, Output = dx, Planes = Planes.Of(g), Geometry = g, Rule = rule };
                Run(ref job, &BackwardPiece<T, TV, S>);
            }
        }

        private static void Run<T>(ref Job<T> job, delegate*<void*, int, void> piece) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Planes p = job.Planes;
            int threads = KernelParallelism.Threads((long)p.Channels * p.OutputHeight * p.OutputWidth * p.Kernel * p.Kernel);
            int pieces = threads > 1 ? Math.Min(p.Channels, 8 * threads) : 1;
            job.ChannelsPerPiece = (p.Channels + pieces - 1) / pieces;
            pieces = (p.Channels + job.ChannelsPerPiece - 1) / job.ChannelsPerPiece;
            fixed (Job<T>* context = &job) KernelParallelism.For(pieces, threads, piece, context);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void ForwardPiece<T, TV, S>(void* context, int piece)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            ref Job<T> job = ref Unsafe.AsRef<Job<T>>(context);
            Planes g = job.Planes;
            int height = g.Height, width = g.Width, channels = g.Channels, k = g.Kernel, s = g.Stride;
            int pt = g.PadTop, pl = g.PadLeft, oh = g.OutputHeight, ow = g.OutputWidth;
            int hp = height + pt + g.PadBottom, wp = width + pl + g.PadRight;
            int vl = S.Count;
            // Phase rows: ⌈wp/s⌉ values and a vector of slack for the lanes past the last output column.
            int rowStride = s == 1 ? wp : (wp + s - 1) / s + vl, phasePlane = hp * rowStride;
            T* staged = Scratch<T>.First((long)s * phasePlane + 2 * vl);
            T* weights = Scratch<T>.Second(k * k);
            int* offsets = Scratch<int>.Fourth(k * k);
            int first = piece * job.ChannelsPerPiece, end = Math.Min(channels, first + job.ChannelsPerPiece);
            for (int c = first; c < end; c++)
            {
                T* plane = job.Input + (long)c * height * width;
                if (s == 1)
                {
                    ConvolutionKernels.StagePadded<T, TV, S>(plane, 1, height, width, pt, pl, g.PadBottom, g.PadRight, staged);
                    new Span<T>(staged + phasePlane, 2 * vl).Clear();
                }
                else
                {
                    StagePhases(plane, height, width, pt, pl, hp, wp, s, rowStride, phasePlane, staged);
                }

                // The channel's k² weights side by side, and each tap's offset in the staged phases from the start of an
                // output row's window (no division per value).
                for (int ky = 0, t = 0; ky < k; ky++)
                {
                    for (int kx = 0; kx < k; kx++, t++)
                    {
                        weights[t] = job.Weight[t * channels + c];
                        offsets[t] = kx % s * phasePlane + ky * rowStride + kx / s;
                    }
                }
                T bias = job.Bias == null ? T.Zero : job.Bias[c];
                T* target = job.Output + (long)c * oh * ow;
                if (k == 3) Rows3x3<T, TV, S>(staged, s * rowStride, weights, offsets, bias, job.Rectifier, target, oh, ow);
                else
                {
                    for (int oy = 0; oy < oh; oy++)
                    {
                        T* window = staged + oy * s * rowStride;
                        for (int ox = 0; ox < ow; ox += vl)
                        {
                            TV sum = S.Zero;
                            for (int t = 0; t < k * k; t++) sum = S.MultiplyAdd(S.Broadcast(weights + t), S.Load(window + ox + offsets[t]), sum);
                            Store<T, TV, S>(target + oy * ow + ox, Rows.Rectify<T, TV, S>(S.Add(sum, S.Broadcast(bias)), job.Rectifier), ow - ox);
                        }
                    }
                }
                // An input gradient run as this forward pass: the rule below the layer, on the plane while it is in cache (the
                // same bits as one pass over the whole gradient afterwards: the rule is element-wise).
                job.Rule.Offset(c * oh * ow).ApplyTo(target, oh * ow);
            }
        }

        /// <summary>The 3×3 case (MobileNet's): the nine weights and offsets in registers, one output row a vector at a time.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Rows3x3<T, TV, S>(T* staged, int rowStep, T* weights, int* offsets, T bias, Rectifier rectifier, T* target, int oh, int ow)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            int vl = S.Count;
            TV w0 = S.Broadcast(weights), w1 = S.Broadcast(weights + 1), w2 = S.Broadcast(weights + 2);
            TV w3 = S.Broadcast(weights + 3), w4 = S.Broadcast(weights + 4), w5 = S.Broadcast(weights + 5);
            TV w6 = S.Broadcast(weights + 6), w7 = S.Broadcast(weights + 7), w8 = S.Broadcast(weights + 8);
            TV b = S.Broadcast(bias);
            nint o0 = offsets[0], o1 = offsets[1], o2 = offsets[2], o3 = offsets[3], o4 = offsets[4], o5 = offsets[5], o6 = offsets[6], o7 = offsets[7], o8 = offsets[8];
            for (int oy = 0; oy < oh; oy++)
            {
                T* window = staged + oy * rowStep;
                T* row = target + oy * ow;
                for (int ox = 0; ox < ow; ox += vl)
                {
                    T* p = window + ox;
                    TV sum = S.MultiplyAdd(w0, S.Load(p + o0), S.Zero);
                    sum = S.MultiplyAdd(w1, S.Load(p + o1), sum);
                    sum = S.MultiplyAdd(w2, S.Load(p + o2), sum);
                    sum = S.MultiplyAdd(w3, S.Load(p + o3), sum);
                    sum = S.MultiplyAdd(w4, S.Load(p + o4), sum);
                    sum = S.MultiplyAdd(w5, S.Load(p + o5), sum);
                    sum = S.MultiplyAdd(w6, S.Load(p + o6), sum);
                    sum = S.MultiplyAdd(w7, S.Load(p + o7), sum);
                    sum = S.MultiplyAdd(w8, S.Load(p + o8), sum);
                    Store<T, TV, S>(row + ox, Rows.Rectify<T, TV, S>(S.Add(sum, b), rectifier), ow - ox);
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Store<T, TV, S>(T* target, TV value, int count)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            if (count >= S.Count) S.Store(target, value);
            else S.StoreFirst(target, value, count);
        }

        /// <summary>
        /// The padded plane split into <paramref name="s"/> column phases, <c>P_φ[r, j] = P[r, φ + s·j]</c>, each phase a plane of
        /// <paramref name="hp"/> rows <paramref name="rowStride"/> apart, zeros in the padding and the slack.
        /// </summary>
        private static void StagePhases<T>(T* plane, int height, int width, int pt, int pl, int hp, int wp, int s, int rowStride, int phasePlane, T* staged)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            new Span<T>(staged, s * phasePlane).Clear();
            for (int iy = 0; iy < height; iy++) PhaseRows.Split(plane + iy * width, width, pl, s, staged + (iy + pt) * rowStride, phasePlane);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void BackwardPiece<T, TV, S>(void* context, int piece)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            ref Job<T> job = ref Unsafe.AsRef<Job<T>>(context);
            ref ConvolutionGeometry g = ref job.Geometry;
            int height = g.Height, width = g.Width, channels = g.Channels, k = g.Kernel, s = g.Stride;
            int pt = g.PadTop, pl = g.PadLeft, oh = g.OutputHeight, ow = g.OutputWidth;
            int vl = S.Count;
            // dy's rows with G zeros either side (and a vector of slack): reads reach G columns left and right of a row.
            int gap = (k - 1 + s - 1) / s, rowStride = gap + ow + gap + vl;
            T* staged = Scratch<T>.First((long)oh * rowStride);
            int phaseLength = (width + s - 1) / s + vl;
            T* phases = Scratch<T>.Second((long)s * phaseLength);
            var taps = new StridedTaps(g, Scratch<int>.Fourth(StridedTaps.Length(g)));
            T* weights = Scratch<T>.Third(k * k);
            int first = piece * job.ChannelsPerPiece, end = Math.Min(channels, first + job.ChannelsPerPiece);
            for (int c = first; c < end; c++)
            {
                for (int t = 0; t < k * k; t++) weights[t] = job.Weight[t * channels + c]; // the channel's taps side by side
                T* plane = job.Input + (long)c * oh * ow;
                for (int oy = 0; oy < oh; oy++)
                {
                    T* row = staged + oy * rowStride;
                    new Span<T>(row, gap).Clear();
                    new ReadOnlySpan<T>(plane + oy * ow, ow).CopyTo(new Span<T>(row + gap, ow));
                    new Span<T>(row + gap + ow, gap + vl).Clear();
                }

                T* target = job.Output + (long)c * height * width;
                for (int iy = 0; iy < height; iy++)
                {
                    T* dxRow = target + iy * width;
                    int rows = taps.Rows(iy, oh);
                    for (int phase = 0; phase < s; phase++)
                    {
                        int count = (width - phase + s - 1) / s;
                        int columns = taps.Columns(phase, out int* kxs, out int* shifts);
                        T* sums = s == 1 ? dxRow : phases + phase * phaseLength;
                        for (int j = 0; j < count; j += vl)
                        {
                            TV sum = S.Zero;
                            for (int r = 0; r < rows; r++)
                            {
                                T* rowWeights = weights + taps.RowKy[r] * k;
                                T* source = staged + taps.RowOy[r] * rowStride + gap + j;
                                for (int i = 0; i < columns; i++) sum = S.MultiplyAdd(S.Broadcast(rowWeights + kxs[i]), S.Load(source + shifts[i]), sum);
                            }
                            if (s > 1 || count - j >= vl) S.Store(sums + j, sum);
                            else S.StoreFirst(sums + j, sum, count - j);
                        }
                    }
                    if (s > 1) PhaseRows.Merge(phases, phaseLength, s, 0, dxRow, width);
                }
                job.Rule.Offset(c * height * width).ApplyTo(target, height * width); // the rule below, on the plane while it is in cache
            }
        }
    }
}
