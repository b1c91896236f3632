using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Relucent.Kernels
{
    /// <summary>
    /// 3×3, stride-1 convolution by Winograd's minimal filtering F(2×2, 3×3) (Lavin &amp; Gray 2016), float on AVX-512:
    /// each 2×2 block of outputs comes from a 4×4 block of input with 16 multiplies per channel pair instead of 36, so the
    /// matrix products do 2.25× fewer multiply-adds than the direct convolution.
    /// </summary>
    /// <remarks>
    /// <para>Per call: the weights are transformed (<c>U = G g Gᵀ</c>, 4×4 per channel pair) unless the caller kept them
    /// transformed (<see cref="WinogradWeights"/>, as generated networks do), the input is staged with its zero border and
    /// transformed tile by tile (<c>V = Bᵀ d B</c>), 16 independent products <c>M_ξ = U_ξ · V_ξ</c> over the input channels
    /// run on the register tiles of <see cref="Tiles"/>, and the output is transformed back (<c>Y = Aᵀ M A</c>), cropped and
    /// biased (the input gradient's rule below the layer applied to each plane as it is written). The transforms use only
    /// additions, subtractions and halvings (exact scalings by 1/2). The input gradient is the same computation on the
    /// output gradient, with the weights flipped and their channel roles swapped, and a border of <c>2 − p</c>; it reads the
    /// forward transform's planes in a permuted order (<see cref="FlippedPlanes"/>).</para>
    /// <para>Rounding differs from the direct convolution's (the sums are regrouped: errors stay within a few ulp of the
    /// products' magnitude); every step is a fixed sequence, so results are deterministic. Scratch: per-thread buffers
    /// (<see cref="Scratch{T}"/>), nothing allocated per call.</para>
    /// </remarks>
    internal static unsafe class Winograd
    {
        /// <summary>Off with RELUCENT_WINOGRAD=0 (the direct convolution then runs everywhere), for comparisons.</summary>
        private static readonly bool s_enabled = Environment.GetEnvironmentVariable("RELUCENT_WINOGRAD") != "0";

        /// <summary>Set on a thread to run the direct convolution there instead (benchmarks' A/B comparisons); per thread, so
        /// no caller changes another's path.</summary>
        [ThreadStatic] internal static bool t_off;

        /// <summary>Set on a thread to read prepared weights in place, not from their row-tile panels: benchmarks' A/B comparisons, tests.</summary>
        /// <remarks>Prepared weights then come in place (<see cref="WinogradWeights"/> unpacks a copy from the panels the first time).</remarks>
        [ThreadStatic] internal static bool t_unpanelled;

        /// <summary>
        /// Whether a convolution goes through Winograd: float on AVX-512, 3×3, stride 1, padding ≤ 2 on every side, and enough
        /// channels and filters per group to fill the tiles (at least 8 of each).
        /// </summary>
        public static bool Applies<T>(in ConvolutionGeometry g) => typeof(T) == typeof(float) && !t_off && Fits(g);

        /// <summary>Whether float convolutions of this geometry go through Winograd on this machine (whatever a thread's switch says).</summary>
        public static bool Fits(in ConvolutionGeometry g)
        {
            return s_enabled && SimdWidth.Use512 && g.Kernel == 3 && g.Stride == 1
                && g.PadTop <= 2 && g.PadLeft <= 2 && g.PadBottom <= 2 && g.PadRight <= 2
                && g.GroupChannels >= 8 && g.GroupFilters >= 8 && g.OutputHeight >= 2 && g.OutputWidth >= 2;
        }

        /// <summary>Floats between the 16 planes of one group's transformed weights (a spare cache line apart, as for V and M).</summary>
        public static int WeightPlane(in ConvolutionGeometry g) => g.GroupChannels * g.GroupFilters + 16;

        /// <summary>
        /// Floats between the 16 planes of one group's row-tile panels in each direction (<see cref="APanel.PackInto{T}"/>):
        /// forward the group's filters in tiles of <c>TileRows</c>, channel after channel; for the input gradient its channels in
        /// tiles, filter after filter. <paramref name="rows"/>, <paramref name="taps"/>: the direction's product's.
        /// </summary>
        internal static long PanelPlane(int rows, int taps) => APanel.Length(rows, taps, Simd512<float>.TileRows);

        /// <summary>Floats a preparation holds: every group's forward panels, then every group's input-gradient panels.</summary>
        public static long PreparedLength(in ConvolutionGeometry g) =>
            16L * (PanelPlane(g.GroupFilters, g.GroupChannels) + PanelPlane(g.GroupChannels, g.GroupFilters)) * g.Groups;

        /// <summary>Floats the transformed weights of every group hold in place (<see cref="TransformWeights(float*, in ConvolutionGeometry, float*)"/>).</summary>
        public static long InPlaceLength(in ConvolutionGeometry g) => 16L * WeightPlane(g) * g.Groups;

        /// <summary>
        /// The transformed weights of every group (<c>U = G g Gᵀ</c>) in place: group after group, <c>16·</c><see cref="WeightPlane"/>
        /// floats each, plane <c>ξ</c> holding <c>U_ξ[c·F + f]</c> (filters contiguous), as the kernels make them per call.
        /// </summary>
        public static void TransformWeights(float* weight, in ConvolutionGeometry g, float* u)
        {
            int plane = WeightPlane(g);
            for (int group = 0; group < g.Groups; group++)
                TransformWeights(weight + group * g.GroupFilters, g.Filters, 0, g.GroupChannels, g.GroupFilters, u + 16L * plane * group, plane);
        }

        /// <summary>
        /// The transformed weights of every group laid out for the products that read them (<see cref="PreparedLength"/> floats),
        /// each direction's planes in row-tile panels (<see cref="APanel"/>) of its own rows: the forward products' rows are
        /// filters and step over the channels; in place (filters contiguous) each step would take a new cache line a whole row of
        /// filters further on (ResNet's layer4 at 7×7 ran its products at 60–70 GFLOP/s on that). The input gradient's rows are
        /// channels and step over the filters; in place it reads them as 8 streams, in its own panels as one (layer4: 1.7 → 1.4 ms),
        /// and the forward panels read across (8 channels' values 32 bytes apart, a tile of filters further on) are no faster than
        /// in place. The panels hold the transform's values unchanged: the products give the same bits.
        /// <paramref name="inPlace"/>: <see cref="InPlaceLength"/> floats that keep the transform in place too, or null.
        /// </summary>
        public static void Prepare(float* weight, in ConvolutionGeometry g, float* prepared, float* inPlace)
        {
            int plane = WeightPlane(g);
            // One group's transform at a time when nothing keeps it: pooled, as ParametersChanged may run after every step.
            float[]? rented = inPlace == null ? ArrayPool<float>.Shared.Rent(checked(16 * plane)) : null;
            try
            {
                fixed (float* scratch = rented)
                {
                    for (int group = 0; group < g.Groups; group++)
                    {
                        float* u = inPlace != null ? inPlace + 16L * plane * group : scratch;
                        TransformWeights(weight + group * g.GroupFilters, g.Filters, 0, g.GroupChannels, g.GroupFilters, u, plane);
                        Lay(u, g, group, prepared, unpack: false);
                    }
                }
            }
            finally
            {
                if (rented != null) ArrayPool<float>.Shared.Return(rented);
            }
        }

        /// <summary>
        /// The transformed weights in place (<see cref="TransformWeights(float*, in ConvolutionGeometry, float*)"/>'s layout) back from
        /// a preparation's forward panels: the layout the kernels read under <see cref="t_unpanelled"/>.
        /// </summary>
        public static void Unpanel(float* prepared, in ConvolutionGeometry g, float* u)
        {
            for (int group = 0; group < g.Groups; group++) Lay(u + 16L * WeightPlane(g) * group, g, group, prepared, unpack: true);
        }

        /// <summary>Group <paramref name="group"/>'s planes <paramref name="u"/> in place into both directions' panels, or back from the forward ones.</summary>
        private static void Lay(float* u, in ConvolutionGeometry g, int group, float* prepared, bool unpack)
        {
            int plane = WeightPlane(g), cin = g.GroupChannels, fo = g.GroupFilters, tileRows = Simd512<float>.TileRows;
            int[] forwardOff = new int[cin], backwardOff = new int[fo];
            for (int c = 0; c < cin; c++) forwardOff[c] = c * fo; // forward: A[f, c] = U[c·F + f], rows one value apart
            for (int f = 0; f < fo; f++) backwardOff[f] = f;        // input gradient: A[c, f] = U[c·F + f], rows F apart
            fixed (int* forward = forwardOff, backward = backwardOff)
            {
                for (int xi = 0; xi < 16; xi++)
                {
                    float* ui = u + (long)xi * plane, forwardPanel = Panels(prepared, g, group, flip: false) + xi * PanelPlane(fo, cin);
                    if (unpack)
                    {
                        APanel.UnpackFrom(forwardPanel, forward, 1, fo, cin, tileRows, ui);
                        continue;
                    }
                    APanel.PackInto(ui, forward, 1, fo, cin, tileRows, forwardPanel);
                    APanel.PackInto(ui, backward, fo, cin, fo, tileRows, Panels(prepared, g, group, flip: true) + xi * PanelPlane(cin, fo));
                }
            }
        }

        /// <summary>Group <paramref name="group"/>'s 16 planes of panels for one direction in a preparation (<see cref="Prepare"/>).</summary>
        private static float* Panels(float* prepared, in ConvolutionGeometry g, int group, bool flip)
        {
            long forward = PanelPlane(g.GroupFilters, g.GroupChannels), backward = PanelPlane(g.GroupChannels, g.GroupFilters);
            return flip ? prepared + 16L * forward * g.Groups + 16L * backward * group : prepared + 16L * forward * group;
        }

        /// <summary>
        /// <c>y = conv(x, W) + b</c> for group <paramref name="group"/> (its channels, filters and weight columns), then the
        /// <paramref name="rectifier"/>. <paramref name="prepared"/>: every group's transformed weights in panels
        /// (<see cref="Prepare"/>), or in place under <see cref="t_unpanelled"/> (<see cref="TransformWeights(float*, in ConvolutionGeometry, float*)"/>),
        /// or null to transform them here.
        /// </summary>
        public static void Forward(float* x, float* w, float* prepared, float* bias, float* y, in ConvolutionGeometry g, int group, Rectifier rectifier)
        {
            int cin = g.GroupChannels, fo = g.GroupFilters;
            float* inPlace = Ready(prepared, g, group, flip: false, out float* panels);
            Convolve(x + (long)group * cin * g.Height * g.Width, cin, g.Height, g.Width, g.PadTop, g.PadLeft, w + group * fo, g.Filters, fo, inPlace, panels, flip: false,
                bias == null ? null : bias + group * fo, rectifier, ReluStep<float>.None, y + (long)group * fo * g.OutputHeight * g.OutputWidth, fo, g.OutputHeight, g.OutputWidth, cin);
        }

        /// <summary>
        /// <c>dx = convᵀ(dy, W)</c> for group <paramref name="group"/>: a correlation of the output gradient, padded by 2 − p
        /// above and left, with the flipped, transposed weights; <paramref name="prepared"/> as for <see cref="Forward"/>. The
        /// <paramref name="rule"/> of a rectifier below the layer (over the whole input gradient) is applied to each channel's
        /// plane as it is written, while in cache: the same bits as one pass afterwards.
        /// </summary>
        public static void BackwardInput(float* dy, float* w, float* prepared, float* dx, in ConvolutionGeometry g, int group, ReluStep<float> rule)
        {
            int cin = g.GroupChannels, fo = g.GroupFilters;
            float* inPlace = Ready(prepared, g, group, flip: true, out float* panels);
            Convolve(dy + (long)group * fo * g.OutputHeight * g.OutputWidth, fo, g.OutputHeight, g.OutputWidth, 2 - g.PadTop, 2 - g.PadLeft, w + group * fo, g.Filters, fo, inPlace, panels, flip: true,
                null, Rectifier.None, rule.Offset(group * cin * g.Height * g.Width), dx + (long)group * cin * g.Height * g.Width, cin, g.Height, g.Width, cin);
        }

        /// <summary>Group <paramref name="group"/>'s prepared weights for one direction: in place under <see cref="t_unpanelled"/>, else (null, and) its <paramref name="panels"/>.</summary>
        private static float* Ready(float* prepared, in ConvolutionGeometry g, int group, bool flip, out float* panels)
        {
            panels = prepared == null || t_unpanelled ? null : Panels(prepared, g, group, flip);
            return prepared == null || !t_unpanelled ? null : prepared + 16L * WeightPlane(g) * group;
        }

        /// <summary>
        /// Where each transformed plane <c>ξ = 4i + j</c> of the input and of the product is kept, forward and flipped. Flipping
        /// a 3×3 kernel swaps the first and last rows of <c>G</c> (<c>G·J = P·G</c>, <c>P</c> exchanging rows 0 and 3), so the
        /// flipped kernel's <c>U'_ξ</c> is the forward <c>U</c> at <c>π(ξ) = 4p(i) + p(j)</c>, <c>p = (3, 1, 2, 0)</c>. The input
        /// gradient therefore reads the same transformed weights as the forward pass: product <c>η</c> multiplies <c>U_η</c> by the
        /// input's plane <c>π(η)</c> and gives the output's plane <c>π(η)</c>, so the input's and output's planes are kept at
        /// their permuted places (π is its own inverse) and the batch of products runs unchanged.
        /// </summary>
        private static ReadOnlySpan<byte> FlippedPlanes => new byte[] { 15, 13, 14, 12, 7, 5, 6, 4, 11, 9, 10, 8, 3, 1, 2, 0 };

        private static ReadOnlySpan<byte> ForwardPlanes => new byte[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };

        /// <summary>
        /// <paramref name="outChannels"/> planes of <c>oh × ow</c> from <paramref name="inChannels"/> planes of <c>h × w</c> padded
        /// by <paramref name="padTop"/> rows above and <paramref name="padLeft"/> columns on the left (and zeros as far as the
        /// tiles reach below and right). The weight is the convolution's column-major <c>[F, channels·9]</c>: <paramref name="filters"/>
        /// columns <paramref name="weightStride"/> apart per tap; forward, input channels are its channels and outputs its
        /// filters; flipped (input gradient), the roles swap and taps reverse. <paramref name="panels"/>: the prepared planes
        /// in row-tile panels of this direction's rows, read instead of <paramref name="prepared"/>'s, or null.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // as ConvolutionKernels' drivers: no tiering, no dynamic PGO
        private static void Convolve(float* input, int inChannels, int h, int w, int padTop, int padLeft, float* weight, int weightStride, int filters, float* prepared, float* panels, bool flip,
            float* bias, Rectifier rectifier, ReluStep<float> rule, float* output, int outChannels, int oh, int ow, int channels)
        {
            var job = new Job
            {
                Input = input, InChannels = inChannels, H = h, W = w, PadTop = padTop, PadLeft = padLeft, Weight = weight, WeightStride = weightStride,
                Filters = filters, Bias = bias, Rectifier = rectifier, Rule = rule, Output = output, OutChannels = outChannels, OH = oh, OW = ow, Channels = channels,
            };
            byte* planes = stackalloc byte[16];
            (flip ? FlippedPlanes : ForwardPlanes).CopyTo(new Span<byte>(planes, 16));
            job.Planes = planes;
            job.Grid = new WinogradGrid(2, oh, ow);
            int threads = KernelParallelism.Threads(16L * inChannels * outChannels * job.Grid.TilesPadded);

            // Staged input with its zero border (and zero rows/columns past an odd output size); 64 values of slack so the
            // last tile row's vector loads stay inside the buffer (their extra lanes are dropped).
            job.Xs = Scratch<float>.First((long)inChannels * job.Grid.Plane + 64);
            new Span<float>(job.Xs + inChannels * job.Grid.Plane, 64).Clear();

            // U[ξ][c][f], ξ = 4i + j: the transformed 3×3 kernel of (channel c, filter f), f contiguous; the forward kernel's
            // also when flipped (FlippedPlanes). Ready when the network prepared it, else made here.
            job.UStride = channels * filters + 16; // a spare cache line between the planes of ξ, as for V and M below
            // Not at all when the products read the prepared panels instead.
            job.U = prepared != null || panels != null ? prepared : Scratch<float>.Fourth(16L * job.UStride);

            // V[ξ][ci][tile]: the transformed 4×4 input blocks, tiles in row-major order, padded to whole vectors. The 16
            // planes of ξ are written (and M's read) together: one spare cache line between planes keeps power-of-two
            // plane sizes from mapping all 16 onto one L1 set.
            job.VStride = inChannels * job.Grid.ChannelStride + 16;
            job.V = Scratch<float>.Second(16L * job.VStride);

            // Each channel's staging and transforms are independent: shared among threads by ranges of channels.
            job.Chunk = Chunk(inChannels, threads);
            KernelParallelism.For((inChannels + job.Chunk - 1) / job.Chunk, threads, &StageAndTransformInput, &job);
            if (prepared == null && panels == null)
            {
                job.WeightChunk = Chunk(channels, threads);
                KernelParallelism.For((channels + job.WeightChunk - 1) / job.WeightChunk, threads, &TransformWeightsPiece, &job);
            }

            // M_ξ[co][tile] = Σ_ci U_ξ[co, ci] · V_ξ[ci][tile], one product per ξ, the 16 shared among threads as one job.
            int mStride = outChannels * job.Grid.TilesPadded + 16;
            job.MStride = mStride;
            job.M = Scratch<float>.Third(16L * mStride + 16); // + the last tile row's overhanging lanes
            WinogradProducts.Multiply(16, job.U, job.UStride, panels, filters, flip, job.V, job.VStride, job.Grid.ChannelStride, inChannels, job.M, mStride, outChannels, job.Grid.TilesPadded);

            job.OutputChunk = Chunk(outChannels, threads);
            KernelParallelism.For((outChannels + job.OutputChunk - 1) / job.OutputChunk, threads, &TransformOutputPiece, &job);
        }

        internal static int Chunk(int count, int threads) => threads <= 1 ? count : Math.Max(1, (count + 4 * threads - 1) / (4 * threads));

        private struct Job
        {
            public float* Input, Weight, Bias, Output, Xs, U, V, M;
            public byte* Planes; // where plane ξ of V and M is kept (ForwardPlanes or FlippedPlanes)
            public int InChannels, H, W, PadTop, PadLeft, WeightStride, Filters, OutChannels, OH, OW, Channels;
            public Rectifier Rectifier;
            public ReluStep<float> Rule; // the input gradient's rule below the layer (None forward)
            public WinogradGrid Grid;
            public int UStride, VStride, MStride, Chunk, WeightChunk, OutputChunk;
        }

        /// <summary>Input channels <c>[p·Chunk, (p+1)·Chunk)</c>: staged with their zero border, then transformed.</summary>
        private static void StageAndTransformInput(void* context, int piece)
        {
            ref Job job = ref Unsafe.AsRef<Job>(context);
            int first = piece * job.Chunk, end = Math.Min(job.InChannels, first + job.Chunk);
            Stage(job.Input, first, end, job.H, job.W, job.PadTop, job.PadLeft, job.Xs, job.Grid.Plane, job.Grid.HS, job.Grid.WS);
            TransformInput(job.Xs, first, end, job.Grid.Plane, job.Grid.WS, job.Grid.TH, job.Grid.TW, job.V, job.Grid.TilesPadded, job.Grid.ChannelStride, job.VStride, job.Planes);
        }

        private static void TransformWeightsPiece(void* context, int piece)
        {
            ref Job job = ref Unsafe.AsRef<Job>(context);
            int first = piece * job.WeightChunk, end = Math.Min(job.Channels, first + job.WeightChunk);
            TransformWeights(job.Weight, job.WeightStride, first, end, job.Filters, job.U, job.UStride);
        }

        private static void TransformOutputPiece(void* context, int piece)
        {
            ref Job job = ref Unsafe.AsRef<Job>(context);
            int first = piece * job.OutputChunk, end = Math.Min(job.OutChannels, first + job.OutputChunk);
            TransformOutput(job.M, first, end, job.Grid.TilesPadded, job.MStride, job.Grid.TH, job.Grid.TW, job.Bias, job.Rectifier, job.Rule, job.Output, job.OH, job.OW, job.Planes);
        }

        /// <summary>
        /// Input channels <c>[first, end)</c> of <c>h × w</c> staged with their zero border into planes of <paramref name="hs"/> rows
        /// of <paramref name="ws"/>, <paramref name="plane"/> apart: <paramref name="padTop"/> rows and <paramref name="padLeft"/>
        /// columns of zeros before the input, zeros after it as far as the tiles reach.
        /// </summary>
        internal static void Stage(float* input, int first, int end, int h, int w, int padTop, int padLeft, float* xs, int plane, int hs, int ws)
        {
            // Input rows that only outputs past the last would read (a bottom padding below 2 of the input gradient): not staged.
            int rows = Math.Min(h, hs - padTop);
            int below = hs - padTop - rows; // ≥ 0: the tiles cover the padded input
            for (int c = first; c < end; c++)
            {
                float* target = xs + c * plane;
                new Span<float>(target, padTop * ws).Clear(); // the rows above
                for (int iy = 0; iy < rows; iy++) StageRow(input + (c * h + iy) * w, w, padLeft, target + (iy + padTop) * ws, ws);
                new Span<float>(target + (padTop + rows) * ws, below * ws).Clear(); // the rows below (and the last row's overhang)
            }
        }

        /// <summary>
        /// One staged row: <paramref name="pad"/> zeros, the <paramref name="w"/> values of <paramref name="source"/>, zeros to
        /// <paramref name="width"/>, in whole vectors read through a mask (lanes outside the row are neither read nor
        /// kept). Up to 15 values past <paramref name="width"/> are written (zeros): the next row, written afterwards, covers them.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void StageRow(float* source, int w, int pad, float* target, int width)
        {
            Vector512<int> lanes = Vector512<int>.Indices;
            for (int o = 0; o < width; o += 16)
            {
                // Lane j holds column o + j − pad of the source row when that is inside [0, w).
                Vector512<int> column = lanes + Vector512.Create(o - pad);
                Vector512<float> inside = (Vector512.GreaterThanOrEqual(column, Vector512<int>.Zero) & Vector512.LessThan(column, Vector512.Create(w))).AsSingle();
                Avx512F.MaskLoad(source + o - pad, inside, Vector512<float>.Zero).Store(target + o);
            }
        }

        /// <summary><c>U = G g Gᵀ</c> with <c>G = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]]</c>, 16 filters at a time.</summary>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static void TransformWeights(float* w, int weightStride, int firstChannel, int endChannel, int filters, float* u, int pairs)
        {
            Vector512<float> half = Vector512.Create(0.5f);
            for (int c = firstChannel; c < endChannel; c++)
            {
                for (int f0 = 0; f0 < filters; f0 += 16)
                {
                    int count = Math.Min(16, filters - f0);
                    // g[a][b] = W[f, c, a, b] for 16 filters.
                    Vector512<float> g00 = Tap(w, weightStride, c, 0, 0, f0, count), g01 = Tap(w, weightStride, c, 0, 1, f0, count), g02 = Tap(w, weightStride, c, 0, 2, f0, count);
                    Vector512<float> g10 = Tap(w, weightStride, c, 1, 0, f0, count), g11 = Tap(w, weightStride, c, 1, 1, f0, count), g12 = Tap(w, weightStride, c, 1, 2, f0, count);
                    Vector512<float> g20 = Tap(w, weightStride, c, 2, 0, f0, count), g21 = Tap(w, weightStride, c, 2, 1, f0, count), g22 = Tap(w, weightStride, c, 2, 2, f0, count);
                    // Rows: r[a][j] = (g Gᵀ)[a][j].
                    Vector512<float> r00 = g00, r01 = (g00 + g01 + g02) * half, r02 = (g00 - g01 + g02) * half, r03 = g02;
                    Vector512<float> r10 = g10, r11 = (g10 + g11 + g12) * half, r12 = (g10 - g11 + g12) * half, r13 = g12;
                    Vector512<float> r20 = g20, r21 = (g20 + g21 + g22) * half, r22 = (g20 - g21 + g22) * half, r23 = g22;
                    float* target = u + c * filters + f0;
                    Store(target, 0, pairs, r00, count);
                    Store(target, 1, pairs, r01, count);
                    Store(target, 2, pairs, r02, count);
                    Store(target, 3, pairs, r03, count);
                    Store(target, 4, pairs, (r00 + r10 + r20) * half, count);
                    Store(target, 5, pairs, (r01 + r11 + r21) * half, count);
                    Store(target, 6, pairs, (r02 + r12 + r22) * half, count);
                    Store(target, 7, pairs, (r03 + r13 + r23) * half, count);
                    Store(target, 8, pairs, (r00 - r10 + r20) * half, count);
                    Store(target, 9, pairs, (r01 - r11 + r21) * half, count);
                    Store(target, 10, pairs, (r02 - r12 + r22) * half, count);
                    Store(target, 11, pairs, (r03 - r13 + r23) * half, count);
                    Store(target, 12, pairs, r20, count);
                    Store(target, 13, pairs, r21, count);
                    Store(target, 14, pairs, r22, count);
                    Store(target, 15, pairs, r23, count);
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> Tap(float* w, int weightStride, int c, int a, int b, int f0, int count)
        {
            float* p = w + ((c * 3 + a) * 3 + b) * weightStride + f0;
            return count == 16 ? Vector512.Load(p) : Simd512<float>.LoadFirst(p, count);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Put(float* target, Vector512<float> value) => value.Store(target);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static void Store(float* target, int xi, int stride, Vector512<float> value, int count)
        {
            if (count == 16) value.Store(target + xi * stride);
            else Simd512<float>.StoreFirst(target + xi * stride, value, count);
        }

        /// <summary>
        /// <c>V = Bᵀ d B</c> with <c>Bᵀ = [[1, 0, −1, 0], [0, 1, 1, 0], [0, −1, 1, 0], [0, 1, 0, −1]]</c> for every 4×4 block
        /// <c>d</c> at (2·ty, 2·tx) of the staged input, 16 blocks of a tile row at a time (even and odd columns split by a
        /// two-register permute).
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static void TransformInput(float* xs, int firstChannel, int endChannel, int plane, int ws, int th, int tw, float* v, int tilesPadded, int channelStride, int stride, byte* planes)
        {
            // Each plane's place (ForwardPlanes or FlippedPlanes), as an offset.
            long* at = stackalloc long[16];
            for (int xi = 0; xi < 16; xi++) at[xi] = (long)planes[xi] * stride;
            Vector512<int> even = Vector512<int>.Indices * 2, odd = even + Vector512<int>.One;
            for (int c = firstChannel; c < endChannel; c++)
            {
                float* source = xs + c * plane;
                float* target = v + c * channelStride;
                for (int ty = 0; ty < th; ty++)
                {
                    for (int tx = 0; tx < tw; tx += 16)
                    {
                        float* row = source + 2 * ty * ws + 2 * tx;
                        Rows4(row, even, odd, out Vector512<float> a0, out Vector512<float> a1, out Vector512<float> a2, out Vector512<float> a3);
                        Rows4(row + ws, even, odd, out Vector512<float> b0, out Vector512<float> b1, out Vector512<float> b2, out Vector512<float> b3);
                        Rows4(row + 2 * ws, even, odd, out Vector512<float> c0, out Vector512<float> c1, out Vector512<float> c2, out Vector512<float> c3);
                        Rows4(row + 3 * ws, even, odd, out Vector512<float> d0, out Vector512<float> d1, out Vector512<float> d2, out Vector512<float> d3);
                        float* t = target + ty * tw + tx;
                        // Whole vectors even for a short tile row: the lanes past it land on the next tile row, or the
                        // padding and spare line after the channel's tiles, all written again later (or never read).
                        // Columns V[i][j] = Bᵀ over the four row results.
                        Put(t + at[0], a0 - c0);
                        Put(t + at[1], a1 - c1);
                        Put(t + at[2], a2 - c2);
                        Put(t + at[3], a3 - c3);
                        Put(t + at[4], b0 + c0);
                        Put(t + at[5], b1 + c1);
                        Put(t + at[6], b2 + c2);
                        Put(t + at[7], b3 + c3);
                        Put(t + at[8], c0 - b0);
                        Put(t + at[9], c1 - b1);
                        Put(t + at[10], c2 - b2);
                        Put(t + at[11], c3 - b3);
                        Put(t + at[12], b0 - d0);
                        Put(t + at[13], b1 - d1);
                        Put(t + at[14], b2 - d2);
                        Put(t + at[15], b3 - d3);
                    }
                }
                // The padded tail of each ξ row: zeros, so the products' extra lanes stay finite.
                for (int xi = 0; xi < 16; xi++) new Span<float>(target + at[xi] + th * tw, tilesPadded - th * tw).Clear();
            }
        }

        /// <summary>One input row of 16 blocks through <c>d·B</c>: <c>(d0 − d2, d1 + d2, d2 − d1, d1 − d3)</c>, where <c>dj = row[2·lane + j]</c>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Rows4(float* row, Vector512<int> even, Vector512<int> odd,
            out Vector512<float> t0, out Vector512<float> t1, out Vector512<float> t2, out Vector512<float> t3)
        {
            Vector512<float> lo = Vector512.Load(row), hi = Vector512.Load(row + 16);
            Vector512<float> d0 = Avx512F.PermuteVar16x32x2(lo, even, hi), d1 = Avx512F.PermuteVar16x32x2(lo, odd, hi);
            lo = Vector512.Load(row + 2);
            hi = Vector512.Load(row + 18);
            Vector512<float> d2 = Avx512F.PermuteVar16x32x2(lo, even, hi), d3 = Avx512F.PermuteVar16x32x2(lo, odd, hi);
            t0 = d0 - d2;
            t1 = d1 + d2;
            t2 = d2 - d1;
            t3 = d1 - d3;
        }

        /// <summary>
        /// <c>Y = Aᵀ M A</c> with <c>Aᵀ = [[1, 1, 1, 0], [0, 1, −1, −1]]</c>: each tile's 2×2 outputs, plus the bias, written
        /// interleaved into the output rows and cropped to <c>oh × ow</c>.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static void TransformOutput(float* m, int firstChannel, int endChannel, int tilesPadded, int stride, int th, int tw, float* bias, Rectifier rectifier, ReluStep<float> rule,
            float* y, int oh, int ow, byte* planes)
        {
            long* at = stackalloc long[16]; // each plane's place, as in TransformInput
            for (int xi = 0; xi < 16; xi++) at[xi] = (long)planes[xi] * stride;
            Vector512<int> low = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
            Vector512<int> high = low + Vector512.Create(8);
            float* end = y + endChannel * oh * ow; // this range's last channel: never written past (another thread's may follow)
            for (int c = firstChannel; c < endChannel; c++)
            {
                Vector512<float> b = Vector512.Create(bias == null ? 0f : bias[c]);
                float* source = m + c * tilesPadded;
                float* plane = y + c * oh * ow;
                for (int ty = 0; ty < th; ty++)
                {
                    for (int tx = 0; tx < tw; tx += 16)
                    {
                        float* s = source + ty * tw + tx;
                        // Rows of M A: T[i] = (M_i0 + M_i1 + M_i2, M_i1 − M_i2 − M_i3).
                        Vector512<float> m0 = Vector512.Load(s + at[0]), m1 = Vector512.Load(s + at[1]), m2 = Vector512.Load(s + at[2]), m3 = Vector512.Load(s + at[3]);
                        Vector512<float> t00 = m0 + m1 + m2, t01 = m1 - m2 - m3;
                        m0 = Vector512.Load(s + at[4]); m1 = Vector512.Load(s + at[5]); m2 = Vector512.Load(s + at[6]); m3 = Vector512.Load(s + at[7]);
                        Vector512<float> t10 = m0 + m1 + m2, t11 = m1 - m2 - m3;
                        m0 = Vector512.Load(s + at[8]); m1 = Vector512.Load(s + at[9]); m2 = Vector512.Load(s + at[10]); m3 = Vector512.Load(s + at[11]);
                        Vector512<float> t20 = m0 + m1 + m2, t21 = m1 - m2 - m3;
                        m0 = Vector512.Load(s + at[12]); m1 = Vector512.Load(s + at[13]); m2 = Vector512.Load(s + at[14]); m3 = Vector512.Load(s + at[15]);
                        Vector512<float> t30 = m0 + m1 + m2, t31 = m1 - m2 - m3;
                        // Y[0][·] = T0 + T1 + T2, Y[1][·] = T1 − T2 − T3, then the bias.
                        Vector512<float> y00 = t00 + t10 + t20 + b, y01 = t01 + t11 + t21 + b;
                        Vector512<float> y10 = t10 - t20 - t30 + b, y11 = t11 - t21 - t31 + b;
                        if (rectifier != Rectifier.None)
                        {
                            // The rectifier that follows the layer, applied here rather than in a pass of its own.
                            y00 = Rows.Rectify<float, Vector512<float>, Simd512<float>>(y00, rectifier); y01 = Rows.Rectify<float, Vector512<float>, Simd512<float>>(y01, rectifier);
                            y10 = Rows.Rectify<float, Vector512<float>, Simd512<float>>(y10, rectifier); y11 = Rows.Rectify<float, Vector512<float>, Simd512<float>>(y11, rectifier);
                        }
                        // A whole vector past a row's end lands on the following rows, which are written again later,
                        // except that the upper row's overhang would hit the lower row's start, already written when the
                        // tile row takes more than one vector; and the end of the output is a hard limit.
                        float* first = plane + 2 * ty * ow + 2 * tx;
                        int upper = tw > 16 ? Math.Min(32, ow - 2 * tx) : (int)Math.Min(32, end - first);
                        WriteRow(first, y00, y01, low, high, upper);
                        if (2 * ty + 1 < oh) WriteRow(first + ow, y10, y11, low, high, (int)Math.Min(32, end - (first + ow)));
                    }
                }
                // The plane is final (later channels' overhangs land past it): the rule below, while it is in cache.
                rule.Offset(c * oh * ow).ApplyTo(plane, oh * ow);
            }
        }

        /// <summary>Interleaves the tiles' left and right outputs into one output row, <paramref name="columns"/> of them.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void WriteRow(float* row, Vector512<float> left, Vector512<float> right, Vector512<int> low, Vector512<int> high, int columns)
        {
            Vector512<float> first = Avx512F.PermuteVar16x32x2(left, low, right), second = Avx512F.PermuteVar16x32x2(left, high, right);
            if (columns >= 32)
            {
                first.Store(row);
                second.Store(row + 16);
            }
            else if (columns > 16)
            {
                first.Store(row);
                Simd512<float>.StoreFirst(row + 16, second, columns - 16);
            }
            else
            {
                Simd512<float>.StoreFirst(row, first, columns);
            }
        }
    }
}
