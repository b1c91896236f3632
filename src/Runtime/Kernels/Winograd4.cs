using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Relucent.Kernels
{
    /// <summary>
    /// 3×3, stride-1 convolution by Winograd's minimal filtering F(4×4, 3×3) (Lavin &amp; Gray 2016, interpolation points
    /// 0, ±1, ±2, ∞), float on AVX-512: each 4×4 block of outputs comes from a 6×6 block of input with 36 multiplies per
    /// channel pair instead of 144, 2.25 per output against F(2×2, 3×3)'s 4 (<see cref="Winograd"/>) and the direct
    /// convolution's 9.
    /// </summary>
    /// <remarks>
    /// <para>The same pipeline as <see cref="Winograd"/>, on larger blocks: the weights are transformed per call
    /// (<c>U = G g Gᵀ</c>, 6×6 per channel pair), the input is staged with its zero border and transformed block by block
    /// (<c>V = Bᵀ d B</c>), 36 independent products <c>M_ξ = U_ξ · V_ξ</c> over the input channels run on the register tiles
    /// of <see cref="Tiles"/> (vectors along the blocks, 16 to a vector), and the output is transformed back
    /// (<c>Y = Aᵀ M A</c>), cropped, biased and rectified. The input gradient is the same computation on the output gradient
    /// with the weights flipped and their channel roles swapped, and a border of <c>2 − p</c>.</para>
    /// <para>Fewer, longer products trade against a larger transform and a coarser tiling: a map of <c>n × n</c> outputs
    /// makes <c>⌈n/4⌉²</c> blocks, padded to whole vectors of 16, so small maps waste lanes (7×7: 4 blocks in a vector of
    /// 16). <see cref="Pays"/> says where the trade was measured to win.</para>
    /// <para>Rounding: the transforms' coefficients reach 8 (<c>Aᵀ</c>) and 5 (<c>Bᵀ</c>), and <c>G</c> holds 1/6, 1/12 and
    /// 1/24, which float does not represent, so errors are larger than F(2×2, 3×3)'s, though still within a small multiple
    /// of the unit roundoff times the transformed products' absolute sums (the tests check exactly that bound). Every step is
    /// a fixed sequence, so results are deterministic and independent of the thread count. Scratch: the per-thread buffers of
    /// <see cref="Scratch{T}"/>, the same four as <see cref="Winograd"/>; nothing allocated per call.</para>
    /// <para>Weights transformed once per network would enter as <c>U</c> (36 planes of <c>channels × filters</c>, filters
    /// contiguous, a plane per ξ; flipped and role-swapped for the input gradient): <see cref="Convolve"/> would skip
    /// <see cref="TransformWeights"/> and point the products at them.</para>
    /// </remarks>
    internal static unsafe class Winograd4
    {
        /// <summary>Set on a thread to keep F(4×4, 3×3) off there (F(2×2, 3×3) then runs where it applies): benchmarks' A/B comparisons.</summary>
        [ThreadStatic] internal static bool t_off;

        /// <summary>Set on a thread to run F(4×4, 3×3) wherever it can, whatever <see cref="Pays"/> says: tests, and benchmarks' A/B comparisons.</summary>
        [ThreadStatic] internal static bool t_always;

        /// <summary>Counts, on this thread, the calls that ran F(4×4, 3×3): tests check that a case does.</summary>
        [ThreadStatic] internal static int t_calls;

        /// <summary>
        /// Whether a convolution goes through F(4×4, 3×3): where Winograd applies at all (<see cref="Winograd.Applies{T}"/>) and
        /// the larger blocks pay (<see cref="Pays"/>), unless switched per thread.
        /// </summary>
        public static bool Applies<T>(in ConvolutionGeometry g) => !t_off && Winograd.Applies<T>(g) && (t_always || Pays(g));

        /// <summary>
        /// Where F(4×4, 3×3) was measured faster than F(2×2, 3×3) (tests/Benchmarks <c>ab-zoo Winograd4.t_always</c> and
        /// <c>ab-layer</c>, one thread): maps of at least 64 blocks of 4×4 outputs (above 28×28), both directions. At 56×56 and
        /// 112×112 the time fell to 0.5–0.75× (the products do 0.6× F(2×2, 3×3)'s multiply-adds). At 28×28 it was a wash
        /// (0.95–1.05×, 49 blocks pad to 4 vectors where 3 would do), so the better-rounded F(2×2, 3×3) keeps it. On smaller
        /// maps the products are too short for the 36 planes of transformed weights they stream (14×14, 512 → 512: 16
        /// blocks, one vector, against 37.7 MB of <c>U</c>): 1.4–1.7× slower, and 2.5× at 7×7, whose 4 blocks fill a quarter
        /// of a vector.
        /// </summary>
        internal static bool Pays(in ConvolutionGeometry g) => (long)((g.OutputHeight + 3) / 4) * ((g.OutputWidth + 3) / 4) >= 64;

        /// <summary>
        /// <c>y = conv(x, W) + b</c> for group <paramref name="group"/> (its channels, filters and weight columns), then the
        /// <paramref name="rectifier"/>.
        /// </summary>
        public static void Forward(float* x, float* w, float* bias, float* y, in ConvolutionGeometry g, int group, Rectifier rectifier)
        {
            int cin = g.GroupChannels, fo = g.GroupFilters;
            Convolve(x + (long)group * cin * g.Height * g.Width, cin, g.Height, g.Width, g.PadTop, g.PadLeft, w + group * fo, g.Filters, fo, flip: false,
                bias == null ? null : bias + group * fo, rectifier, ReluStep<float>.None, y + (long)group * fo * g.OutputHeight * g.OutputWidth, fo, g.OutputHeight, g.OutputWidth, cin);
        }

        /// <summary>
        /// <c>dx = convᵀ(dy, W)</c> for group <paramref name="group"/>: a correlation of the output gradient, padded by 2 − p
        /// above and left, with the flipped, transposed weights. The <paramref name="rule"/> of a rectifier below the layer (over
        /// the whole input gradient) is applied to each channel's plane as it is written, while in cache, as in <see cref="Winograd"/>.
        /// </summary>
        public static void BackwardInput(float* dy, float* w, float* dx, in ConvolutionGeometry g, int group, ReluStep<float> rule)
        {
            int cin = g.GroupChannels, fo = g.GroupFilters;
            Convolve(dy + (long)group * fo * g.OutputHeight * g.OutputWidth, fo, g.OutputHeight, g.OutputWidth, 2 - g.PadTop, 2 - g.PadLeft, w + group * fo, g.Filters, fo, flip: true,
                null, Rectifier.None, rule.Offset(group * cin * g.Height * g.Width), dx + (long)group * cin * g.Height * g.Width, cin, g.Height, g.Width, cin);
        }

        /// <summary>
        /// <paramref name="outChannels"/> planes of <c>oh × ow</c> from <paramref name="inChannels"/> planes of <c>h × w</c> padded
        /// by <paramref name="padTop"/> rows above and <paramref name="padLeft"/> columns on the left (zeros as far as the blocks
        /// reach below and right); the weight as in <see cref="Winograd"/>: the convolution's column-major <c>[F, channels·9]</c>,
        /// its channels the inputs and filters the outputs, or, <paramref name="flip"/>ped, the other way round with the taps reversed.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // as ConvolutionKernels' drivers: no tiering, no dynamic PGO
        private static void Convolve(float* input, int inChannels, int h, int w, int padTop, int padLeft, float* weight, int weightStride, int filters, bool flip,
            float* bias, Rectifier rectifier, ReluStep<float> rule, float* output, int outChannels, int oh, int ow, int channels)
        {
            t_calls++;
            var job = new Job
            {
                Input = input, InChannels = inChannels, H = h, W = w, PadTop = padTop, PadLeft = padLeft, Weight = weight, WeightStride = weightStride,
                Filters = filters, Flip = flip, Bias = bias, Rectifier = rectifier, Rule = rule, Output = output, OutChannels = outChannels, OH = oh, OW = ow, Channels = channels,
            };
            job.Grid = new WinogradGrid(4, oh, ow);
            int threads = KernelParallelism.Threads(36L * inChannels * outChannels * job.Grid.TilesPadded);

            // Staged input with its zero border; the last block row's five loads per row reach up to 80 values past its start.
            job.Xs = Scratch<float>.First((long)inChannels * job.Grid.Plane + Slack);
            new Span<float>(job.Xs + inChannels * job.Grid.Plane, Slack).Clear();

            // U[ξ][c][f], ξ = 6i + j, f contiguous; a spare cache line between the planes of ξ, as for V and M.
            job.UStride = channels * filters + 16;
            job.U = Scratch<float>.Fourth(36L * job.UStride);

            // V[ξ][ci][block]: the transformed 6×6 input blocks, in row-major order, padded to whole vectors.
            job.VStride = inChannels * job.Grid.ChannelStride + 16;
            job.V = Scratch<float>.Second(36L * job.VStride);

            job.Chunk = Winograd.Chunk(inChannels, threads);
            KernelParallelism.For((inChannels + job.Chunk - 1) / job.Chunk, threads, &StageAndTransformInput, &job);
            job.WeightChunk = Winograd.Chunk(channels, threads);
            KernelParallelism.For((channels + job.WeightChunk - 1) / job.WeightChunk, threads, &TransformWeightsPiece, &job);

            // M_ξ[co][block] = Σ_ci U_ξ[co, ci] · V_ξ[ci][block]: 36 products shared among threads as one job.
            int mStride = outChannels * job.Grid.TilesPadded + 16;
            job.MStride = mStride;
            job.M = Scratch<float>.Third(36L * mStride + 16); // + the last block row's overhanging lanes
            WinogradProducts.Multiply(36, job.U, job.UStride, null, filters, flip, job.V, job.VStride, job.Grid.ChannelStride, inChannels, job.M, mStride, outChannels, job.Grid.TilesPadded);

            job.OutputChunk = Winograd.Chunk(outChannels, threads);
            KernelParallelism.For((outChannels + job.OutputChunk - 1) / job.OutputChunk, threads, &TransformOutputPiece, &job);
        }

        /// <summary>Zeros after the last staged plane: the block row's loads reach 80 values past a row's block start, at most 74 past the row.</summary>
        private const int Slack = 128;

        private struct Job
        {
            public float* Input, Weight, Bias, Output, Xs, U, V, M;
            public int InChannels, H, W, PadTop, PadLeft, WeightStride, Filters, OutChannels, OH, OW, Channels;
            public bool Flip;
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
            Winograd.Stage(job.Input, first, end, job.H, job.W, job.PadTop, job.PadLeft, job.Xs, job.Grid.Plane, job.Grid.HS, job.Grid.WS);
            TransformInput(job.Xs, first, end, job.Grid.Plane, job.Grid.WS, job.Grid.TH, job.Grid.TW, job.V, job.Grid.TilesPadded, job.Grid.ChannelStride, job.VStride);
        }

        private static void TransformWeightsPiece(void* context, int piece)
        {
            ref Job job = ref Unsafe.AsRef<Job>(context);
            int first = piece * job.WeightChunk, end = Math.Min(job.Channels, first + job.WeightChunk);
            TransformWeights(job.Weight, job.WeightStride, first, end, job.Filters, job.Flip, job.U, job.UStride);
        }

        private static void TransformOutputPiece(void* context, int piece)
        {
            ref Job job = ref Unsafe.AsRef<Job>(context);
            int first = piece * job.OutputChunk, end = Math.Min(job.OutChannels, first + job.OutputChunk);
            TransformOutput(job.M, first, end, job.Grid.TilesPadded, job.MStride, job.Grid.TH, job.Grid.TW, job.Bias, job.Rectifier, job.Rule, job.Output, job.OH, job.OW);
        }

        /// <summary>
        /// <c>U = G g Gᵀ</c> with <c>G = [[¼, 0, 0], [−⅙, −⅙, −⅙], [−⅙, ⅙, −⅙], [1/24, 1/12, ⅙], [1/24, −1/12, ⅙], [0, 0, 1]]</c>,
        /// 16 filters at a time: first along each kernel row, then down the six columns.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static void TransformWeights(float* w, int weightStride, int firstChannel, int endChannel, int filters, bool flip, float* u, int pairs)
        {
            for (int c = firstChannel; c < endChannel; c++)
            {
                for (int f0 = 0; f0 < filters; f0 += 16)
                {
                    int count = Math.Min(16, filters - f0);
                    // Rows: r[a][j] = (g Gᵀ)[a][j] for the kernel's rows a (flipped: g[a][b] = W[f, c, 2 − a, 2 − b]).
                    G(Tap(w, weightStride, c, 0, 0, f0, count, flip), Tap(w, weightStride, c, 0, 1, f0, count, flip), Tap(w, weightStride, c, 0, 2, f0, count, flip),
                        out var r00, out var r01, out var r02, out var r03, out var r04, out var r05);
                    G(Tap(w, weightStride, c, 1, 0, f0, count, flip), Tap(w, weightStride, c, 1, 1, f0, count, flip), Tap(w, weightStride, c, 1, 2, f0, count, flip),
                        out var r10, out var r11, out var r12, out var r13, out var r14, out var r15);
                    G(Tap(w, weightStride, c, 2, 0, f0, count, flip), Tap(w, weightStride, c, 2, 1, f0, count, flip), Tap(w, weightStride, c, 2, 2, f0, count, flip),
                        out var r20, out var r21, out var r22, out var r23, out var r24, out var r25);
                    float* target = u + c * filters + f0;
                    // Columns: U[i][j] = (G r)[i][j], column j stored at ξ = 6i + j.
                    StoreColumn(target, 0, pairs, count, r00, r10, r20);
                    StoreColumn(target, 1, pairs, count, r01, r11, r21);
                    StoreColumn(target, 2, pairs, count, r02, r12, r22);
                    StoreColumn(target, 3, pairs, count, r03, r13, r23);
                    StoreColumn(target, 4, pairs, count, r04, r14, r24);
                    StoreColumn(target, 5, pairs, count, r05, r15, r25);
                }
            }
        }

        /// <summary>Tap <c>(a, b)</c> of channel <paramref name="c"/> for 16 filters from <paramref name="f0"/>; flipped, <c>W[f, c, 2 − a, 2 − b]</c>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> Tap(float* w, int weightStride, int c, int a, int b, int f0, int count, bool flip)
        {
            int tap = flip ? (c * 3 + 2 - a) * 3 + 2 - b : (c * 3 + a) * 3 + b;
            float* p = w + tap * weightStride + f0;
            return count == 16 ? Vector512.Load(p) : Simd512<float>.LoadFirst(p, count);
        }

        /// <summary>Plane <paramref name="xi"/> of a block vector, planes <paramref name="stride"/> apart.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Put(float* target, int xi, int stride, Vector512<float> value) => value.Store(target + xi * stride);

        /// <summary>One column of <c>r</c> through <c>G</c>: the six values of column <paramref name="j"/> of <c>U</c>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void StoreColumn(float* target, int j, int pairs, int count, Vector512<float> g0, Vector512<float> g1, Vector512<float> g2)
        {
            G(g0, g1, g2, out var u0, out var u1, out var u2, out var u3, out var u4, out var u5);
            Winograd.Store(target, j, pairs, u0, count);
            Winograd.Store(target, 6 + j, pairs, u1, count);
            Winograd.Store(target, 12 + j, pairs, u2, count);
            Winograd.Store(target, 18 + j, pairs, u3, count);
            Winograd.Store(target, 24 + j, pairs, u4, count);
            Winograd.Store(target, 30 + j, pairs, u5, count);
        }

        /// <summary><c>G · (g0, g1, g2)</c>: <c>(g0/4, −(g0 + g1 + g2)/6, −(g0 − g1 + g2)/6, (g0 + 2g1 + 4g2)/24, (g0 − 2g1 + 4g2)/24, g2)</c>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void G(Vector512<float> g0, Vector512<float> g1, Vector512<float> g2,
            out Vector512<float> u0, out Vector512<float> u1, out Vector512<float> u2, out Vector512<float> u3, out Vector512<float> u4, out Vector512<float> u5)
        {
            Vector512<float> sixth = Vector512.Create(-1f / 6), twentyFourth = Vector512.Create(1f / 24);
            Vector512<float> outer = g0 + g2, inner = Vector512.FusedMultiplyAdd(Vector512.Create(4f), g2, g0);
            u0 = g0 * Vector512.Create(0.25f);
            u1 = (outer + g1) * sixth;
            u2 = (outer - g1) * sixth;
            u3 = Vector512.FusedMultiplyAdd(Vector512.Create(2f), g1, inner) * twentyFourth;
            u4 = Vector512.FusedMultiplyAdd(Vector512.Create(-2f), g1, inner) * twentyFourth;
            u5 = g2;
        }

        /// <summary>
        /// <c>V = Bᵀ d B</c> for every 6×6 block <c>d</c> at (4·ty, 4·tx) of the staged input, 16 blocks of a block row at a
        /// time, with <c>Bᵀ</c> as in <see cref="B"/>: each of the six input rows has its six columns gathered by permutes and
        /// goes through <c>Bᵀ</c> along the row (into <paramref name="v"/>'s rows, on the stack), then each column through <c>Bᵀ</c> down.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static void TransformInput(float* xs, int firstChannel, int endChannel, int plane, int ws, int th, int tw, float* v, int tilesPadded, int channelStride, int stride)
        {
            Vector512<float>* rows = stackalloc Vector512<float>[36]; // rows[6i + k]: input row i of the 16 blocks through Bᵀ
            Vector512<int> even = Vector512<int>.Indices * 2, odd = even + Vector512<int>.One;
            Vector512<int> nextEven = Vector512.Create(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
            Vector512<int> nextOdd = Vector512.Create(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17);
            for (int c = firstChannel; c < endChannel; c++)
            {
                float* source = xs + c * plane;
                float* target = v + c * channelStride;
                for (int ty = 0; ty < th; ty++)
                {
                    for (int tx = 0; tx < tw; tx += 16)
                    {
                        float* block = source + 4 * ty * ws + 4 * tx;
                        for (int i = 0; i < 6; i++)
                        {
                            Columns(block + i * ws, even, odd, nextEven, nextOdd, out var d0, out var d1, out var d2, out var d3, out var d4, out var d5);
                            B(d0, d1, d2, d3, d4, d5, out rows[6 * i], out rows[6 * i + 1], out rows[6 * i + 2], out rows[6 * i + 3], out rows[6 * i + 4], out rows[6 * i + 5]);
                        }
                        // Whole vectors even for a short block row, as in Winograd: the lanes past it land on the next block row
                        // or the padding after the channel's blocks, written again later (or never read).
                        float* t = target + ty * tw + tx;
                        for (int k = 0; k < 6; k++)
                        {
                            B(rows[k], rows[6 + k], rows[12 + k], rows[18 + k], rows[24 + k], rows[30 + k], out var v0, out var v1, out var v2, out var v3, out var v4, out var v5);
                            Put(t, k, stride, v0);
                            Put(t, 6 + k, stride, v1);
                            Put(t, 12 + k, stride, v2);
                            Put(t, 18 + k, stride, v3);
                            Put(t, 24 + k, stride, v4);
                            Put(t, 30 + k, stride, v5);
                        }
                    }
                }
                // The padded tail of each ξ row: zeros, so the products' extra lanes stay finite.
                for (int xi = 0; xi < 36; xi++) new Span<float>(target + xi * stride + th * tw, tilesPadded - th * tw).Clear();
            }
        }

        /// <summary>
        /// Columns <c>4·lane + j</c> (<c>j</c> = 0…5) of one row of 16 blocks: a two-level split of 64 values by residue mod 4
        /// gives columns 0–3, and columns 4 and 5 are 0 and 1 moved one lane down with the 65th and 66th values appended.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Columns(float* row, Vector512<int> even, Vector512<int> odd, Vector512<int> nextEven, Vector512<int> nextOdd,
            out Vector512<float> d0, out Vector512<float> d1, out Vector512<float> d2, out Vector512<float> d3, out Vector512<float> d4, out Vector512<float> d5)
        {
            Vector512<float> l0 = Vector512.Load(row), l1 = Vector512.Load(row + 16), l2 = Vector512.Load(row + 32), l3 = Vector512.Load(row + 48);
            Vector512<float> tail = Vector512.Load(row + 64);
            // Even and odd values of each half (0…31 and 32…63), then even and odd of those: residues 0, 2 and 1, 3 mod 4.
            Vector512<float> e0 = Avx512F.PermuteVar16x32x2(l0, even, l1), o0 = Avx512F.PermuteVar16x32x2(l0, odd, l1);
            Vector512<float> e1 = Avx512F.PermuteVar16x32x2(l2, even, l3), o1 = Avx512F.PermuteVar16x32x2(l2, odd, l3);
            d0 = Avx512F.PermuteVar16x32x2(e0, even, e1);
            d2 = Avx512F.PermuteVar16x32x2(e0, odd, e1);
            d1 = Avx512F.PermuteVar16x32x2(o0, even, o1);
            d3 = Avx512F.PermuteVar16x32x2(o0, odd, o1);
            // Column 4 of block l is column 0 of block l + 1; the last block's is value 64 (tail lane 0), and likewise 65.
            d4 = Avx512F.PermuteVar16x32x2(d0, nextEven, tail);
            d5 = Avx512F.PermuteVar16x32x2(d1, nextOdd, tail);
        }

        /// <summary>
        /// <c>Bᵀ · (d0, …, d5)</c> with <c>Bᵀ = [[4, 0, −5, 0, 1, 0], [0, −4, −4, 1, 1, 0], [0, 4, −4, −1, 1, 0],
        /// [0, −2, −1, 2, 1, 0], [0, 2, −1, −2, 1, 0], [0, 4, 0, −5, 0, 1]]</c>, sharing the sums and differences of the middle four.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void B(Vector512<float> d0, Vector512<float> d1, Vector512<float> d2, Vector512<float> d3, Vector512<float> d4, Vector512<float> d5,
            out Vector512<float> v0, out Vector512<float> v1, out Vector512<float> v2, out Vector512<float> v3, out Vector512<float> v4, out Vector512<float> v5)
        {
            Vector512<float> four = Vector512.Create(4f), minusFive = Vector512.Create(-5f);
            v0 = Vector512.FusedMultiplyAdd(four, d0, Vector512.FusedMultiplyAdd(minusFive, d2, d4));
            v5 = Vector512.FusedMultiplyAdd(four, d1, Vector512.FusedMultiplyAdd(minusFive, d3, d5));
            Vector512<float> sum12 = d1 + d2, sum34 = d3 + d4, difference12 = d1 - d2, difference43 = d4 - d3;
            v1 = Vector512.FusedMultiplyAdd(Vector512.Create(-4f), sum12, sum34);
            v2 = Vector512.FusedMultiplyAdd(four, difference12, difference43);
            Vector512<float> difference31 = d3 - d1, difference42 = d4 - d2;
            v3 = Vector512.FusedMultiplyAdd(Vector512.Create(2f), difference31, difference42);
            v4 = Vector512.FusedMultiplyAdd(Vector512.Create(-2f), difference31, difference42);
        }

        /// <summary>
        /// <c>Aᵀ · (m0, …, m5)</c> with <c>Aᵀ = [[1, 1, 1, 1, 1, 0], [0, 1, −1, 2, −2, 0], [0, 1, 1, 4, 4, 0], [0, 1, −1, 8, −8, 1]]</c>.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void A(Vector512<float> m0, Vector512<float> m1, Vector512<float> m2, Vector512<float> m3, Vector512<float> m4, Vector512<float> m5,
            out Vector512<float> y0, out Vector512<float> y1, out Vector512<float> y2, out Vector512<float> y3)
        {
            Vector512<float> sum12 = m1 + m2, difference12 = m1 - m2, sum34 = m3 + m4, difference34 = m3 - m4;
            y0 = m0 + sum12 + sum34;
            y1 = Vector512.FusedMultiplyAdd(Vector512.Create(2f), difference34, difference12);
            y2 = Vector512.FusedMultiplyAdd(Vector512.Create(4f), sum34, sum12);
            y3 = Vector512.FusedMultiplyAdd(Vector512.Create(8f), difference34, difference12) + m5;
        }

        /// <summary>
        /// <c>Y = Aᵀ M A</c> (<see cref="A"/>): each block's 4×4 outputs, plus the bias and through the rectifier, interleaved
        /// into the output rows and cropped to <c>oh × ow</c> (no write past a row's end: another thread's plane may follow); then
        /// the input gradient's <paramref name="rule"/> over the finished plane.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static void TransformOutput(float* m, int firstChannel, int endChannel, int tilesPadded, int stride, int th, int tw, float* bias, Rectifier rectifier, ReluStep<float> rule,
            float* y, int oh, int ow)
        {
            Vector512<float>* t = stackalloc Vector512<float>[24]; // t[4i + s]: row i of M A
            Vector512<float>* outputs = stackalloc Vector512<float>[16]; // outputs[4r + s]: output (r, s) of the 16 blocks
            // Interleaving four vectors of (r, s) for s = 0…3 into output order: pairs (s0, s1) and (s2, s3) first, then the pairs.
            Vector512<int> low = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23), high = low + Vector512.Create(8);
            Vector512<int> pairsLow = Vector512.Create(0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23), pairsHigh = pairsLow + Vector512.Create(8);
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
                        for (int i = 0; i < 6; i++)
                        {
                            float* r = s + 6 * i * stride;
                            A(Vector512.Load(r), Vector512.Load(r + stride), Vector512.Load(r + 2 * stride), Vector512.Load(r + 3 * stride), Vector512.Load(r + 4 * stride), Vector512.Load(r + 5 * stride),
                                out t[4 * i], out t[4 * i + 1], out t[4 * i + 2], out t[4 * i + 3]);
                        }
                        for (int k = 0; k < 4; k++)
                        {
                            A(t[k], t[4 + k], t[8 + k], t[12 + k], t[16 + k], t[20 + k], out outputs[k], out outputs[4 + k], out outputs[8 + k], out outputs[12 + k]);
                        }
                        int columns = Math.Min(64, ow - 4 * tx);
                        for (int r = 0; r < 4 && 4 * ty + r < oh; r++)
                        {
                            Vector512<float> y0 = outputs[4 * r] + b, y1 = outputs[4 * r + 1] + b, y2 = outputs[4 * r + 2] + b, y3 = outputs[4 * r + 3] + b;
                            if (rectifier != Rectifier.None)
                            {
                                // The rectifier that follows the layer, applied here rather than in a pass of its own.
                                y0 = Rows.Rectify<float, Vector512<float>, Simd512<float>>(y0, rectifier); y1 = Rows.Rectify<float, Vector512<float>, Simd512<float>>(y1, rectifier);
                                y2 = Rows.Rectify<float, Vector512<float>, Simd512<float>>(y2, rectifier); y3 = Rows.Rectify<float, Vector512<float>, Simd512<float>>(y3, rectifier);
                            }
                            float* row = plane + (4 * ty + r) * ow + 4 * tx;
                            Vector512<float> first = Avx512F.PermuteVar16x32x2(y0, low, y1), second = Avx512F.PermuteVar16x32x2(y2, low, y3);
                            Put(row, Avx512F.PermuteVar16x32x2(first, pairsLow, second), columns);
                            if (columns > 16) Put(row + 16, Avx512F.PermuteVar16x32x2(first, pairsHigh, second), columns - 16);
                            if (columns > 32)
                            {
                                first = Avx512F.PermuteVar16x32x2(y0, high, y1);
                                second = Avx512F.PermuteVar16x32x2(y2, high, y3);
                                Put(row + 32, Avx512F.PermuteVar16x32x2(first, pairsLow, second), columns - 32);
                                if (columns > 48) Put(row + 48, Avx512F.PermuteVar16x32x2(first, pairsHigh, second), columns - 48);
                            }
                        }
                    }
                }
                // The plane is final: the rule below, while it is in cache.
                rule.Offset(c * oh * ow).ApplyTo(plane, oh * ow);
            }
        }

        /// <summary>The first <paramref name="columns"/> values of <paramref name="value"/> (all 16 when there are as many).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Put(float* row, Vector512<float> value, int columns)
        {
            if (columns >= 16) value.Store(row);
            else Simd512<float>.StoreFirst(row, value, columns);
        }
    }
}
