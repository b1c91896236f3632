using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Relucent.Kernels
{
    /// <summary>
    /// 2-D convolution as PyTorch's <c>nn.Conv2d</c> computes it (cross-correlation, square kernel, zero padding that may
    /// differ per side, groups), on one NCHW example. The weight is <c>[filters, (channels/groups)·k·k]</c> column-major (a
    /// MathNet <c>Matrix</c>), so the weights of one tap <c>(c, ky, kx)</c> across all filters are contiguous.
    /// </summary>
    /// <remarks>
    /// <para>Each group is one matrix product run by the register tiles of <see cref="Tiles"/>, SIMD with fused
    /// multiply-adds (AVX-512, AVX2, 128-bit or scalar, whichever the machine has):</para>
    /// <list type="bullet">
    /// <item>Forward, stride 1: implicit im2col. The input is staged with its zero border in a scratch buffer of
    /// padded width <c>Wp</c>; output position <c>q = oy·Wp + ox</c> of tap <c>(c, ky, kx)</c> then reads the staged
    /// input at <c>q + c·plane + ky·Wp + kx</c>, a contiguous run in <c>q</c>, so no im2col matrix is built. The
    /// <c>Wp − OW</c> columns past each output row are computed and dropped when the result is copied out (with the
    /// bias). Stride &gt; 1 stages the padded input split into its s × s phases (<see cref="Phases"/>), where each tap again
    /// reads a contiguous run; kernels no wider than the stride stage one plane per column tap instead (<see cref="TapColumns"/>),
    /// rows <c>OW</c> wide, and the tiles store straight into y.</item>
    /// <item>Input gradient, stride 1 with enough channels to fill a tile's rows: the transposed convolution as a stride-1
    /// correlation of the output gradient, staged with a border of <c>k − 1 − p</c>, with the flipped, transposed weights read
    /// in place through offset tables; rows are input channels. Otherwise (strides above 1, or few channels: a first layer)
    /// by taps (<see cref="ConvolutionByTaps"/>): <c>dcol = Wᵀ · dy</c> with the taps as rows, then col2im as a gather.</item>
    /// </list>
    /// <para>3×3 stride-1 convolutions with at least 8 channels and 8 filters per group, in float on AVX-512, take Winograd's
    /// F(2×2, 3×3) instead (<see cref="Winograd"/>), both directions: 2.25× fewer multiply-adds, the same tiles; a caller that
    /// keeps the weights transformed (<see cref="WinogradWeights"/>, the <c>prepared</c> argument) saves transforming them per
    /// call. Where it pays (large maps), F(4×4, 3×3) runs instead (<see cref="Winograd4"/>, weights transformed per call): 4×
    /// fewer multiply-adds than the direct convolution. Depthwise
    /// convolutions (one channel per filter) run their own kernels (<see cref="Depthwise"/>): as a grouped convolution they
    /// would be tiles of one row.</para>
    /// <para>Sizes: a <see cref="ConvolutionGeometry"/> exists only if its tensors and every scratch buffer these kernels
    /// may ask for (<see cref="Model.KernelScratch"/>) fit within <see cref="Model.Limits.MaxElements"/>, so no index here
    /// can overflow an <c>int</c>; scratch sizes are computed in <c>long</c> all the same, and <see cref="Scratch{T}"/>
    /// refuses a request beyond the limit before forming a pointer.</para>
    /// <para>Scratch memory: per-thread buffers grown once (<see cref="Scratch{T}"/>); nothing is allocated per call.
    /// Every output is one sum over taps in a fixed order, so results are deterministic bit for bit. A large call may
    /// share its tiles among threads (<see cref="KernelParallelism"/>) without changing a bit.</para>
    /// <para>The drivers are marked <c>AggressiveOptimization</c>, like the inner kernels: compiled once, fully optimised,
    /// outside tiered compilation and dynamic PGO. With PGO, steady-state calls of whole networks measured 5–25 % slower
    /// (vgg, mnist_cnn; A/B against <c>DOTNET_TieredPGO=0</c>), and the first calls are slow until tier 1 arrives.</para>
    /// </remarks>
    public static class ConvolutionKernels
    {
        /// <summary>Set on a thread to run small maps with many filters untransposed: benchmarks' A/B comparisons.</summary>
        [ThreadStatic] internal static bool t_untransposed;

        /// <summary>Set on a thread to ignore weights prepared for Winograd (they are transformed per call instead): benchmarks' A/B comparisons.</summary>
        [ThreadStatic] internal static bool t_unprepared;

        /// <summary>Set on a thread to stage strided forward passes in s × s phases (<see cref="Phases"/>, with a copy-out), not by <see cref="TapColumns"/>: benchmarks' A/B comparisons, tests.</summary>
        [ThreadStatic] internal static bool t_phased;

        /// <summary>
        /// <c>y[f, oy, ox] = b[f] + Σ_{c,ky,kx} W[f, c, ky, kx] · x[g·C/G + c, oy·s − pt + ky, ox·s − pl + kx]</c> (g the
        /// filter's group); with <paramref name="relu"/>, <c>max(·, 0)</c> of that: the ReLU that follows the layer, applied as
        /// each value is stored (the same bits as <see cref="ActivationKernels.Relu{T}"/> afterwards, without the second pass over <c>y</c>).
        /// <paramref name="prepared"/>: this weight transformed once for Winograd (<see cref="WinogradWeights"/>), or null.
        /// </summary>
        public static void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> y, in ConvolutionGeometry g, bool relu = false,
            WinogradWeights? prepared = null)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            Forward(x, weight, bias, y, g, relu ? Rectifier.Relu : Rectifier.None, prepared);

        /// <summary>
        /// The convolution of <see cref="Forward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, in ConvolutionGeometry, bool, WinogradWeights)"/>,
        /// then the <paramref name="rectifier"/> that follows the layer (ReLU or ReLU6) applied as each value is stored: the same
        /// bits as <see cref="ActivationKernels.Relu{T}"/> or <see cref="ActivationKernels.Relu6{T}"/> afterwards.
        /// <paramref name="prepared"/>: this weight transformed once for Winograd (<see cref="WinogradWeights"/>), or null.
        /// </summary>
        public static unsafe void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> y, in ConvolutionGeometry g, Rectifier rectifier,
            WinogradWeights? prepared = null)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Made(g);
            Check.Length(x, g.InputSize, nameof(x));
            Check.Length(weight, g.WeightSize, nameof(weight));
            Check.Length(y, g.OutputSize, nameof(y));
            if (!bias.IsEmpty) Check.Length(bias, g.Filters, nameof(bias));
            Prepared<T>(prepared, g);
            fixed (T* px = x, pw = weight, pb = bias, py = y)
            fixed (float* pu = prepared?.Planes)
            {
                T* pbias = bias.IsEmpty ? null : pb;
                if (SimdWidth.Use512) Forward<T, Vector512<T>, Simd512<T>>(px, pw, pu, pbias, py, g, rectifier);
                else if (SimdWidth.Use256) Forward<T, Vector256<T>, Simd256<T>>(px, pw, pu, pbias, py, g, rectifier);
                else if (SimdWidth.Use128) Forward<T, Vector128<T>, Simd128<T>>(px, pw, pu, pbias, py, g, rectifier);
                else Forward<T, T, SimdScalar<T>>(px, pw, pu, pbias, py, g, rectifier);
            }
        }

        /// <summary>
        /// The input gradient: <c>dx[c, iy, ix] = Σ W[f, c, ky, kx] · dy[f, oy, ox]</c> over every use of <c>x[c, iy, ix]</c>.
        /// <paramref name="prepared"/>: this weight transformed once for Winograd (<see cref="WinogradWeights"/>), or null.
        /// </summary>
        public static unsafe void BackwardInput<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> weight, Span<T> dx, in ConvolutionGeometry g, WinogradWeights? prepared = null)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Made(g);
            Check.Length(dy, g.OutputSize, nameof(dy));
            Check.Length(weight, g.WeightSize, nameof(weight));
            Check.Length(dx, g.InputSize, nameof(dx));
            Prepared<T>(prepared, g);
            fixed (T* pdy = dy, pw = weight, pdx = dx)
            fixed (float* pu = prepared?.Planes)
                BackwardInput(pdy, pw, pu, pdx, g, ReluStep<T>.None);
        }

        /// <summary>
        /// The input gradient taken on through the rectifier just below this layer: <c>dx = rule(z, convᵀ(dy))</c>, where
        /// <paramref name="rectifierOutput"/> is that ReLU's or ReLU6's forward output <c>z</c>. Each value passes the rule as it
        /// is stored where the path allows: the same bits as <see cref="BackwardInput{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Span{T}, in ConvolutionGeometry, WinogradWeights)"/>
        /// followed by <see cref="ReluRules"/> or <see cref="Relu6Rules"/>.
        /// </summary>
        public static unsafe void BackwardInput<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> weight, Span<T> dx, in ConvolutionGeometry g,
            BackwardRule rule, ReadOnlySpan<T> rectifierOutput, Rectifier rectifier = Rectifier.Relu, WinogradWeights? prepared = null)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Made(g);
            Check.Length(dy, g.OutputSize, nameof(dy));
            Check.Length(weight, g.WeightSize, nameof(weight));
            Check.Length(dx, g.InputSize, nameof(dx));
            Check.Length(rectifierOutput, g.InputSize, nameof(rectifierOutput));
            Prepared<T>(prepared, g);
            fixed (T* pdy = dy, pw = weight, pdx = dx, pz = rectifierOutput)
            fixed (float* pu = prepared?.Planes)
                BackwardInput(pdy, pw, pu, pdx, g, new ReluStep<T>(rule, pz, rectifier));
        }

        /// <summary>
        /// The input gradient through the rule <typeparamref name="TRule"/> of the <paramref name="rectifier"/> (ReLU or ReLU6)
        /// just below this layer, the rule named as a type, as generated backward passes call it.
        /// </summary>
        public static void BackwardInput<T, TRule>(ReadOnlySpan<T> dy, ReadOnlySpan<T> weight, Span<T> dx, ReadOnlySpan<T> rectifierOutput, in ConvolutionGeometry g,
            Rectifier rectifier = Rectifier.Relu, WinogradWeights? prepared = null)
            where T : unmanaged, IFloatingPointIeee754<T> where TRule : struct, IReluRule =>
            BackwardInput(dy, weight, dx, g, TRule.Rule, rectifierOutput, rectifier, prepared);

        /// <summary>Throws unless <paramref name="prepared"/> is null or was made for a float convolution of <paramref name="g"/>'s weight shape.</summary>
        private static void Prepared<T>(WinogradWeights? prepared, in ConvolutionGeometry g)
        {
            if (prepared == null) return;
            if (typeof(T) != typeof(float)) throw new ArgumentException($"prepared holds float Winograd weights; this convolution computes in {typeof(T).Name}.", nameof(prepared));
            prepared.CheckFits(g);
        }

        private static unsafe void BackwardInput<T>(T* dy, T* w, float* prepared, T* dx, in ConvolutionGeometry g, ReluStep<T> rule)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (SimdWidth.Use512) BackwardInput<T, Vector512<T>, Simd512<T>>(dy, w, prepared, dx, g, rule);
            else if (SimdWidth.Use256) BackwardInput<T, Vector256<T>, Simd256<T>>(dy, w, prepared, dx, g, rule);
            else if (SimdWidth.Use128) BackwardInput<T, Vector128<T>, Simd128<T>>(dy, w, prepared, dx, g, rule);
            else BackwardInput<T, T, SimdScalar<T>>(dy, w, prepared, dx, g, rule);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // see the class remarks: no tiering, no dynamic PGO
        private static unsafe void Forward<T, TV, S>(T* x, T* w, float* prepared, T* bias, T* y, in ConvolutionGeometry g, Rectifier rectifier)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            if (g.IsDepthwise)
            {
                Depthwise.Forward<T, TV, S>(x, w, bias, y, g, rectifier);
                return;
            }
            bool winograd4 = Winograd4.Applies<T>(g), winograd = Winograd.Applies<T>(g);
            for (int group = 0; group < g.Groups; group++)
            {
                if (winograd4) Winograd4.Forward((float*)x, (float*)w, (float*)bias, (float*)y, g, group, rectifier);
                else if (winograd) Winograd.Forward((float*)x, (float*)w, t_unprepared ? null : prepared, (float*)bias, (float*)y, g, group, rectifier);
                else ForwardGroup<T, TV, S>(x, w, bias, y, g, group, rectifier);
            }
        }

        /// <summary>One group's filters from its channels, by the tiles (see the class remarks).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static unsafe void ForwardGroup<T, TV, S>(T* x, T* w, T* bias, T* y, in ConvolutionGeometry g, int group, Rectifier rectifier)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            int channels = g.GroupChannels, height = g.Height, width = g.Width, filters = g.GroupFilters, weightStride = g.Filters;
            int k = g.Kernel, s = g.Stride, oh = g.OutputHeight, ow = g.OutputWidth;
            x += (long)group * channels * height * width;
            w += group * filters;
            y += (long)group * filters * oh * ow;
            if (bias != null) bias += group * filters;
            int taps = channels * k * k;
            int vl = S.Count;
            int* aOff = Scratch<int>.First(taps);
            int* bOff = Scratch<int>.Second(taps);
            for (int t = 0; t < taps; t++) aOff[t] = t * weightStride;

            // Implicit im2col over the input staged with its zero border and split into s × s phases (one phase at stride 1):
            // tap (c, ky, kx) reads phase (ky mod s, kx mod s) of channel c from row ⌊ky/s⌋, column ⌊kx/s⌋ on, and output
            // position q = oy·Lw + ox reads a contiguous run in q. Kernels no wider than the stride (ResNet's 1×1 stride 2) stage
            // a plane per kx instead (TapColumns), rows ow wide: only the phases a tap reads, and no columns to drop (the tiles store
            // into y). Wider kernels keep the phases: there taps kx and kx + s read one phase shifted by a value, the same cache
            // lines, where a plane per kx would have the tiles stream k/s times the lines (ResNet's 7×7 and 3×3 stride 2 ran 2–8 %
            // slower). The check keeps within the scratch KernelScratch counts (taps × (positions + 16), the by-taps input gradient's).
            Phases phases = Phases.Of(g);
            TapColumns columns = TapColumns.Of(g);
            int positions = oh * ow;
            bool byColumns = s > 1 && k <= s && !t_phased && channels * columns.PerChannel + vl <= (long)taps * (positions + 16);
            int rowStride = byColumns ? ow : phases.Width, plane = phases.Plane;
            int vectors = (oh * rowStride + vl - 1) / vl;
            int threads = KernelParallelism.Threads((long)filters * positions * taps);
            long planes = byColumns ? channels * columns.PerChannel : (long)channels * s * s * plane;
            long maxOffset = byColumns ? 0 : planes - plane + (long)((k - 1) / s) * rowStride + (k - 1) / s; // by columns: found below
            for (int c = 0, tap = 0; c < channels; c++)
            {
                for (int ky = 0; ky < k; ky++)
                {
                    for (int kx = 0; kx < k; kx++, tap++)
                    {
                        bOff[tap] = byColumns ? (int)columns.Offset(c, ky, kx) : ((c * s + ky % s) * s + kx % s) * plane + ky / s * rowStride + kx / s;
                        if (byColumns) maxOffset = Math.Max(maxOffset, bOff[tap]);
                    }
                }
            }
            T* b;
            if (s == 1 && k == 1 && plane == height * width && positions % vl == 0)
            {
                // A 1×1 convolution without padding over planes of whole vectors: the input itself is the matrix.
                b = x;
            }
            else
            {
                long staged = Math.Max(maxOffset + (long)vectors * vl, planes); // the last tile reads up to here
                b = Scratch<T>.First(staged);
                var stage = new StageJob<T> { X = x, Geometry = g, Phases = phases, Columns = columns, ByColumns = byColumns, B = b };
                KernelParallelism.ForRanges(channels, threads, &StageRange<T, TV, S>, &stage);
                // Slack past the last plane feeds only the dropped columns and rows; zero it all the same.
                new Span<T>(b + planes, (int)(staged - planes)).Clear();
            }

            int span = oh * rowStride; // output positions, dropped columns included
            if (!t_untransposed && span < 4 * vl && filters % vl == 0 && filters >= 3 * vl)
            {
                // Few positions, many filters (a 7×7 map of 512 channels): a filter's row would be one or two vectors, a tile
                // mostly idle. The product runs transposed instead, rows the positions and vectors the filters (a tap's weights,
                // contiguous): the same multiply-adds in the same order, so the same bits. The result is transposed out.
                int filterVectors = filters / vl;
                T* transposed = Scratch<T>.Second((long)span * filters);
                Tiles.Multiply<T, TV, S>(b, bOff, 1, span, w, aOff, taps, filterVectors, transposed, filters); // aOff: tap t's weights
                var transpose = new CopyJob<T> { Result = transposed, Ldc = filters, RowStride = rowStride, Y = y, Bias = bias, OH = oh, OW = ow, Rectifier = rectifier };
                KernelParallelism.ForRanges(filters, threads, &TransposeRange<T>, &transpose);
                return;
            }
            if (rowStride == ow)
            {
                // No dropped columns (a 1×1 convolution, or padding that lines up): the tiles store each filter's plane straight
                // into y, adding the bias and applying the rectifier as they store (the bits of the copy-out below).
                Tiles.Multiply<T, TV, S>(w, aOff, 1, filters, b, bOff, taps, vectors, y, positions, new Epilogue<T>(bias, rectifier, positions % vl));
                return;
            }
            // The product in bands of output rows, each band's valid columns copied out (adding the bias, and applying the
            // rectifier that follows if asked) while the band is in cache: ResNet's 7×7 stride 2 writes a 3.3 MB product. A band
            // starts on a whole vector (recomputing a few columns of the band before: the same values), so the last band reads
            // B no further than the whole product would.
            int bandRows = t_unbanded ? oh : (int)Math.Clamp(BandBytes / ((long)filters * rowStride * sizeof(T)), 1, oh);
            int ldc = Math.Min(vectors, (bandRows * rowStride + 2 * vl - 2) / vl) * vl;
            T* result = Scratch<T>.Second((long)filters * ldc);
            var copy = new CopyJob<T> { Result = result, Ldc = ldc, RowStride = rowStride, Y = y, Bias = bias, OH = oh, OW = ow, Rectifier = rectifier };
            for (int first = 0; first < oh; first += bandRows)
            {
                copy.FirstRow = first;
                copy.EndRow = Math.Min(oh, first + bandRows);
                copy.Origin = first * rowStride / vl * vl;
                int bandVectors = (copy.EndRow * rowStride - copy.Origin + vl - 1) / vl;
                Tiles.Multiply<T, TV, S>(w, aOff, 1, filters, b + copy.Origin, bOff, taps, bandVectors, result, ldc);
                KernelParallelism.ForRanges(filters, threads, &CopyRange<T, TV, S>, &copy);
            }
        }

        /// <summary>Set on a thread to run the forward product whole before its copy-out (no bands): benchmarks' A/B comparisons, tests.</summary>
        [ThreadStatic] internal static bool t_unbanded;

        /// <summary>
        /// The bytes of a band of a product that is read back at once (the forward's copy-out, the input gradient's col2im by
        /// taps): a quarter of a 2 MB L2, with room for what else the band reads.
        /// </summary>
        internal static long BandBytes => t_bandBytes > 0 ? t_bandBytes : 512 * 1024;

        /// <summary>Set on a thread to another band size in bytes (0: 512 KB): tests cut small layers into many bands.</summary>
        [ThreadStatic] internal static long t_bandBytes;

        /// <summary>Filters <c>[first, end)</c> out of the transposed product (positions × filters), plus the bias, through the rectifier.</summary>
        private static unsafe void TransposeRange<T>(void* context, int first, int end) where T : unmanaged, IFloatingPointIeee754<T>
        {
            ref CopyJob<T> job = ref Unsafe.AsRef<CopyJob<T>>(context);
            int filters = job.Ldc;
            for (int f = first; f < end; f++)
            {
                T add = job.Bias == null ? T.Zero : job.Bias[f];
                T* target = job.Y + f * job.OH * job.OW;
                for (int oy = 0; oy < job.OH; oy++)
                {
                    T* source = job.Result + (long)oy * job.RowStride * filters + f;
                    for (int ox = 0; ox < job.OW; ox++)
                    {
                        // The scalar forms of the vector operations the copy-out uses: the same bits.
                        *target++ = Rows.Rectify<T, T, SimdScalar<T>>(source[ox * filters] + add, job.Rectifier);
                    }
                }
            }
        }

        private unsafe struct StageJob<T> where T : unmanaged
        {
            public T* X;
            public ConvolutionGeometry Geometry;
            public Phases Phases;
            public TapColumns Columns;
            public bool ByColumns;
            public T* B;
        }

        private static unsafe void StageRange<T, TV, S>(void* context, int first, int end)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            ref StageJob<T> job = ref Unsafe.AsRef<StageJob<T>>(context);
            ref ConvolutionGeometry g = ref job.Geometry;
            T* x = job.X + (long)first * g.Height * g.Width;
            if (job.ByColumns) job.Columns.Stage<T, TV, S>(x, end - first, g, job.B + first * job.Columns.PerChannel);
            else StagePhases<T, TV, S>(x, end - first, g, job.Phases, job.B + first * (long)g.Stride * g.Stride * job.Phases.Plane);
        }

        private unsafe struct CopyJob<T> where T : unmanaged
        {
            public T* Result;
            /// <summary>The product's row: a filter's positions (the copy-out), or a position's filters (transposed).</summary>
            public int Ldc;
            public int RowStride;
            public T* Y;
            public T* Bias;
            public int OH;
            public int OW;
            public Rectifier Rectifier;
            /// <summary>The copy-out's band: output rows <c>[FirstRow, EndRow)</c>, the product's column 0 at position <c>Origin</c>.</summary>
            public int FirstRow;
            public int EndRow;
            public int Origin;
        }

        /// <summary>Filters <c>[first, end)</c>: their valid columns of the band's rows out of the product, plus the bias, through the rectifier.</summary>
        private static unsafe void CopyRange<T, TV, S>(void* context, int first, int end)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            ref CopyJob<T> job = ref Unsafe.AsRef<CopyJob<T>>(context);
            int ow = job.OW, rowStride = job.RowStride;
            for (int f = first; f < end; f++)
            {
                T add = job.Bias == null ? T.Zero : job.Bias[f];
                T* source = job.Result + (long)f * job.Ldc - job.Origin;
                T* target = job.Y + (long)f * job.OH * ow;
                for (int oy = job.FirstRow; oy < job.EndRow; oy++) Rows.AddScalar<T, TV, S>(source + oy * rowStride, add, target + oy * ow, ow, job.Rectifier);
            }
        }

        /// <summary>
        /// <paramref name="channels"/> planes of <c>height × width</c> into <paramref name="b"/> with a zero border (<paramref name="top"/>
        /// rows above, <paramref name="left"/> columns left and so on), rows <c>width + left + right</c> wide, planes one after another.
        /// Nothing past the last plane is written, so threads may stage neighbouring ranges of planes.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static unsafe void StagePadded<T, TV, S>(T* x, int channels, int height, int width, int top, int left, int bottom, int right, T* b)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            int wp = width + left + right, plane = (height + top + bottom) * wp;
            if (top == 0 && left == 0 && bottom == 0 && right == 0)
            {
                new ReadOnlySpan<T>(x, channels * plane).CopyTo(new Span<T>(b, channels * plane));
                return;
            }
            for (int c = 0; c < channels; c++)
            {
                // Rows in whole vectors: each writes its values, its right border and the next row's left one, and may
                // overhang with zeros into the next row, which is written afterwards. One short span copy per row instead
                // cost more than the whole product on small layers (LeNet's: 12 values a row).
                T* planeStart = b + c * plane;
                new Span<T>(planeStart, top * wp + left).Clear(); // the rows above and the first row's left border
                for (int iy = 0; iy < height - 1; iy++)
                {
                    Rows.CopyPadded<T, TV, S>(x + (c * height + iy) * width, width, planeStart + (iy + top) * wp + left, wp);
                }
                // The last row: its right border only, and nothing past it (there may be no row below, and the next plane may be
                // another thread's).
                Rows.CopyPaddedExact<T, TV, S>(x + (c * height + height - 1) * width, width, planeStart + (height - 1 + top) * wp + left, wp - left);
                int below = (height + top) * wp; // where the last row ends
                new Span<T>(planeStart + below, plane - below).Clear(); // the rows below
            }
        }

        /// <summary>
        /// <paramref name="channels"/> planes of the geometry's input size at <paramref name="x"/>, padded as the geometry says and
        /// split into its stride's column and row phases (<see cref="Phases"/>): phase <c>(py, px)</c> of channel <c>c</c> holds the
        /// padded plane's values at rows <c>py + s·i</c> and columns <c>px + s·j</c>, zeros in the padding and the slack. At stride 1
        /// this is the padded plane itself. Up to a vector past the last plane may be written.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static unsafe void StagePhases<T, TV, S>(T* x, int channels, in ConvolutionGeometry g, Phases phases, T* b)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            int s = g.Stride, height = g.Height, width = g.Width, pt = g.PadTop, pl = g.PadLeft;
            if (s == 1)
            {
                StagePadded<T, TV, S>(x, channels, height, width, pt, pl, g.PadBottom, g.PadRight, b);
                return;
            }
            int plane = phases.Plane, rowStride = phases.Width, k = g.Kernel;
            new Span<T>(b, channels * s * s * plane).Clear();
            for (int c = 0; c < channels; c++)
            {
                for (int iy = 0; iy < height; iy++)
                {
                    int row = iy + pt;
                    if (row % s >= k) continue; // a row phase no tap reads (kernel smaller than the stride)
                    T* source = x + (c * height + iy) * width;
                    PhaseRows.Split(source, width, pl, s, b + (c * s + row % s) * s * plane + row / s * rowStride, plane);
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // see the class remarks: no tiering, no dynamic PGO
        private static unsafe void BackwardInput<T, TV, S>(T* dy, T* w, float* prepared, T* dx, in ConvolutionGeometry g, ReluStep<T> rule)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            if (g.IsDepthwise)
            {
                Depthwise.BackwardInput<T, TV, S>(dy, w, dx, g, rule);
                return;
            }
            if (Winograd4.Applies<T>(g))
            {
                // F(4×4, 3×3) applies the rule to each plane as it writes it, as F(2×2, 3×3) does.
                for (int group = 0; group < g.Groups; group++) Winograd4.BackwardInput((float*)dy, (float*)w, (float*)dx, g, group, Unsafe.As<ReluStep<T>, ReluStep<float>>(ref rule));
                return;
            }
            if (Winograd.Applies<T>(g))
            {
                // Winograd applies the rule to each plane as it writes it.
                for (int group = 0; group < g.Groups; group++)
                    Winograd.BackwardInput((float*)dy, (float*)w, t_unprepared ? null : prepared, (float*)dx, g, group, Unsafe.As<ReluStep<T>, ReluStep<float>>(ref rule));
                return;
            }
            for (int group = 0; group < g.Groups; group++)
            {
                if (g.Stride == 1 && g.GroupChannels >= S.TileRows) BackwardInputByChannels<T, TV, S>(dy, w, dx, g, group);
                else ConvolutionByTaps.BackwardInput<T, TV, S>(dy, w, dx, g, group);
            }
            // The rule follows in one vectorised pass over dx: the same bits as the separate call.
            rule.ApplyTo(dx, g.InputSize);
        }

        /// <summary>
        /// One group's input gradient for stride 1, rows = its input channels: <c>dx[c, iy, ix] = Σ_{f, ky', kx'} W[f, c, k−1−ky',
        /// k−1−kx'] · D[f, iy + ky', ix + kx']</c>, where <c>D</c> holds <c>dy[f, oy, ox]</c> at <c>(oy + k−1−pt, ox + k−1−pl)</c>
        /// and zeros elsewhere: a stride-1 correlation over <c>D</c>.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static unsafe void BackwardInputByChannels<T, TV, S>(T* dy, T* w, T* dx, in ConvolutionGeometry g, int group)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            int channels = g.GroupChannels, height = g.Height, width = g.Width, filters = g.GroupFilters, weightStride = g.Filters;
            int k = g.Kernel, oh = g.OutputHeight, ow = g.OutputWidth;
            dy += (long)group * filters * oh * ow;
            w += group * filters;
            dx += (long)group * channels * height * width;
            int vl = S.Count;
            int hq = height + k - 1, wq = width + k - 1, plane = hq * wq;
            int vectors = (height * wq + vl - 1) / vl;
            bool pointwise = k == 1 && oh == height && ow == width; // a 1×1 convolution without padding: D is dy itself
            T* d;
            if (pointwise && plane % vl == 0)
            {
                d = dy;
            }
            else
            {
                long maxOffset = (long)(filters - 1) * plane + (long)(k - 1) * wq + (k - 1);
                long staged = maxOffset + (long)vectors * vl;
                d = Scratch<T>.First(staged);
                new Span<T>(d, (int)staged).Clear();
                // dy's rows and columns that land inside D: an output whose window lies wholly in the padding used no input.
                int top = k - 1 - g.PadTop, left = k - 1 - g.PadLeft;
                int firstRow = Math.Max(0, -top), lastRow = Math.Min(oh, hq - top);
                int firstColumn = Math.Max(0, -left), lastColumn = Math.Min(ow, wq - left);
                for (int f = 0; f < filters && firstColumn < lastColumn; f++)
                {
                    for (int oy = firstRow; oy < lastRow; oy++)
                    {
                        new ReadOnlySpan<T>(dy + (f * oh + oy) * ow + firstColumn, lastColumn - firstColumn)
                            .CopyTo(new Span<T>(d + f * plane + (oy + top) * wq + left + firstColumn, lastColumn - firstColumn));
                    }
                }
            }

            int taps = filters * k * k;
            int* aOff = Scratch<int>.First(taps);
            int* bOff = Scratch<int>.Second(taps);
            int tap = 0;
            for (int f = 0; f < filters; f++)
            {
                for (int ky = 0; ky < k; ky++)
                {
                    for (int kx = 0; kx < k; kx++, tap++)
                    {
                        bOff[tap] = f * plane + ky * wq + kx;
                        aOff[tap] = ((k - 1 - ky) * k + (k - 1 - kx)) * weightStride + f;
                    }
                }
            }

            if (wq == width)
            {
                // No dropped columns (k = 1): the tiles store each channel's plane straight into dx.
                Tiles.Multiply<T, TV, S>(w, aOff, k * k * weightStride, channels, d, bOff, taps, vectors, dx, height * width, Epilogue<T>.Masked(height * width % vl));
                return;
            }
            int ldc = vectors * vl;
            T* result = Scratch<T>.Second((long)channels * ldc);
            Tiles.Multiply<T, TV, S>(w, aOff, k * k * weightStride, channels, d, bOff, taps, vectors, result, ldc);

            for (int c = 0; c < channels; c++)
            {
                T* source = result + c * ldc;
                T* target = dx + c * height * width;
                if (wq == width) new ReadOnlySpan<T>(source, height * width).CopyTo(new Span<T>(target, height * width));
                else
                {
                    for (int iy = 0; iy < height; iy++) new ReadOnlySpan<T>(source + iy * wq, width).CopyTo(new Span<T>(target + iy * width, width));
                }
            }
        }
    }
}
