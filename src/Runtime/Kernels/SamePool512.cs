using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Relucent.Kernels
{
    /// <summary>
    /// Max pooling forward in float on AVX-512 for "same" windows: stride 1, an odd window of side <c>k = 2r + 1</c>, padding
    /// <c>r</c> on every side (GoogLeNet's Inception branch pools, <c>MaxPool2d(3, stride=1, padding=1)</c>), so each
    /// output sits on its own input position and a plane keeps its size. Each plane is taken as one flat run of values,
    /// 16 positions at a time whatever its width (a 7×7 plane fills 49 of 64 lanes, where a row at a time would fill 7
    /// of 16), with masks for the window positions that fall in the padding.
    /// </summary>
    /// <remarks>
    /// <para>Forward, separable: the first maximum of each row segment <c>[x − r, x + r]</c> (value and flat index), then
    /// the first maximum of those over the rows <c>[y − r, y + r]</c>. That is exactly the scalar loop's choice
    /// (<see cref="PoolingKernels.MaxWindow{T}"/>, which scans the window row by row, left to right, and replaces its
    /// maximum when a value is greater, or NaN over a number): "the first maximum of a sequence" combines segment by
    /// segment in order, the earlier segment's winner kept unless the later one's is strictly greater, NaN counting as
    /// greater than every number and equal to another NaN. Rows must come first: columns first would let a maximum lower
    /// in the window's first column beat an equal one further right in an earlier row. The padding is never a
    /// candidate (masked out), so it never wins.</para>
    /// </remarks>
    internal static unsafe class SamePool512
    {
        /// <summary>Set on a thread to run the general kernels there instead (benchmarks' A/B comparisons); per thread, so no
        /// caller changes another's path.</summary>
        [ThreadStatic] internal static bool t_off;

        /// <summary>The largest plane (height × width) taken here: its row maxima and columns live on the stack (12 bytes a position).</summary>
        private const int MaxPlane = 4096;

        /// <summary>
        /// Whether max pooling of <paramref name="g"/> in float runs here: AVX-512, stride 1, an odd window with padding
        /// <c>(k − 1) / 2</c> on every side, planes of at most <see cref="MaxPlane"/> positions.
        /// </summary>
        public static bool Applies<T>(in PoolGeometry g)
        {
            int r = g.Kernel / 2;
            return typeof(T) == typeof(float) && !t_off && SimdWidth.Use512 && g.Stride == 1 && g.Kernel % 2 == 1
                && g.PadTop == r && g.PadLeft == r && g.PadBottom == r && g.PadRight == r
                && (long)g.Height * g.Width <= MaxPlane;
        }

        /// <summary>Max pooling of channels <c>[firstChannel, endChannel)</c>: outputs and switches as the scalar loop writes them.</summary>
        public static void Forward(float* x, float* y, int* switches, in PoolGeometry g, int firstChannel, int endChannel)
        {
            int width = g.Width, plane = g.Height * width, r = g.Kernel / 2;
            int padded = (plane + 15) & ~15;
            // The row maxima of one plane (values and flat indices), and each position's column.
            float* rowMax = stackalloc float[padded];
            int* rowBest = stackalloc int[padded];
            int* column = stackalloc int[padded];
            for (int p = 0, ix = 0; p < padded; p++)
            {
                column[p] = ix;
                if (++ix == width) ix = 0;
            }
            Vector512<int> lanes = Vector512<int>.Indices;
            for (int c = firstChannel; c < endChannel; c++)
            {
                int start = c * plane;
                float* xc = x + start;
                for (int p = 0; p < plane; p += 16)
                {
                    Vector512<int> at = Vector512.Create(p) + lanes, ix = Vector512.Load(column + p);
                    Vector512<float> inPlane = Vector512.LessThan(at, Vector512.Create(plane)).AsSingle();
                    Vector512<float> max = Avx512F.MaskLoad(xc + p, inPlane, Vector512<float>.Zero);
                    Vector512<int> index = Vector512.Create(start + p) + lanes, best = index;
                    // Left of the centre: each column earlier than all those taken so far; then right: each one later.
                    for (int b = 1; b <= r; b++)
                    {
                        Vector512<float> valid = inPlane & Vector512.GreaterThanOrEqual(ix, Vector512.Create(b)).AsSingle();
                        FirstMaximum512.TakeEarlier(Avx512F.MaskLoad(xc + p - b, valid, Vector512<float>.Zero), index - Vector512.Create(b), valid, ref max, ref best);
                    }
                    for (int b = 1; b <= r; b++)
                    {
                        Vector512<float> valid = inPlane & Vector512.LessThan(ix, Vector512.Create(width - b)).AsSingle();
                        FirstMaximum512.TakeLater(Avx512F.MaskLoad(xc + p + b, valid, Vector512<float>.Zero), index + Vector512.Create(b), valid, ref max, ref best);
                    }
                    max.Store(rowMax + p);
                    best.Store(rowBest + p);
                }
                for (int p = 0; p < plane; p += 16)
                {
                    Vector512<int> at = Vector512.Create(p) + lanes;
                    Vector512<float> max = Vector512.Load(rowMax + p);
                    Vector512<int> best = Vector512.Load(rowBest + p);
                    // Rows above the centre (each earlier than all taken so far), then below; lanes past the plane are not stored.
                    for (int a = 1; a <= r; a++)
                    {
                        Vector512<float> valid = Vector512.GreaterThanOrEqual(at, Vector512.Create(a * width)).AsSingle();
                        int* above = rowBest + p - a * width;
                        FirstMaximum512.TakeEarlier(Avx512F.MaskLoad(rowMax + p - a * width, valid, Vector512<float>.Zero), Avx512F.MaskLoad(above, valid.AsInt32(), Vector512<int>.Zero), valid, ref max, ref best);
                    }
                    for (int a = 1; a <= r; a++)
                    {
                        Vector512<float> valid = Vector512.LessThan(at, Vector512.Create(plane - a * width)).AsSingle();
                        int* below = rowBest + p + a * width;
                        FirstMaximum512.TakeLater(Avx512F.MaskLoad(rowMax + p + a * width, valid, Vector512<float>.Zero), Avx512F.MaskLoad(below, valid.AsInt32(), Vector512<int>.Zero), valid, ref max, ref best);
                    }
                    if (p + 16 <= plane)
                    {
                        max.Store(y + start + p);
                        best.Store(switches + start + p);
                    }
                    else
                    {
                        Vector512<int> inPlane = Vector512.LessThan(at, Vector512.Create(plane));
                        Avx512F.MaskStore(y + start + p, inPlane.AsSingle(), max);
                        Avx512F.MaskStore(switches + start + p, inPlane, best);
                    }
                }
            }
        }
    }
}
