using System.Numerics;
using System.Runtime.CompilerServices;

namespace Relucent.Kernels
{
    /// <summary>
    /// A convolution's input gradient by taps, for any stride and padding: <c>dcol = Wᵀ · dy</c> on the register tiles of
    /// <see cref="Tiles"/> (rows: the group's C·k·k taps; the sum runs over its filters; columns: output positions), then
    /// col2im as a gather, each input value summing its taps in order. Used where the stride-1 correlation over the output
    /// gradient would waste work: strides above 1 (the correlation would run over a gradient dilated with zeros, s² times the
    /// products) and groups with fewer channels than a tile has rows (a first layer: 1 or 3 channels).
    /// </summary>
    /// <remarks>
    /// <para>The output gradient is staged with rows <c>L = OW + G</c> apart, <c>G = ⌈(k − 1)/s⌉</c> exact zeros after each
    /// row, so the product's rows carry the same zero gaps: the gather reads tap <c>(c, ky, kx)</c> for input column
    /// <c>ix</c> at output column <c>ox = (ix + pl − kx)/s</c>, which may fall up to <c>G</c> columns left or right of the row;
    /// those reads land on zeros (the gap of the row before, or a zero margin before the first row).</para>
    /// <para>Stride 1: each vector of input columns sums its k² shifted reads and is stored once. Stride <c>s</c>: the input
    /// columns of one phase <c>φ</c> (<c>ix = φ + s·j</c>) read contiguous output columns <c>j + (φ + pl − kx)/s</c> for the
    /// taps with <c>kx ≡ φ + pl (mod s)</c>; the <c>s</c> phases are summed into a buffer and interleaved into the row.
    /// Every input value is one sum over its taps in tap order: deterministic.</para>
    /// </remarks>
    internal static unsafe class ConvolutionByTaps
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void BackwardInput<T, TV, S>(T* dy, T* w, T* dx, in ConvolutionGeometry g, int group)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            int channels = g.GroupChannels, height = g.Height, width = g.Width, filters = g.GroupFilters, weightStride = g.Filters;
            int k = g.Kernel, s = g.Stride, pt = g.PadTop, pl = g.PadLeft, oh = g.OutputHeight, ow = g.OutputWidth;
            dy += (long)group * filters * oh * ow;
            w += group * filters;
            dx += (long)group * channels * height * width;
            int vl = S.Count;
            int gap = (k - 1 + s - 1) / s, rowStride = ow + gap;
            int vectors = (oh * rowStride + vl - 1) / vl, ldb = vectors * vl;

            // B[f, oy·L + ox] = dy[f, oy, ox], zero in the gaps and past oh·L. Rows are staged in whole vectors, each
            // overwriting the previous one's overhang (hence a vector of slack after the last plane).
            T* b = Scratch<T>.First((long)filters * ldb + vl);
            for (int f = 0; f < filters; f++)
            {
                T* plane = b + f * ldb;
                for (int oy = 0; oy < oh; oy++) Rows.CopyPadded<T, TV, S>(dy + (f * oh + oy) * ow, ow, plane + oy * rowStride, rowStride);
                new Span<T>(plane + oh * rowStride, ldb - oh * rowStride).Clear();
            }

            int taps = channels * k * k;
            int* aOff = Scratch<int>.First(filters);
            int* bOff = Scratch<int>.Second(filters);
            for (int f = 0; f < filters; f++)
            {
                aOff[f] = f;        // A[tap, f] = W[f, tap] at tap·F + f: row stride F
                bOff[f] = f * ldb;
            }
            // dcol rows of ldc values: a zero margin of G before the ldb the product writes, and a vector of slack after it
            // that only lanes past the row end (never stored) read.
            int ldc = gap + ldb + vl;
            T* dcol = Scratch<T>.Second((long)taps * ldc);
            for (int t = 0; t < taps; t++) new Span<T>(dcol + t * ldc, gap).Clear();
            Tiles.Multiply<T, TV, S>(w, aOff, weightStride, taps, b, bOff, filters, vectors, dcol + gap, ldc);

            if (s == 1) GatherStride1<T, TV, S>(dcol, ldc, gap, rowStride, dx, g, channels);
            else GatherStrided<T, TV, S>(dcol, ldc, gap, rowStride, dx, g, channels);
        }

        /// <summary>
        /// <c>dx[c, iy, ix] = Σ_{ky, kx} dcol[(c, ky, kx), (iy + pt − ky)·L + ix + pl − kx]</c> over the rows
        /// <c>0 ≤ iy + pt − ky &lt; oh</c>, a vector of columns at a time.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void GatherStride1<T, TV, S>(T* dcol, int ldc, int gap, int rowStride, T* dx, in ConvolutionGeometry g, int channels)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            int height = g.Height, width = g.Width, k = g.Kernel, pt = g.PadTop, pl = g.PadLeft, oh = g.OutputHeight;
            int vl = S.Count;
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
                            int oy = iy + pt - ky;
                            if ((uint)oy >= (uint)oh) continue;
                            T* row = dcol + ((c * k + ky) * k) * ldc + gap + oy * rowStride + ix + pl;
                            for (int kx = 0; kx < k; kx++) sum = S.Add(sum, S.Load(row + kx * ldc - kx));
                        }
                        int count = width - ix;
                        if (count >= vl) S.Store(target + ix, sum);
                        else S.StoreFirst(target + ix, sum, count);
                    }
                }
            }
        }

        /// <summary>
        /// The gather for strides above 1, phase by phase: the input columns <c>ix = φ + s·j</c> of one row read output
        /// column <c>j + (φ + pl − kx)/s</c> of the taps with <c>kx ≡ φ + pl (mod s)</c>, and output row
        /// <c>(iy + pt − ky)/s</c> of the taps whose division is exact; the phases' sums are interleaved into the row.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void GatherStrided<T, TV, S>(T* dcol, int ldc, int gap, int rowStride, T* dx, in ConvolutionGeometry g, int channels)
            where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where S : struct, ISimd<T, TV>
        {
            int height = g.Height, width = g.Width, k = g.Kernel, s = g.Stride, pt = g.PadTop, pl = g.PadLeft, oh = g.OutputHeight;
            int vl = S.Count;
            int phaseLength = (width + s - 1) / s + vl; // the longest phase, rounded up by a vector
            T* phases = Scratch<T>.Third((long)s * phaseLength);
            for (int c = 0; c < channels; c++)
            {
                for (int iy = 0; iy < height; iy++)
                {
                    for (int phase = 0; phase < s; phase++)
                    {
                        int count = (width - phase + s - 1) / s; // input columns φ, φ + s, … < width
                        T* sums = phases + phase * phaseLength;
                        for (int j = 0; j < count; j += vl)
                        {
                            TV sum = S.Zero;
                            for (int ky = 0; ky < k; ky++)
                            {
                                int rowNumerator = iy + pt - ky;
                                if (rowNumerator < 0 || rowNumerator % s != 0 || rowNumerator / s >= oh) continue;
                                T* row = dcol + ((c * k + ky) * k) * ldc + gap + rowNumerator / s * rowStride + j;
                                for (int kx = 0; kx < k; kx++)
                                {
                                    int columnNumerator = phase + pl - kx;
                                    if (columnNumerator % s != 0) continue; // exact division only: C#'s % keeps the sign
                                    sum = S.Add(sum, S.Load(row + kx * ldc + columnNumerator / s));
                                }
                            }
                            S.Store(sums + j, sum);
                        }
                    }
                    T* target = dx + (c * height + iy) * width;
                    for (int ix = 0; ix < width; ix++) target[ix] = phases[ix % s * phaseLength + ix / s];
                }
            }
        }
    }
}
