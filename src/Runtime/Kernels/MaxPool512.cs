using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Relucent.Kernels
{
    /// <summary>
    /// Max pooling in float on AVX-512, 16 output columns at once, with exactly the scalar loop's comparisons lane by lane
    /// (<see cref="PoolingKernels.MaxForward{T}"/>): windows scanned row by row, left to right, a value taken when greater or
    /// when NaN over a number.
    /// </summary>
    internal static unsafe class MaxPool512
    {
        /// <summary>2×2 windows, stride 2, all inside the input: 16 windows at once (even and odd columns split by a two-register permute).</summary>
        public static void Forward2x2(float* x, float* y, int* switches, in PoolGeometry g, int firstChannel, int endChannel)
        {
            int width = g.Width, oh = g.OutputHeight, ow = g.OutputWidth;
            // The end of this range's outputs: a thread never writes past it (the next channel may be another thread's).
            int inputSize = g.InputSize, outputSize = endChannel * oh * ow;
            Vector512<int> even = Vector512<int>.Indices * 2, odd = even + Vector512<int>.One;
            for (int c = firstChannel; c < endChannel; c++)
            {
                for (int oy = 0; oy < oh; oy++)
                {
                    int rowStart = (c * g.Height + 2 * oy) * width;
                    for (int ox = 0; ox < ow; ox += 16)
                    {
                        int o = (c * oh + oy) * ow + ox;
                        int count = Math.Min(16, ow - ox);
                        int top = rowStart + 2 * ox, bottom = top + width;
                        // A short row reads on into the next rows while that stays inside x (those lanes are dropped);
                        // only at the end of x is the read cut to the row's own 2·count values.
                        int readable = Math.Min(32, inputSize - bottom);
                        Load32(x + top, readable, out Vector512<float> a, out Vector512<float> b);
                        Vector512<float> v00 = Avx512F.PermuteVar16x32x2(a, even, b), v01 = Avx512F.PermuteVar16x32x2(a, odd, b);
                        Load32(x + bottom, readable, out a, out b);
                        Vector512<float> v10 = Avx512F.PermuteVar16x32x2(a, even, b), v11 = Avx512F.PermuteVar16x32x2(a, odd, b);
                        Vector512<int> index = Vector512.Create(top) + even;
                        Vector512<float> max = v00;
                        Vector512<int> best = index;
                        Take(v01, index + Vector512<int>.One, ref max, ref best);
                        Take(v10, index + Vector512.Create(width), ref max, ref best);
                        Take(v11, index + Vector512.Create(width + 1), ref max, ref best);
                        if (o + 16 <= outputSize)
                        {
                            // Lanes past this row land on later outputs, which later iterations overwrite.
                            max.Store(y + o);
                            best.Store(switches + o);
                        }
                        else
                        {
                            Vector512<int> mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count));
                            Avx512F.MaskStore(y + o, mask.AsSingle(), max);
                            Avx512F.MaskStore(switches + o, mask, best);
                        }
                    }
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Load32(float* p, int count, out Vector512<float> a, out Vector512<float> b)
        {
            Vector512<int> lanes = Vector512<int>.Indices;
            a = count >= 16 ? Vector512.Load(p) : Avx512F.MaskLoad(p, Vector512.LessThan(lanes, Vector512.Create(count)).AsSingle(), Vector512<float>.Zero);
            b = count >= 32 ? Vector512.Load(p + 16)
                : count > 16 ? Avx512F.MaskLoad(p + 16, Vector512.LessThan(lanes, Vector512.Create(count - 16)).AsSingle(), Vector512<float>.Zero)
                : Vector512<float>.Zero;
        }

        /// <summary>The scalar rule lane by lane: take <paramref name="v"/> where it is greater, or NaN over a number.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Take(Vector512<float> v, Vector512<int> index, ref Vector512<float> max, ref Vector512<int> best)
        {
            Vector512<float> take = Vector512.GreaterThan(v, max) | (~Vector512.Equals(v, v) & Vector512.Equals(max, max));
            max = Vector512.ConditionalSelect(take, v, max);
            best = Vector512.ConditionalSelect(take.AsInt32(), index, best);
        }


        /// <summary>
        /// Any window and padding at stride 1 or 2: the windows wholly inside the input's columns 16 at a time (stride 2 splits
        /// even and odd columns with a permute), the others (at most a few per row, where the padding or the ceil-mode edge
        /// cuts them) by the scalar loop. Rows are clipped to the input for every window alike.
        /// </summary>
        public static void Forward(float* x, float* y, int* switches, in PoolGeometry g, int firstChannel, int endChannel)
        {
            int height = g.Height, width = g.Width, k = g.Kernel, s = g.Stride, pl = g.PadLeft, oh = g.OutputHeight, ow = g.OutputWidth;
            // Output columns whose window lies inside [0, width): ox·s − pl ≥ 0 and ox·s − pl + k ≤ width.
            int inner = (pl + s - 1) / s;
            int innerEnd = width - k + pl < 0 ? 0 : Math.Min(ow, (width - k + pl) / s + 1);
            if (innerEnd < inner) innerEnd = inner;
            Vector512<int> lanes = Vector512<int>.Indices, even = lanes * 2;
            for (int c = firstChannel; c < endChannel; c++)
            {
                float* plane = x + c * height * width;
                for (int oy = 0; oy < oh; oy++)
                {
                    g.Rows(oy, out int firstRow, out int endRow);
                    int o = (c * oh + oy) * ow;
                    for (int ox = 0; ox < inner && ox < ow; ox++) PoolingKernels.MaxWindow(plane, c * height * width, g, firstRow, endRow, ox, y + o + ox, switches + o + ox);
                    for (int ox = inner; ox < innerEnd; ox += 16)
                    {
                        int count = Math.Min(16, innerEnd - ox);
                        Vector512<float> max = default;
                        Vector512<int> best = default;
                        bool first = true;
                        for (int iy = firstRow; iy < endRow; iy++)
                        {
                            float* row = plane + iy * width;
                            for (int kx = 0; kx < k; kx++)
                            {
                                int column = ox * s - pl + kx;
                                Vector512<float> v;
                                if (s == 1)
                                {
                                    v = Simd512<float>.LoadFirst(row + column, count);
                                }
                                else
                                {
                                    // Lanes j take column + 2j: the 2·count − 1 values from column on, even ones kept.
                                    Load32(row + column, 2 * count - 1, out Vector512<float> a, out Vector512<float> b);
                                    v = Avx512F.PermuteVar16x32x2(a, even, b);
                                }
                                Vector512<int> index = Vector512.Create(c * height * width + iy * width + column) + lanes * s;
                                if (first)
                                {
                                    max = v;
                                    best = index;
                                    first = false;
                                }
                                else
                                {
                                    Take(v, index, ref max, ref best);
                                }
                            }
                        }
                        Vector512<int> mask = Vector512.LessThan(lanes, Vector512.Create(count));
                        Avx512F.MaskStore(y + o + ox, mask.AsSingle(), max);
                        Avx512F.MaskStore(switches + o + ox, mask, best);
                    }
                    for (int ox = Math.Max(innerEnd, inner); ox < ow; ox++) PoolingKernels.MaxWindow(plane, c * height * width, g, firstRow, endRow, ox, y + o + ox, switches + o + ox);
                }
            }
        }
    }
}
