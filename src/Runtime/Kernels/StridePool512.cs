using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Relucent.Kernels
{
    /// <summary>
    /// Max pooling forward in float on AVX-512 at stride 2 (the stem pools: GoogLeNet's <c>MaxPool2d(3, 2, ceil_mode=True)</c>,
    /// ResNet's <c>MaxPool2d(3, 2, padding=1)</c>, AlexNet's), separably: each input row's maxima over the window's columns
    /// for 16 outputs at once (even and odd columns split by a two-register permute), kept in a ring of <c>k</c> rows so
    /// each input row is reduced once, then the maxima of those over the window's rows. Any padding and ceil mode: window
    /// positions outside the input are masked out, so the padding never wins.
    /// </summary>
    /// <remarks>
    /// The same choice as the scalar loop (<see cref="PoolingKernels.MaxWindow{T}"/>: row by row, left to right, a value taken
    /// when greater, or NaN over a number): the first maximum of each row's segment, then the first of those in row order
    /// (see <see cref="SamePool512"/> for why that order gives the same first maximum). Within a segment the positions come
    /// in order, and a lane takes its first valid one unconditionally.
    /// </remarks>
    internal static unsafe class StridePool512
    {
        /// <summary>Set on a thread to run the general kernels there instead (benchmarks' A/B comparisons); per thread.</summary>
        [ThreadStatic] internal static bool t_off;

        /// <summary>The widest window taken here: the ring holds that many reduced rows on the stack.</summary>
        private const int MaxKernel = 8;

        /// <summary>The widest output row taken here (the ring is <c>k × ⌈OW/16⌉·16</c> values and indices on the stack).</summary>
        private const int MaxOutputWidth = 1024;

        /// <summary>Whether max pooling of <paramref name="g"/> in float runs here: AVX-512, stride 2, a window of at most <see cref="MaxKernel"/>.</summary>
        public static bool Applies<T>(in PoolGeometry g) =>
            typeof(T) == typeof(float) && !t_off && SimdWidth.Use512 && g.Stride == 2 && g.Kernel <= MaxKernel && g.OutputWidth <= MaxOutputWidth;

        /// <summary>Max pooling of channels <c>[firstChannel, endChannel)</c>: outputs and switches as the scalar loop writes them.</summary>
        public static void Forward(float* x, float* y, int* switches, in PoolGeometry g, int firstChannel, int endChannel)
        {
            int height = g.Height, width = g.Width, k = g.Kernel, oh = g.OutputHeight, ow = g.OutputWidth;
            int rowLength = (ow + 15) & ~15;
            float* ringMax = stackalloc float[k * rowLength];
            int* ringBest = stackalloc int[k * rowLength];
            Vector512<int> lanes = Vector512<int>.Indices, even = lanes * 2;
            for (int c = firstChannel; c < endChannel; c++)
            {
                int planeStart = c * height * width;
                int next = 0; // the next input row to reduce into the ring (row iy lives in slot iy % k)
                for (int oy = 0; oy < oh; oy++)
                {
                    g.Rows(oy, out int firstRow, out int endRow);
                    for (next = Math.Max(next, firstRow); next < endRow; next++)
                    {
                        ReduceRow(x + planeStart + next * width, planeStart + next * width, g, ringMax + next % k * rowLength, ringBest + next % k * rowLength, lanes, even);
                    }
                    int o = (c * oh + oy) * ow;
                    for (int ox = 0; ox < ow; ox += 16)
                    {
                        int slot = firstRow % k * rowLength + ox;
                        Vector512<float> max = Vector512.Load(ringMax + slot);
                        Vector512<int> best = Vector512.Load(ringBest + slot);
                        for (int iy = firstRow + 1; iy < endRow; iy++)
                        {
                            slot = iy % k * rowLength + ox;
                            FirstMaximum512.TakeLater(Vector512.Load(ringMax + slot), Vector512.Load(ringBest + slot), Vector512<float>.AllBitsSet, ref max, ref best);
                        }
                        if (ox + 16 <= ow)
                        {
                            max.Store(y + o + ox);
                            best.Store(switches + o + ox);
                        }
                        else
                        {
                            Vector512<int> mask = Vector512.LessThan(lanes, Vector512.Create(ow - ox));
                            Avx512F.MaskStore(y + o + ox, mask.AsSingle(), max);
                            Avx512F.MaskStore(switches + o + ox, mask, best);
                        }
                    }
                }
            }
        }

        /// <summary>
        /// The first maximum (value and flat index) of each output column's window segment in one input row (flat index of
        /// its first value <paramref name="rowStart"/>), for all <c>OW</c> outputs; lanes past <c>OW</c> hold anything.
        /// </summary>
        private static void ReduceRow(float* row, int rowStart, in PoolGeometry g, float* max, int* best, Vector512<int> lanes, Vector512<int> even)
        {
            int width = g.Width, k = g.Kernel, ow = g.OutputWidth, pl = g.PadLeft;
            for (int ox = 0; ox < ow; ox += 16)
            {
                if (2 * ox - pl >= 0 && 2 * ox - pl + k - 1 + 32 <= width)
                {
                    // Every column of these 16 windows inside the row (most of a row): plain loads, no masks.
                    Vector512<int> at = Vector512.Create(rowStart + 2 * ox - pl) + even;
                    float* p = row + 2 * ox - pl;
                    Vector512<float> interiorMax = Avx512F.PermuteVar16x32x2(Vector512.Load(p), even, Vector512.Load(p + 16));
                    Vector512<int> interiorBest = at;
                    for (int kx = 1; kx < k; kx++)
                    {
                        Vector512<float> v = Avx512F.PermuteVar16x32x2(Vector512.Load(p + kx), even, Vector512.Load(p + kx + 16));
                        FirstMaximum512.TakeLater(v, at + Vector512.Create(kx), Vector512<float>.AllBitsSet, ref interiorMax, ref interiorBest);
                    }
                    interiorMax.Store(max + ox);
                    interiorBest.Store(best + ox);
                    continue;
                }
                Vector512<float> m = Vector512<float>.Zero;
                Vector512<int> b = Vector512<int>.Zero;
                // Lanes that have taken no value yet: they take their first valid one whatever it is.
                Vector512<float> empty = Vector512<float>.AllBitsSet;
                for (int kx = 0; kx < k; kx++)
                {
                    // Lane j reads column c0 + 2j: the 32 values from c0 on, those inside the row loaded, the even ones kept.
                    int c0 = 2 * ox - pl + kx;
                    Vector512<int> first = Vector512.Create(c0) + lanes;
                    Vector512<float> lowInside = Vector512.LessThan(first.AsUInt32(), Vector512.Create((uint)width)).AsSingle();
                    Vector512<float> highInside = Vector512.LessThan((first + Vector512.Create(16)).AsUInt32(), Vector512.Create((uint)width)).AsSingle();
                    Vector512<float> v = Avx512F.PermuteVar16x32x2(
                        Avx512F.MaskLoad(row + c0, lowInside, Vector512<float>.Zero), even, Avx512F.MaskLoad(row + c0 + 16, highInside, Vector512<float>.Zero));
                    Vector512<int> column = Vector512.Create(c0) + even;
                    Vector512<float> valid = Vector512.LessThan(column.AsUInt32(), Vector512.Create((uint)width)).AsSingle();
                    Vector512<float> take = valid & (empty | Avx512F.CompareNotLessThanOrEqual(v, m) & Avx512F.CompareOrdered(m, m));
                    m = Vector512.ConditionalSelect(take, v, m);
                    b = Vector512.ConditionalSelect(take.AsInt32(), Vector512.Create(rowStart) + column, b);
                    empty = Vector512.AndNot(empty, valid);
                }
                m.Store(max + ox);
                b.Store(best + ox);
            }
        }
    }
}
