using System.Numerics;
using System.Runtime.CompilerServices;

namespace Relucent.Kernels
{
    /// <summary>
    /// A convolution's input gradient by taps, for any stride and padding: <c>dcol = Wᵀ · dy</c> on the register tiles of
    /// <see cref="Tiles"/> (rows: the group's C·k·k taps; the sum runs over its filters; columns: output positions), then
    /// col2im, each tap's row of <c>dcol</c> added in turn to the input positions it came from. Used where the stride-1
    /// correlation over the output gradient would waste work: strides above 1 (the correlation would run over a gradient
    /// dilated with zeros, s² times the products) and groups with fewer channels than a tile has rows (a first layer: 1 or 3
    /// channels).
    /// </summary>
    /// <remarks>
    /// <para>col2im works on the padded input split into its stride phases (<see cref="Phases"/>, as the forward pass stages
    /// it): tap <c>(ky, kx)</c> of output <c>(oy, ox)</c> lands in phase <c>(ky mod s, kx mod s)</c> at
    /// <c>(oy + ⌊ky/s⌋, ox + ⌊kx/s⌋)</c>, so each of its output rows is added to a contiguous run of a phase row, a vector at a
    /// time; then each input row is read back out of its phases (padding dropped). Each input value receives its taps in tap
    /// order, starting from zero: deterministic, and the same sums a gather in tap order would make. The phase planes of one
    /// channel stay in cache while its taps stream through; channels are shared among threads
    /// (<see cref="KernelParallelism"/>), each writing its own. A kernel no wider than the stride (ResNet's 1×1 stride 2) gives
    /// each input value one tap or none: its rows of <c>dcol</c> are spread straight into the input rows, no sums. A first
    /// layer's product (ResNet's 7×7 stride 2: 7.4 MB of dcol) runs in bands of output rows, each added into every channel's
    /// phase planes while it is in cache, shared among threads by phase plane; other large products run in chunks of channels,
    /// each chunk's rows gathered while in cache.</para>
    /// </remarks>
    internal static unsafe class ConvolutionByTaps
    {
        private struct Job<T> where T : unmanaged
        {
            public T* Dcol;
            public int Ldc;
            public T* Dx;
            public ConvolutionGeometry Geometry;
            /// <summary>Banded: every channel's phase planes, and the output rows of the band in <c>Dcol</c>.</summary>
            public T* Sums;
            public int FirstRow;
            public int EndRow;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void BackwardInput<T, TV, S>(T* dy, T* w, T* dx, in ConvolutionGeometry g, int group)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            int channels = g.GroupChannels, height = g.Height, width = g.Width, filters = g.GroupFilters, weightStride = g.Filters;
            int k = g.Kernel, oh = g.OutputHeight, ow = g.OutputWidth;
            dy += (long)group * filters * oh * ow;
            w += group * filters;
            dx += (long)group * channels * height * width;
            int vl = S.Count;
            int positions = oh * ow, vectors = (positions + vl - 1) / vl, ldb = vectors * vl;

            // B[f, q] = dy[f, q]: read in place when the planes are whole vectors (the product reads B a vector at a time),
            // else staged with zeros after each plane.
            T* b = dy;
            if (ldb != positions)
            {
                b = Scratch<T>.First((long)filters * ldb + vl);
                for (int f = 0; f < filters; f++) Rows.CopyPadded<T, TV, S>(dy + f * positions, positions, b + f * ldb, ldb);
            }

            int taps = channels * k * k;
            int* aOff = Scratch<int>.First(filters);
            int* bOff = Scratch<int>.Second(filters);
            for (int f = 0; f < filters; f++)
            {
                aOff[f] = f;        // A[tap, f] = W[f, tap] at tap·F + f: row stride F
                bOff[f] = f * ldb;
            }
            int threads = KernelParallelism.Threads((long)taps * positions);
            int s = g.Stride, bandRows = BandRows(taps, oh, ow, b == dy ? vl : 1, sizeof(T));
            long sumsLength = (long)channels * s * s * Phases.Of(g).Plane;
            if (bandRows < oh && k > s && (long)taps * filters * sizeof(T) <= BandWeightBytes && !t_unbanded
                && sumsLength + vl <= (long)taps * ldb) // within the dcol KernelScratch counts
            {
                // A first layer (few channels, so few taps: its weights are a small A that every band reads again) in bands of
                // output rows, each band's dcol still in cache when col2im reads it (ResNet's 7×7: 7.4 MB of dcol, 10 % faster
                // so; 3×3 stride-2 layers of 128 channels, whose 0.6 MB of weights each band reads again, ran 24 % slower).
                // From the last band to the first: tap ky of input row iy comes from output row (iy + pt − ky)/s, so the later
                // band holds the smaller ky, and every input value still receives its taps in tap order (the bits of the whole
                // product's col2im). A band reads B up to a vector past its end: within dy read in place (bands of whole vectors,
                // BandRows), or into the next plane or the slack of the staged copy, feeding only columns no band reads back.
                int bandLdc = (bandRows * ow + vl - 1) / vl * vl;
                var banded = new Job<T> { Dcol = Scratch<T>.Second((long)taps * bandLdc), Ldc = bandLdc, Dx = dx, Geometry = g };
                banded.Sums = Scratch<T>.Fourth(sumsLength + vl);
                new Span<T>(banded.Sums, (int)sumsLength).Clear();
                for (int first = (oh - 1) / bandRows * bandRows; first >= 0; first -= bandRows)
                {
                    banded.FirstRow = first;
                    banded.EndRow = Math.Min(oh, first + bandRows);
                    int bandVectors = ((banded.EndRow - first) * ow + vl - 1) / vl;
                    Tiles.Multiply<T, TV, S>(w, aOff, weightStride, taps, b + first * ow, bOff, filters, bandVectors, banded.Dcol, bandLdc);
                    KernelParallelism.For(channels * s * s, threads, &AddBand<T, TV, S>, &banded);
                }
                KernelParallelism.ForRanges(channels * height, threads, &MergeRows<T>, &banded);
                return;
            }

            // In chunks of channels, each chunk's rows of dcol gathered (col2im, channel by channel) while they are in cache:
            // ResNet-50's layer2 3×3 stride 2 makes 3.6 MB of dcol (3–4 % faster so). A chunk's rows are the same sums as the
            // whole product's (rows are independent), and each reads the weights of its own taps: A is still read once, B once
            // per chunk, so only a B that stays in cache is read again (a 1×1 stride-2 layer's 1.6 MB of dy was not).
            bool chunked = !t_unbanded && (long)filters * ldb * sizeof(T) <= ChunkedGradientBytes;
            int chunk = chunked ? (int)Math.Clamp(ConvolutionKernels.BandBytes / ((long)k * k * ldb * sizeof(T)), 1, channels) : channels;
            var job = new Job<T> { Dcol = Scratch<T>.Second((long)chunk * k * k * ldb), Ldc = ldb, Geometry = g };
            for (int first = 0; first < channels; first += chunk)
            {
                int count = Math.Min(chunk, channels - first);
                Tiles.Multiply<T, TV, S>(w + (long)first * k * k * weightStride, aOff, weightStride, count * k * k, b, bOff, filters, vectors, job.Dcol, ldb);
                job.Dx = dx + (long)first * height * width;
                if (k <= s && !t_summed) KernelParallelism.For(count, threads, &Scatter<T, TV, S>, &job);
                else KernelParallelism.For(count, threads, &Col2Im<T, TV, S>, &job);
            }
        }

        /// <summary>The largest output gradient (the product's B, which every chunk of channels reads again) run in chunks: one that stays in L2.</summary>
        private const long ChunkedGradientBytes = 512 * 1024;

        /// <summary>The largest weights (the product's A, which every band reads again) run in bands: a quarter of a band's dcol.</summary>
        private const long BandWeightBytes = 128 * 1024;

        /// <summary>Set on a thread to run the product whole, then col2im (no bands of rows, no chunks of channels): benchmarks' A/B comparisons, tests.</summary>
        [ThreadStatic] internal static bool t_unbanded;

        /// <summary>
        /// Output rows per band: about <see cref="ConvolutionKernels.BandBytes"/> of dcol, in a multiple of rows whose positions fill whole vectors
        /// of <paramref name="lanes"/> (each band's B then starts on a vector of the whole product's, and reads nothing past it).
        /// </summary>
        private static int BandRows(int taps, int oh, int ow, int lanes, int valueBytes)
        {
            int unit = lanes / (int)BigInteger.GreatestCommonDivisor(ow, lanes);
            long rows = ConvolutionKernels.BandBytes / Math.Max(1, (long)taps * ow * valueBytes);
            return (int)Math.Min(oh, Math.Max(unit, rows / unit * unit));
        }

        /// <summary>Phase <c>unit mod s²</c> of channel <c>unit / s²</c>: the band's rows of the taps that land in it, in tap order.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void AddBand<T, TV, S>(void* context, int unit)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            ref Job<T> job = ref Unsafe.AsRef<Job<T>>(context);
            ref ConvolutionGeometry g = ref job.Geometry;
            int s = g.Stride, c = unit / (s * s), phase = unit % (s * s);
            Phases phases = Phases.Of(g);
            AddTaps<T, TV, S>(job.Sums + (long)c * s * s * phases.Plane, job.Dcol + (long)c * g.Kernel * g.Kernel * job.Ldc, job.Ldc, g, phases.Width, phases.Plane,
                phase / s, phase % s, s, job.FirstRow, job.EndRow);
        }

        /// <summary>Input rows <c>[first, end)</c> of all channels (row <c>c·H + iy</c>) out of the banded sums.</summary>
        private static void MergeRows<T>(void* context, int first, int end) where T : unmanaged, IFloatingPointIeee754<T>
        {
            ref Job<T> job = ref Unsafe.AsRef<Job<T>>(context);
            ref ConvolutionGeometry g = ref job.Geometry;
            Phases phases = Phases.Of(g);
            for (int row = first; row < end; row++)
            {
                int c = row / g.Height;
                MergeRow(job.Sums + (long)c * g.Stride * g.Stride * phases.Plane, g, phases.Width, phases.Plane, row % g.Height, job.Dx + (long)row * g.Width);
            }
        }

        /// <summary>
        /// Output rows <c>[first, end)</c> of channel's taps <c>(ky, kx)</c> from <c>(ky0, kx0)</c> in steps of <paramref name="step"/>
        /// (1: all of them; s: those of one phase), in tap order, each added to its phase plane in <paramref name="sums"/>;
        /// <paramref name="taps"/> holds the channel's tap rows, <paramref name="ldc"/> apart, from output row <paramref name="first"/>.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void AddTaps<T, TV, S>(T* sums, T* taps, int ldc, in ConvolutionGeometry g, int rowStride, int plane, int ky0, int kx0, int step, int first, int end)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            int k = g.Kernel, s = g.Stride, ow = g.OutputWidth;
            for (int ky = ky0; ky < k; ky += step)
            {
                for (int kx = kx0; kx < k; kx += step)
                {
                    T* tap = taps + (long)(ky * k + kx) * ldc - (long)first * ow;
                    T* target = sums + (ky % s * s + kx % s) * plane + ky / s * rowStride + kx / s;
                    for (int oy = first; oy < end; oy++) Rows.Add<T, TV, S>(target + oy * rowStride, tap + oy * ow, ow);
                }
            }
        }

        /// <summary>Input row <paramref name="iy"/> of a channel out of its phase planes in <paramref name="sums"/>, padding dropped.</summary>
        private static void MergeRow<T>(T* sums, in ConvolutionGeometry g, int rowStride, int plane, int iy, T* dx) where T : unmanaged, IFloatingPointIeee754<T>
        {
            int row = iy + g.PadTop, s = g.Stride;
            PhaseRows.Merge(sums + row % s * s * plane + row / s * rowStride, plane, s, g.PadLeft, dx, g.Width);
        }

        /// <summary>Set on a thread to gather kernels no wider than the stride through the phase sums too (<see cref="Col2Im{T, TV, S}"/>): benchmarks' A/B comparisons, tests.</summary>
        [ThreadStatic] internal static bool t_summed;

        /// <summary>
        /// Channel <paramref name="c"/>'s input gradient where the kernel is no wider than the stride (ResNet's 1×1 stride 2):
        /// each input value comes from one tap or none, so there is nothing to sum. Each input row is its tap's output row of
        /// <c>dcol</c> for each kx, merged as column phases (zeros in the phases no tap reaches), or zeros. The same bits as
        /// <see cref="Col2Im{T, TV, S}"/>'s <c>0 + v</c>: a product's sum starts from +0, so no value of <c>dcol</c> is −0.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Scatter<T, TV, S>(void* context, int c)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            ref Job<T> job = ref Unsafe.AsRef<Job<T>>(context);
            ref ConvolutionGeometry g = ref job.Geometry;
            int height = g.Height, width = g.Width, k = g.Kernel, s = g.Stride, oh = g.OutputHeight, ow = g.OutputWidth;
            int phaseWidth = Phases.Of(g).Width; // at least ow, and every column of the padded row
            T* phases = Scratch<T>.Third((long)s * phaseWidth + S.Count);
            new Span<T>(phases, s * phaseWidth).Clear(); // rows only ever write the first ow values of the first k phases
            T* taps = job.Dcol + (long)c * k * k * job.Ldc;
            T* dx = job.Dx + (long)c * height * width;
            for (int iy = 0; iy < height; iy++, dx += width)
            {
                int ky = (iy + g.PadTop) % s, oy = (iy + g.PadTop) / s;
                if (ky >= k || oy >= oh)
                {
                    new Span<T>(dx, width).Clear();
                    continue;
                }
                for (int kx = 0; kx < k; kx++) Rows.CopyPaddedExact<T, TV, S>(taps + (ky * k + kx) * job.Ldc + oy * ow, ow, phases + kx * phaseWidth, ow);
                PhaseRows.Merge(phases, phaseWidth, s, g.PadLeft, dx, width);
            }
        }

        /// <summary>Channel <paramref name="c"/>'s input gradient from its taps' rows of <c>dcol</c> (see the class remarks).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Col2Im<T, TV, S>(void* context, int c)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            ref Job<T> job = ref Unsafe.AsRef<Job<T>>(context);
            ref ConvolutionGeometry g = ref job.Geometry;
            int height = g.Height, width = g.Width, k = g.Kernel, s = g.Stride, oh = g.OutputHeight, ow = g.OutputWidth;
            Phases phases = Phases.Of(g);
            int plane = phases.Plane, rowStride = phases.Width;
            T* sums = Scratch<T>.Third((long)s * s * plane + S.Count);
            new Span<T>(sums, s * s * plane).Clear();
            AddTaps<T, TV, S>(sums, job.Dcol + (long)c * k * k * job.Ldc, job.Ldc, g, rowStride, plane, 0, 0, 1, 0, oh);
            T* dx = job.Dx + (long)c * height * width;
            for (int iy = 0; iy < height; iy++) MergeRow(sums, g, rowStride, plane, iy, dx + iy * width);
        }
    }
}
