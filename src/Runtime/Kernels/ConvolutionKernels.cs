using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Relucent.Kernels
{
    /// <summary>
    /// 2-D convolution as PyTorch's <c>nn.Conv2d</c> computes it (cross-correlation, square kernel, zero padding),
    /// on one NCHW example. The weight is <c>[filters, channels·k·k]</c> column-major (a MathNet <c>Matrix</c>),
    /// so the weights of one tap <c>(c, ky, kx)</c> across all filters are contiguous.
    /// </summary>
    /// <remarks>
    /// <para>Both directions are one matrix product run by the register tiles of <see cref="Tiles"/>, SIMD with fused
    /// multiply-adds (AVX-512, AVX2, 128-bit or scalar, whichever the machine has):</para>
    /// <list type="bullet">
    /// <item>Forward, stride 1: implicit im2col. The input is staged with its zero border in a scratch buffer of
    /// padded width <c>Wp</c>; output position <c>q = oy·Wp + ox</c> of tap <c>(c, ky, kx)</c> then reads the staged
    /// input at <c>q + c·plane + ky·Wp + kx</c>, a contiguous run in <c>q</c>, so no im2col matrix is built. The
    /// <c>Wp − OW</c> columns past each output row are computed and dropped when the result is copied out (with the
    /// bias). Stride &gt; 1 builds the im2col matrix explicitly in scratch and runs the same tiles.</item>
    /// <item>Input gradient: the transposed convolution as a stride-1 convolution of the output gradient, scattered
    /// (dilated by the stride) into a zero buffer with a border of <c>k − 1 − p</c>, with the flipped, transposed weights
    /// read in place through offset tables (no weight copy); rows are input channels. With fewer channels than a tile has
    /// rows (a first layer: 1 or 3 channels), stride 1 instead multiplies <c>Wᵀ · dy</c> with the C·k·k taps as rows and
    /// gathers the shifted rows into <c>dx</c> (col2im).</item>
    /// </list>
    /// <para>3×3 stride-1 convolutions with at least 8 channels and 8 filters, in float on AVX-512, take Winograd's
    /// F(2×2, 3×3) instead (<see cref="Winograd"/>), both directions: 2.25× fewer multiply-adds, the same tiles.</para>
    /// <para>Sizes: a <see cref="ConvolutionGeometry"/> exists only if its tensors and every scratch buffer these kernels
    /// may ask for (<see cref="Model.KernelScratch"/>) fit within <see cref="Model.Limits.MaxElements"/>, so no index here
    /// can overflow an <c>int</c>; scratch sizes are computed in <c>long</c> all the same, and <see cref="Scratch{T}"/>
    /// refuses a request beyond the limit before forming a pointer.</para>
    /// <para>Scratch memory: per-thread buffers grown once (<see cref="Scratch{T}"/>); nothing is allocated per call.
    /// Every output is one sum over taps in a fixed order, so results are deterministic bit for bit. A large call may
    /// share its tiles among threads (<see cref="KernelParallelism"/>, opt-in) without changing a bit.</para>
    /// <para>The drivers are marked <c>AggressiveOptimization</c>, like the inner kernels: compiled once, fully optimised,
    /// outside tiered compilation and dynamic PGO. With PGO, steady-state calls of whole networks measured 5–25 % slower
    /// (vgg, mnist_cnn; A/B against <c>DOTNET_TieredPGO=0</c>), and the first calls are slow until tier 1 arrives.</para>
    /// </remarks>
    public static class ConvolutionKernels
    {
        /// <summary>
        /// <c>y[f, oy, ox] = b[f] + Σ_{c,ky,kx} W[f, c, ky, kx] · x[c, oy·s − p + ky, ox·s − p + kx]</c>; with
        /// <paramref name="relu"/>, <c>max(·, 0)</c> of that: the ReLU that follows the layer, applied as each value is stored
        /// (the same bits as <see cref="ActivationKernels.Relu{T}"/> afterwards, without the second pass over <c>y</c>).
        /// </summary>
        public static unsafe void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> y, in ConvolutionGeometry g, bool relu = false)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Made(g);
            Check.Length(x, g.InputSize, nameof(x));
            Check.Length(weight, g.WeightSize, nameof(weight));
            Check.Length(y, g.OutputSize, nameof(y));
            if (!bias.IsEmpty) Check.Length(bias, g.Filters, nameof(bias));
            fixed (T* px = x, pw = weight, pb = bias, py = y)
            {
                T* pbias = bias.IsEmpty ? null : pb;
                if (Winograd.Applies<T>(g)) Winograd.Forward((float*)px, (float*)pw, (float*)pbias, (float*)py, g, relu);
                else if (SimdWidth.Use512) Forward<T, Vector512<T>, Simd512<T>>(px, pw, pbias, py, g, relu);
                else if (SimdWidth.Use256) Forward<T, Vector256<T>, Simd256<T>>(px, pw, pbias, py, g, relu);
                else if (SimdWidth.Use128) Forward<T, Vector128<T>, Simd128<T>>(px, pw, pbias, py, g, relu);
                else Forward<T, T, SimdScalar<T>>(px, pw, pbias, py, g, relu);
            }
        }

        /// <summary>The input gradient: <c>dx[c, iy, ix] = Σ W[f, c, ky, kx] · dy[f, oy, ox]</c> over every use of <c>x[c, iy, ix]</c>.</summary>
        public static unsafe void BackwardInput<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> weight, Span<T> dx, in ConvolutionGeometry g)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Made(g);
            Check.Length(dy, g.OutputSize, nameof(dy));
            Check.Length(weight, g.WeightSize, nameof(weight));
            Check.Length(dx, g.InputSize, nameof(dx));
            fixed (T* pdy = dy, pw = weight, pdx = dx)
            {
                if (Winograd.Applies<T>(g)) Winograd.BackwardInput((float*)pdy, (float*)pw, (float*)pdx, g);
                else if (SimdWidth.Use512) BackwardInput<T, Vector512<T>, Simd512<T>>(pdy, pw, pdx, g);
                else if (SimdWidth.Use256) BackwardInput<T, Vector256<T>, Simd256<T>>(pdy, pw, pdx, g);
                else if (SimdWidth.Use128) BackwardInput<T, Vector128<T>, Simd128<T>>(pdy, pw, pdx, g);
                else BackwardInput<T, T, SimdScalar<T>>(pdy, pw, pdx, g);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // see the class remarks: no tiering, no dynamic PGO
        private static unsafe void Forward<T, TV, S>(T* x, T* w, T* bias, T* y, in ConvolutionGeometry g, bool relu)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            int channels = g.Channels, height = g.Height, width = g.Width, filters = g.Filters;
            int k = g.Kernel, p = g.Padding, s = g.Stride, oh = g.OutputHeight, ow = g.OutputWidth;
            int taps = channels * k * k;
            int vl = S.Count;
            int* aOff = Scratch<int>.First(taps);
            int* bOff = Scratch<int>.Second(taps);
            for (int t = 0; t < taps; t++) aOff[t] = t * filters;

            int rowStride, vectors;
            T* b;
            if (s == 1)
            {
                // Implicit im2col over the input staged with its zero border: row width wp, plane hp·wp.
                int hp = height + 2 * p, wp = width + 2 * p, plane = hp * wp;
                rowStride = wp;
                vectors = (oh * wp + vl - 1) / vl;
                long maxOffset = (long)(channels - 1) * plane + (long)(k - 1) * wp + (k - 1);
                long staged = maxOffset + (long)vectors * vl; // ≥ channels·plane: the last tile reads up to here
                b = Scratch<T>.First(staged + vl); // + a vector: the last staged row may overhang by that much (below)
                if (p == 0)
                {
                    new ReadOnlySpan<T>(x, channels * plane).CopyTo(new Span<T>(b, channels * plane));
                }
                else
                {
                    for (int c = 0; c < channels; c++)
                    {
                        // Rows in whole vectors: each writes its values, its right border and the next row's left one, and
                        // may overhang with zeros into the next row, which is written afterwards. One short span copy per
                        // row instead cost more than the whole product on small layers (LeNet's: 12 values a row).
                        T* planeStart = b + c * plane;
                        new Span<T>(planeStart, p * wp + p).Clear(); // the rows above and the first row's left border
                        for (int iy = 0; iy < height; iy++)
                        {
                            Rows.CopyPadded<T, TV, S>(x + (c * height + iy) * width, width, planeStart + (iy + p) * wp + p, wp);
                        }
                        int below = (height + p) * wp + p; // where the last row's borders end
                        new Span<T>(planeStart + below, plane - below).Clear(); // the rows below
                    }
                }
                // Slack past the last plane feeds only the dropped columns and rows; zero it all the same.
                new Span<T>(b + channels * plane, (int)(staged - channels * plane)).Clear();
                int tap = 0;
                for (int c = 0; c < channels; c++)
                {
                    for (int ky = 0; ky < k; ky++)
                    {
                        for (int kx = 0; kx < k; kx++) bOff[tap++] = c * plane + ky * wp + kx;
                    }
                }
            }
            else
            {
                // Explicit im2col: row t holds tap t's input value for every output position, oh·ow of them.
                rowStride = ow;
                vectors = (oh * ow + vl - 1) / vl;
                int columns = vectors * vl;
                b = Scratch<T>.First((long)taps * columns);
                Im2Col.Fill(x, g, b, columns);
                for (int t = 0; t < taps; t++) bOff[t] = t * columns;
            }

            int ldc = vectors * vl;
            T* result = Scratch<T>.Second((long)filters * ldc);
            Tiles.Multiply<T, TV, S>(w, aOff, 1, filters, b, bOff, taps, vectors, result, ldc);

            // Copy the valid columns out, adding the bias (and applying the ReLU that follows, if asked).
            for (int f = 0; f < filters; f++)
            {
                T add = bias == null ? T.Zero : bias[f];
                T* source = result + f * ldc;
                T* target = y + f * oh * ow;
                if (rowStride == ow)
                {
                    Rows.AddScalar<T, TV, S>(source, add, target, oh * ow, relu);
                }
                else
                {
                    for (int oy = 0; oy < oh; oy++) Rows.AddScalar<T, TV, S>(source + oy * rowStride, add, target + oy * ow, ow, relu);
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // see the class remarks: no tiering, no dynamic PGO
        private static unsafe void BackwardInput<T, TV, S>(T* dy, T* w, T* dx, in ConvolutionGeometry g)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            int channels = g.Channels, height = g.Height, width = g.Width, filters = g.Filters;
            int k = g.Kernel, p = g.Padding, s = g.Stride, oh = g.OutputHeight, ow = g.OutputWidth;
            int vl = S.Count;
            if (s == 1 && channels < S.TileRows)
            {
                // Too few channels to fill a tile's rows: use the taps as rows instead.
                BackwardInputByTaps<T, TV, S>(dy, w, dx, g);
                return;
            }

            // dx[c, iy, ix] = Σ_{f, ky', kx'} W[f, c, k−1−ky', k−1−kx'] · D[f, iy + ky', ix + kx'], where D holds dy[f, oy, ox]
            // at (oy·s + k−1−p, ox·s + k−1−p) and zeros elsewhere: a stride-1 convolution over D, rows = input channels.
            int hq = height + k - 1, wq = width + k - 1, plane = hq * wq;
            int vectors = (height * wq + vl - 1) / vl;
            long maxOffset = (long)(filters - 1) * plane + (long)(k - 1) * wq + (k - 1);
            long staged = maxOffset + (long)vectors * vl;
            T* d = Scratch<T>.First(staged);
            int shift = k - 1 - p;
            if (s == 1 && shift >= 0)
            {
                // Row by row: the zero border and dy's rows, each value written once.
                for (int f = 0; f < filters; f++)
                {
                    T* planeStart = d + f * plane;
                    new Span<T>(planeStart, shift * wq).Clear();
                    for (int oy = 0; oy < oh; oy++)
                    {
                        T* row = planeStart + (oy + shift) * wq;
                        new Span<T>(row, shift).Clear();
                        new ReadOnlySpan<T>(dy + (f * oh + oy) * ow, ow).CopyTo(new Span<T>(row + shift, ow));
                        new Span<T>(row + shift + ow, wq - shift - ow).Clear();
                    }
                    new Span<T>(planeStart + (oh + shift) * wq, (hq - oh - shift) * wq).Clear();
                }
                new Span<T>(d + filters * plane, (int)(staged - filters * plane)).Clear();
            }
            else
            {
                new Span<T>(d, (int)staged).Clear();
                // The output columns whose window touches the input: 0 ≤ ox·s + shift < wq.
                int first = shift >= 0 ? 0 : (-shift + s - 1) / s;
                int last = wq - 1 - shift < 0 ? 0 : Math.Min(ow, (wq - 1 - shift) / s + 1);
                for (int f = 0; f < filters && first < last; f++)
                {
                    for (int oy = 0; oy < oh; oy++)
                    {
                        int row = oy * s + shift;
                        if (row < 0 || row >= hq) continue; // this output's window lies wholly in the padding: it used no input
                        T* source = dy + (f * oh + oy) * ow;
                        T* target = d + f * plane + row * wq + shift;
                        for (int ox = first; ox < last; ox++) target[ox * s] = source[ox];
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
                        aOff[tap] = ((k - 1 - ky) * k + (k - 1 - kx)) * filters + f;
                    }
                }
            }

            int ldc = vectors * vl;
            T* result = Scratch<T>.Second((long)channels * ldc);
            Tiles.Multiply<T, TV, S>(w, aOff, k * k * filters, channels, d, bOff, taps, vectors, result, ldc);

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

        /// <summary>
        /// The input gradient for stride 1 as <c>dcol = Wᵀ · dy</c> (rows: the C·k·k taps, summing over filters), then
        /// col2im as a gather: each vector of <c>dx</c> sums its k² shifted reads of <c>dcol</c>, taps in order, and is
        /// stored once. The output gradient is staged with rows widened to the padded input width <c>wp = ow + k − 1</c>,
        /// so a tap's shift is one contiguous run and the <c>k − 1</c> extra columns of each row are exact zeros: a read
        /// that falls left or right of a row lands on them (or on the zeroed margin before the first row).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // see the class remarks: no tiering, no dynamic PGO
        private static unsafe void BackwardInputByTaps<T, TV, S>(T* dy, T* w, T* dx, in ConvolutionGeometry g)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            int channels = g.Channels, height = g.Height, width = g.Width, filters = g.Filters;
            int k = g.Kernel, p = g.Padding, oh = g.OutputHeight, ow = g.OutputWidth;
            int vl = S.Count;
            int wp = width + 2 * p; // = ow + k − 1 at stride 1
            int vectors = (oh * wp + vl - 1) / vl, ldb = vectors * vl;

            // B[f, oy·wp + ox] = dy[f, oy, ox], zero for ox ≥ ow and past oh·wp. Rows are staged in whole vectors, each
            // overwriting the previous one's overhang (hence a vector of slack after the last plane).
            T* b = Scratch<T>.First((long)filters * ldb + vl);
            for (int f = 0; f < filters; f++)
            {
                T* plane = b + f * ldb;
                for (int oy = 0; oy < oh; oy++) Rows.CopyPadded<T, TV, S>(dy + (f * oh + oy) * ow, ow, plane + oy * wp, wp);
                new Span<T>(plane + oh * wp, ldb - oh * wp).Clear();
            }

            int taps = channels * k * k;
            int* aOff = Scratch<int>.First(filters);
            int* bOff = Scratch<int>.Second(filters);
            for (int f = 0; f < filters; f++)
            {
                aOff[f] = f;        // A[tap, f] = W[f, tap] at tap·F + f: row stride F
                bOff[f] = f * ldb;
            }
            // dcol rows of ldc values: a zero margin of k − 1 before the ldb the product writes, and a vector of slack
            // after it that only lanes past the row end (never stored) read.
            int margin = k - 1, ldc = margin + ldb + vl;
            T* dcol = Scratch<T>.Second((long)taps * ldc);
            for (int t = 0; t < taps; t++) new Span<T>(dcol + t * ldc, margin).Clear();
            Tiles.Multiply<T, TV, S>(w, aOff, filters, taps, b, bOff, filters, vectors, dcol + margin, ldc);

            // dx[c, iy, ix] = Σ_{ky, kx} dcol[(c, ky, kx), (iy + p − ky)·wp + ix + p − kx] over the rows 0 ≤ iy + p − ky < oh.
            for (int c = 0; c < channels; c++)
            {
                for (int iy = 0; iy < height; iy++)
                {
                    T* target = dx + (c * height + iy) * width;
                    for (int ix = 0; ix < width; ix += vl)
                    {
                        TV sum = S.Zero;
                        for (int ky = 0; ky < k; ky++)
                        {
                            int oy = iy + p - ky;
                            if ((uint)oy >= (uint)oh) continue;
                            T* row = dcol + ((c * k + ky) * k) * ldc + margin + oy * wp + ix + p;
                            for (int kx = 0; kx < k; kx++) sum = S.Add(sum, S.Load(row + kx * ldc - kx));
                        }
                        int count = width - ix;
                        if (count >= vl) S.Store(target + ix, sum);
                        else S.StoreFirst(target + ix, sum, count);
                    }
                }
            }
        }
    }
}
