using System.Numerics;
using System.Runtime.CompilerServices;

namespace Relucent.Kernels
{
    /// <summary>
    /// The convolution's parameter gradients (<see cref="GradientKernels.Convolution{T}"/>), added to the buffers:
    /// <c>∂W[f, tap] += Σ_q dy[f, q] · X[tap, q]</c>, where <c>X[tap, q]</c> is the input value tap
    /// <c>(c, ky, kx)</c> reads at output position <c>q</c>, and <c>∂b[f] += Σ_q dy[f, q]</c>. Two ways to run it:
    /// </summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item>By tiles: the product <c>G = X · dyᵀ</c> run by the register tiles of <see cref="Tiles"/>, as the forward pass
    /// runs its own: rows are taps, the sum runs over output positions, vectors run over filters, so each row is already
    /// one tap's slice of the column-major weight gradient (<c>tap·F + f</c>). <c>dyᵀ</c> is staged (filters side by
    /// side); <c>X</c> is read in place (implicit im2col): one product per kernel offset <c>(ky, kx)</c> whose rows are the
    /// input channels, a plane apart in the input, and whose offset table lists the positions. Any stride. Each element
    /// is one chain of fused multiply-adds over the positions in order.</item>
    /// <item>By dot products, for layers with few channels (a first layer: 1 or 3): <c>F·C·k·k</c> dot products with
    /// vectors along the positions, in register tiles of taps × filters (<see cref="DotTile{T, TV, S, TR, TF}"/>), each
    /// accumulator summed across its lanes once at the end. There, staging <c>dyᵀ</c> (F·positions scalar moves) would
    /// cost more than the product itself, whose vectors over filters would be partly empty besides.</item>
    /// </list>
    /// <para>The bias gradient is the same on both: each filter's plane of <c>dy</c> summed a vector at a time, then across
    /// the lanes. Results are deterministic bit for bit: every sum runs in a fixed order that depends only on the geometry
    /// and the SIMD width, never on the thread or an earlier call (the tiled product may be shared among threads by
    /// <see cref="KernelParallelism"/>, piece by piece, as the forward pass's is; the dot products run on the calling
    /// thread). On the scalar path every sum runs over the positions in order, unfused, as a plain loop would. Scratch is
    /// per thread: nothing is allocated per call.</para>
    /// </remarks>
    internal static unsafe class ConvolutionWeightGradient
    {
        /// <summary>Adds this example's gradients; <paramref name="biasGradient"/> is null for a layer without bias.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // as the convolution drivers: no tiering, no dynamic PGO (every method here)
        public static void Add<T, TV, S>(T* x, T* dy, T* weightGradient, T* biasGradient, in ConvolutionGeometry g)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            if (biasGradient != null) AddBias<T, TV, S>(dy, g.Filters, g.OutputHeight * g.OutputWidth, biasGradient);
            for (int group = 0; group < g.Groups; group++)
            {
                // Measured (AVX-512): dot products 3–4× faster with 1 or 3 channels, even at 8, slower from 16 on.
                if (g.GroupChannels < S.TileRows) ByDotProducts<T, TV, S>(x, dy, weightGradient, g, group);
                else ByTiles<T, TV, S>(x, dy, weightGradient, g, group);
            }
        }

        /// <summary><c>∂b[f] += Σ_q dy[f, q]</c>: the plane a vector at a time (the last one partial), then the lanes.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void AddBias<T, TV, S>(T* dy, int filters, int positions, T* biasGradient)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            int vl = S.Count;
            for (int f = 0; f < filters; f++)
            {
                T* plane = dy + f * positions;
                TV sum = S.Zero;
                int q = 0;
                for (; q + vl <= positions; q += vl) sum = S.Add(sum, S.Load(plane + q));
                if (q < positions) sum = S.Add(sum, S.LoadFirst(plane + q, positions - q));
                biasGradient[f] += S.Sum(sum);
            }
        }

        // ---- By tiles ----

        /// <summary>One group's weight gradient as the product <c>G = X · dyᵀ</c> (see the class remarks), added to the buffer.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void ByTiles<T, TV, S>(T* x, T* dy, T* weightGradient, in ConvolutionGeometry g, int group)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            int channels = g.GroupChannels, filters = g.GroupFilters, k = g.Kernel, weightStride = g.Filters;
            int positions = g.OutputHeight * g.OutputWidth, taps = channels * k * k;
            x += (long)group * channels * g.Height * g.Width;
            dy += (long)group * filters * positions;
            weightGradient += group * filters;
            int vl = S.Count, vectors = (filters + vl - 1) / vl, ldf = vectors * vl;

            T* d = Scratch<T>.Second((long)positions * ldf);
            StageTransposed<T, TV, S>(dy, filters, positions, d, ldf);
            int* bOff = Scratch<int>.Second(positions);
            for (int q = 0; q < positions; q++) bOff[q] = q * ldf;

            // G[tap, f] at tap·ldf + f, channels as rows: row c reads the input at c·plane + (oy·s + ky)·Wp + ox·s + kx and
            // writes tap (c·k + ky)·k + kx, so rows are a plane apart in the input and k² taps apart in G.
            T* product = Scratch<T>.Third((long)taps * ldf);
            T* a = Padded<T, TV, S>(x, g, channels, out int wp, out int plane);
            int* aOff = Scratch<int>.First(positions);
            for (int oy = 0, q = 0; oy < g.OutputHeight; oy++)
            {
                for (int ox = 0; ox < g.OutputWidth; ox++, q++) aOff[q] = (oy * wp + ox) * g.Stride;
            }
            for (int ky = 0; ky < k; ky++)
            {
                for (int kx = 0; kx < k; kx++)
                {
                    Tiles.Multiply<T, TV, S>(a + ky * wp + kx, aOff, plane, channels, d, bOff, positions, vectors, product + (ky * k + kx) * ldf, (nint)k * k * ldf);
                }
            }

            if (ldf == filters && filters == weightStride) Rows.Add<T, TV, S>(weightGradient, product, taps * filters);
            else
            {
                for (int t = 0; t < taps; t++) Rows.Add<T, TV, S>(weightGradient + t * weightStride, product + t * ldf, filters);
            }
        }

        /// <summary>
        /// <c>d[q·ldf + f] = dy[f·positions + q]</c>, zero for <c>filters ≤ f &lt; ldf</c>: the filters of one position side by
        /// side. In blocks of positions, so each filter's run of dy is read contiguously and the block's rows stay in cache.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void StageTransposed<T, TV, S>(T* dy, int filters, int positions, T* d, int ldf)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            const int Block = 32;
            int vl = S.Count;
            for (int q0 = 0; q0 < positions; q0 += Block)
            {
                int n = Math.Min(Block, positions - q0);
                T* block = d + q0 * ldf;
                if (filters != ldf)
                {
                    // The lanes past the last filter, in the row's last vector (the values below overwrite the rest of it).
                    for (int j = 0; j < n; j++) S.Store(block + j * ldf + ldf - vl, S.Zero);
                }
                for (int f = 0; f < filters; f++)
                {
                    T* source = dy + f * positions + q0;
                    T* target = block + f;
                    for (int j = 0; j < n; j++) target[j * ldf] = source[j];
                }
            }
        }

        /// <summary>
        /// The <paramref name="channels"/> planes at <paramref name="x"/> with their zero border (in scratch), or the input itself
        /// without padding; rows <paramref name="wp"/> wide.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static T* Padded<T, TV, S>(T* x, in ConvolutionGeometry g, int channels, out int wp, out int plane)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            wp = g.Width + g.PadLeft + g.PadRight;
            plane = (g.Height + g.PadTop + g.PadBottom) * wp;
            if (g.PadTop == 0 && g.PadLeft == 0 && g.PadBottom == 0 && g.PadRight == 0) return x;
            T* a = Scratch<T>.First((long)channels * plane + S.Count); // + the last row's overhang
            ConvolutionKernels.StagePadded<T, TV, S>(x, channels, g.Height, g.Width, g.PadTop, g.PadLeft, g.PadBottom, g.PadRight, a);
            return a;
        }

        // ---- By dot products ----

        /// <summary>
        /// Rows of <c>X</c> (one per tap, at <c>xOff[t]</c>) and of <c>dy</c> (one per filter, <c>ld</c> apart) staged to the
        /// same length, whole vectors with zeros past the last position, then <see cref="DotTile{T, TV, S, TR, TF}"/> over
        /// tiles of taps × filters. Stride 1: the input is staged with its zero border, rows <c>Wp</c> wide; tap <c>(c, ky, kx)</c> reads position
        /// <c>oy·Wp + ox</c> at <c>c·plane + ky·Wp + kx</c> on, and <c>dy</c>'s rows are widened to <c>Wp</c> with zeros in the
        /// <c>k − 1</c> extra columns, so the values those columns read (finite inputs) add nothing. Larger strides: an
        /// explicit im2col matrix (tap t's value at each output position, zero in the padding) and <c>dy</c> as it is.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void ByDotProducts<T, TV, S>(T* x, T* dy, T* weightGradient, in ConvolutionGeometry g, int group)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            int channels = g.GroupChannels, height = g.Height, width = g.Width, filters = g.GroupFilters, weightStride = g.Filters;
            int k = g.Kernel, oh = g.OutputHeight, ow = g.OutputWidth;
            x += (long)group * channels * height * width;
            dy += (long)group * filters * oh * ow;
            weightGradient += group * filters;
            int taps = channels * k * k, vl = S.Count;
            int* xOff = Scratch<int>.First(taps);
            T* a, d;
            int vectors, ld;
            if (g.Stride == 1)
            {
                int wp = width + g.PadLeft + g.PadRight, plane = (height + g.PadTop + g.PadBottom) * wp;
                vectors = (oh * wp + vl - 1) / vl;
                ld = vectors * vl;
                long staged = (long)(channels - 1) * plane + (long)(k - 1) * wp + (k - 1) + ld; // the last tap's last vector ends here
                a = Scratch<T>.First(Math.Max(staged, (long)channels * plane + vl)); // (staging may overhang the last plane by a vector)
                ConvolutionKernels.StagePadded<T, TV, S>(x, channels, height, width, g.PadTop, g.PadLeft, g.PadBottom, g.PadRight, a);
                if (staged > (long)channels * plane) new Span<T>(a + channels * plane, (int)(staged - (long)channels * plane)).Clear();
                for (int c = 0, t = 0; c < channels; c++)
                {
                    for (int ky = 0; ky < k; ky++)
                    {
                        for (int kx = 0; kx < k; kx++) xOff[t++] = c * plane + ky * wp + kx;
                    }
                }

                // Rows staged in whole vectors, each overwriting the previous one's overhang (hence a vector of slack).
                d = Scratch<T>.Second((long)filters * ld + vl);
                for (int f = 0; f < filters; f++)
                {
                    T* row = d + f * ld;
                    for (int oy = 0; oy < oh; oy++) Rows.CopyPadded<T, TV, S>(dy + (f * oh + oy) * ow, ow, row + oy * wp, wp);
                    new Span<T>(row + oh * wp, ld - oh * wp).Clear();
                }
            }
            else
            {
                int positions = oh * ow;
                vectors = (positions + vl - 1) / vl;
                ld = vectors * vl;
                a = Scratch<T>.First((long)taps * ld);
                Im2Col.Fill(x, g, channels, a, ld);
                for (int t = 0; t < taps; t++) xOff[t] = t * ld;
                d = Scratch<T>.Second((long)filters * ld);
                for (int f = 0; f < filters; f++) Rows.CopyPadded<T, TV, S>(dy + f * positions, positions, d + f * ld, ld);
            }

            // Tiles of up to 6 taps × 4 filters with 32 vector registers, 3 × 3 with 16; each dimension shared evenly.
            int maxTaps = S.TileRows == 8 ? 6 : 3, maxFilters = S.TileRows == 8 ? 4 : 3;
            int tapTiles = (taps + maxTaps - 1) / maxTaps, filterTiles = (filters + maxFilters - 1) / maxFilters;
            for (int i = 0; i < tapTiles; i++)
            {
                int t0 = i * (taps / tapTiles) + Math.Min(i, taps % tapTiles);
                int tr = taps / tapTiles + (i < taps % tapTiles ? 1 : 0);
                for (int j = 0; j < filterTiles; j++)
                {
                    int f0 = j * (filters / filterTiles) + Math.Min(j, filters % filterTiles);
                    int tf = filters / filterTiles + (j < filters % filterTiles ? 1 : 0);
                    DotTile<T, TV, S>(tr, tf, a, xOff + t0, d + f0 * ld, ld, vectors, weightGradient + t0 * weightStride + f0, weightStride);
                }
            }
        }


        /// <summary>One tile of <paramref name="taps"/> × <paramref name="filters"/> dot products, by its shape.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void DotTile<T, TV, S>(int taps, int filters, T* a, int* xOff, T* d, nint ld, int vectors, T* g, nint ldg)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            switch (taps * 8 + filters)
            {
                case 9: DotTile<T, TV, S, Count1, Count1>(a, xOff, d, ld, vectors, g, ldg); break;
                case 10: DotTile<T, TV, S, Count1, Count2>(a, xOff, d, ld, vectors, g, ldg); break;
                case 11: DotTile<T, TV, S, Count1, Count3>(a, xOff, d, ld, vectors, g, ldg); break;
                case 12: DotTile<T, TV, S, Count1, Count4>(a, xOff, d, ld, vectors, g, ldg); break;
                case 17: DotTile<T, TV, S, Count2, Count1>(a, xOff, d, ld, vectors, g, ldg); break;
                case 18: DotTile<T, TV, S, Count2, Count2>(a, xOff, d, ld, vectors, g, ldg); break;
                case 19: DotTile<T, TV, S, Count2, Count3>(a, xOff, d, ld, vectors, g, ldg); break;
                case 20: DotTile<T, TV, S, Count2, Count4>(a, xOff, d, ld, vectors, g, ldg); break;
                case 25: DotTile<T, TV, S, Count3, Count1>(a, xOff, d, ld, vectors, g, ldg); break;
                case 26: DotTile<T, TV, S, Count3, Count2>(a, xOff, d, ld, vectors, g, ldg); break;
                case 27: DotTile<T, TV, S, Count3, Count3>(a, xOff, d, ld, vectors, g, ldg); break;
                case 28: DotTile<T, TV, S, Count3, Count4>(a, xOff, d, ld, vectors, g, ldg); break;
                case 33: DotTile<T, TV, S, Count4, Count1>(a, xOff, d, ld, vectors, g, ldg); break;
                case 34: DotTile<T, TV, S, Count4, Count2>(a, xOff, d, ld, vectors, g, ldg); break;
                case 35: DotTile<T, TV, S, Count4, Count3>(a, xOff, d, ld, vectors, g, ldg); break;
                case 36: DotTile<T, TV, S, Count4, Count4>(a, xOff, d, ld, vectors, g, ldg); break;
                case 41: DotTile<T, TV, S, Count5, Count1>(a, xOff, d, ld, vectors, g, ldg); break;
                case 42: DotTile<T, TV, S, Count5, Count2>(a, xOff, d, ld, vectors, g, ldg); break;
                case 43: DotTile<T, TV, S, Count5, Count3>(a, xOff, d, ld, vectors, g, ldg); break;
                case 44: DotTile<T, TV, S, Count5, Count4>(a, xOff, d, ld, vectors, g, ldg); break;
                case 49: DotTile<T, TV, S, Count6, Count1>(a, xOff, d, ld, vectors, g, ldg); break;
                case 50: DotTile<T, TV, S, Count6, Count2>(a, xOff, d, ld, vectors, g, ldg); break;
                case 51: DotTile<T, TV, S, Count6, Count3>(a, xOff, d, ld, vectors, g, ldg); break;
                case 52: DotTile<T, TV, S, Count6, Count4>(a, xOff, d, ld, vectors, g, ldg); break;
            }
        }

        /// <summary>
        /// <c>g[r·ldg + j] += Σ_i X_r[i] · D_j[i]</c> for <typeparamref name="TR"/> taps (rows of <c>X</c> at
        /// <c>a + xOff[r]</c>) × <typeparamref name="TF"/> filters (rows of <c>D</c> <paramref name="ld"/> apart), over
        /// <paramref name="vectors"/> whole vectors. Each step loads the TF filter vectors once and each tap's vector once
        /// for TR·TF fused multiply-adds; each accumulator is one chain per lane, summed across its lanes once at the end.
        /// The guards are constants, so each shape compiles to straight-line code.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static void DotTile<T, TV, S, TR, TF>(T* a, int* xOff, T* d, nint ld, int vectors, T* g, nint ldg)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV> where TR : struct, ICount where TF : struct, ICount
        {
            // No call may stay in this method: the JIT keeps vectors live across a call on the stack.
            nint vl = S.Count, end = vectors * vl;
            T* x0 = a + xOff[0];
            T* x1 = TR.Value > 1 ? a + xOff[1] : x0;
            T* x2 = TR.Value > 2 ? a + xOff[2] : x0;
            T* x3 = TR.Value > 3 ? a + xOff[3] : x0;
            T* x4 = TR.Value > 4 ? a + xOff[4] : x0;
            T* x5 = TR.Value > 5 ? a + xOff[5] : x0;
            TV c00 = S.Zero; TV c01 = S.Zero; TV c02 = S.Zero; TV c03 = S.Zero;
            TV c10 = S.Zero; TV c11 = S.Zero; TV c12 = S.Zero; TV c13 = S.Zero;
            TV c20 = S.Zero; TV c21 = S.Zero; TV c22 = S.Zero; TV c23 = S.Zero;
            TV c30 = S.Zero; TV c31 = S.Zero; TV c32 = S.Zero; TV c33 = S.Zero;
            TV c40 = S.Zero; TV c41 = S.Zero; TV c42 = S.Zero; TV c43 = S.Zero;
            TV c50 = S.Zero; TV c51 = S.Zero; TV c52 = S.Zero; TV c53 = S.Zero;
            for (nint i = 0; i < end; i += vl)
            {
                T* dp = d + i;
                TV d0 = S.Load(dp);
                TV d1 = TF.Value > 1 ? S.Load(dp + ld) : S.Zero;
                TV d2 = TF.Value > 2 ? S.Load(dp + 2 * ld) : S.Zero;
                TV d3 = TF.Value > 3 ? S.Load(dp + 3 * ld) : S.Zero;
                { TV v = S.Load(x0 + i); c00 = S.MultiplyAdd(v, d0, c00); if (TF.Value > 1) c01 = S.MultiplyAdd(v, d1, c01); if (TF.Value > 2) c02 = S.MultiplyAdd(v, d2, c02); if (TF.Value > 3) c03 = S.MultiplyAdd(v, d3, c03); }
                if (TR.Value > 1) { TV v = S.Load(x1 + i); c10 = S.MultiplyAdd(v, d0, c10); if (TF.Value > 1) c11 = S.MultiplyAdd(v, d1, c11); if (TF.Value > 2) c12 = S.MultiplyAdd(v, d2, c12); if (TF.Value > 3) c13 = S.MultiplyAdd(v, d3, c13); }
                if (TR.Value > 2) { TV v = S.Load(x2 + i); c20 = S.MultiplyAdd(v, d0, c20); if (TF.Value > 1) c21 = S.MultiplyAdd(v, d1, c21); if (TF.Value > 2) c22 = S.MultiplyAdd(v, d2, c22); if (TF.Value > 3) c23 = S.MultiplyAdd(v, d3, c23); }
                if (TR.Value > 3) { TV v = S.Load(x3 + i); c30 = S.MultiplyAdd(v, d0, c30); if (TF.Value > 1) c31 = S.MultiplyAdd(v, d1, c31); if (TF.Value > 2) c32 = S.MultiplyAdd(v, d2, c32); if (TF.Value > 3) c33 = S.MultiplyAdd(v, d3, c33); }
                if (TR.Value > 4) { TV v = S.Load(x4 + i); c40 = S.MultiplyAdd(v, d0, c40); if (TF.Value > 1) c41 = S.MultiplyAdd(v, d1, c41); if (TF.Value > 2) c42 = S.MultiplyAdd(v, d2, c42); if (TF.Value > 3) c43 = S.MultiplyAdd(v, d3, c43); }
                if (TR.Value > 5) { TV v = S.Load(x5 + i); c50 = S.MultiplyAdd(v, d0, c50); if (TF.Value > 1) c51 = S.MultiplyAdd(v, d1, c51); if (TF.Value > 2) c52 = S.MultiplyAdd(v, d2, c52); if (TF.Value > 3) c53 = S.MultiplyAdd(v, d3, c53); }
            }
            { T* gp = g; gp[0] += S.Sum(c00); if (TF.Value > 1) gp[1] += S.Sum(c01); if (TF.Value > 2) gp[2] += S.Sum(c02); if (TF.Value > 3) gp[3] += S.Sum(c03); }
            if (TR.Value > 1) { T* gp = g + ldg; gp[0] += S.Sum(c10); if (TF.Value > 1) gp[1] += S.Sum(c11); if (TF.Value > 2) gp[2] += S.Sum(c12); if (TF.Value > 3) gp[3] += S.Sum(c13); }
            if (TR.Value > 2) { T* gp = g + 2 * ldg; gp[0] += S.Sum(c20); if (TF.Value > 1) gp[1] += S.Sum(c21); if (TF.Value > 2) gp[2] += S.Sum(c22); if (TF.Value > 3) gp[3] += S.Sum(c23); }
            if (TR.Value > 3) { T* gp = g + 3 * ldg; gp[0] += S.Sum(c30); if (TF.Value > 1) gp[1] += S.Sum(c31); if (TF.Value > 2) gp[2] += S.Sum(c32); if (TF.Value > 3) gp[3] += S.Sum(c33); }
            if (TR.Value > 4) { T* gp = g + 4 * ldg; gp[0] += S.Sum(c40); if (TF.Value > 1) gp[1] += S.Sum(c41); if (TF.Value > 2) gp[2] += S.Sum(c42); if (TF.Value > 3) gp[3] += S.Sum(c43); }
            if (TR.Value > 5) { T* gp = g + 5 * ldg; gp[0] += S.Sum(c50); if (TF.Value > 1) gp[1] += S.Sum(c51); if (TF.Value > 2) gp[2] += S.Sum(c52); if (TF.Value > 3) gp[3] += S.Sum(c53); }
        }
    }
}
