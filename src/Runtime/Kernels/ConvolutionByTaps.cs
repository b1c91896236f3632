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
    /// each input value one tap or none: its rows of <c>dcol</c> are spread straight into the input rows, no sums.</para>
    /// </remarks>
    internal static unsafe class ConvolutionByTaps
    {
        private struct Job<T> where T : unmanaged
        {
            public T* Dcol;
            public int Ldc;
            public T* Dx;
            public ConvolutionGeometry Geometry;
            public int Channels;
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
            T* dcol = Scratch<T>.Second((long)taps * ldb);
            Tiles.Multiply<T, TV, S>(w, aOff, weightStride, taps, b, bOff, filters, vectors, dcol, ldb);

            // col2im, channel by channel.
            var job = new Job<T> { Dcol = dcol, Ldc = ldb, Dx = dx, Geometry = g, Channels = channels };
            int threads = KernelParallelism.Threads((long)taps * positions);
            if (k <= g.Stride && !t_summed) KernelParallelism.For(channels, threads, &Scatter<T, TV, S>, &job);
            else KernelParallelism.For(channels, threads, &Col2Im<T, TV, S>, &job);
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
            T* tap = job.Dcol + (long)c * k * k * job.Ldc;
            for (int ky = 0; ky < k; ky++)
            {
                for (int kx = 0; kx < k; kx++, tap += job.Ldc)
                {
                    T* target = sums + (ky % s * s + kx % s) * plane + ky / s * rowStride + kx / s;
                    for (int oy = 0; oy < oh; oy++) Rows.Add<T, TV, S>(target + oy * rowStride, tap + oy * ow, ow);
                }
            }
            T* dx = job.Dx + (long)c * height * width;
            for (int iy = 0; iy < height; iy++)
            {
                int row = iy + g.PadTop;
                PhaseRows.Merge(sums + row % s * s * plane + row / s * rowStride, plane, s, g.PadLeft, dx + iy * width, width);
            }
        }
    }
}
