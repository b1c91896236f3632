using System.Globalization;
using Relucent.Kernels;
using Relucent.Model;

namespace Relucent.Tests.Kernels
{
    /// <summary>
    /// The child-process side of <see cref="KernelLimitTests"/>: each method builds one geometry from its arguments (which
    /// may throw), runs the kernels on it in float and checks sampled values against sums in double. They return "ok" and
    /// the largest scratch request, or throw.
    /// </summary>
    public static class KernelLimitAttacks
    {
        /// <summary>The convolution families: each grows one kernel buffer with <c>n</c> while the others stay small.</summary>
        public static readonly string[] ConvolutionFamilies =
        {
            "stride-1 padding",          // [9, 1, 1] padded by n (the reported crash): staged input, weight-gradient tiles
            "stride-2 padding",          // [1, 1, 1], 2×2 stride 2, padded by n: the im2col matrix
            "filters over one channel",  // [1, n, n] into 8 filters: the input gradient by taps, the staged output gradient
            "winograd",                  // [64, n, n] into 8 filters, 3×3: Winograd's transformed planes, both directions
            "channels into one filter",  // [8, n, n] into 1 filter: the weight gradient's transposed output gradient
        };

        /// <summary>The geometry of <paramref name="family"/> at <paramref name="n"/> (the constructor checks the limits).</summary>
        public static ConvolutionGeometry Geometry(string family, int n) => family switch
        {
            "stride-1 padding" => new ConvolutionGeometry(9, 1, 1, 1, 1, 1, n),
            "stride-2 padding" => new ConvolutionGeometry(1, 1, 1, 1, 2, 2, n),
            "filters over one channel" => new ConvolutionGeometry(1, n, n, 8, 1, 1, 0),
            "winograd" => new ConvolutionGeometry(64, n, n, 8, 3, 1, 1),
            "channels into one filter" => new ConvolutionGeometry(8, n, n, 1, 1, 1, 0),
            _ => throw new ArgumentException($"No family {family}."),
        };

        /// <summary>The largest <c>n</c> whose geometry the constructor accepts (a binary search; the constructor is cheap).</summary>
        public static int Largest(string family)
        {
            int low = 1, high = 1 << 20; // accepted at low, refused at high
            while (high - low > 1)
            {
                int middle = low + (high - low) / 2;
                if (Accepted(family, middle)) low = middle; else high = middle;
            }
            return low;
        }

        private static bool Accepted(string family, int n)
        {
            try
            {
                Geometry(family, n);
                return true;
            }
            catch (ArgumentException)
            {
                return false;
            }
        }

        /// <summary>args: family, n, SIMD width (0: the widest). Forward, input gradient and weight gradient, sampled.</summary>
        public static string Convolution(string[] args)
        {
            var g = Geometry(args[0], int.Parse(args[1], CultureInfo.InvariantCulture));
            int width = int.Parse(args[2], CultureInfo.InvariantCulture);
            if (width != 0) SimdWidth.s_limit = width;

            float[] x = Values(g.InputSize, 1), w = Values(g.WeightSize, 2), b = Values(g.Filters, 3), dy = Values(g.OutputSize, 4);
            int f = g.Filters, oh = g.OutputHeight, ow = g.OutputWidth, k = g.Kernel, s = g.Stride, p = g.Padding;
            var rng = new Random(5);

            var y = new float[g.OutputSize];
            ConvolutionKernels.Forward<float>(x, w, b, y, g);
            // The corners, the centre, the window that starts on the input's first value, and random outputs.
            foreach (var (fo, oy, ox) in Samples(rng, f, oh, ow, (p / s, p / s)))
            {
                double sum = b[fo], scale = Math.Abs(b[fo]);
                for (int c = 0; c < g.Channels; c++)
                {
                    for (int ky = 0; ky < k; ky++)
                    {
                        for (int kx = 0; kx < k; kx++)
                        {
                            long iy = (long)oy * s - p + ky, ix = (long)ox * s - p + kx;
                            if (iy < 0 || iy >= g.Height || ix < 0 || ix >= g.Width) continue;
                            double term = (double)w[((c * k + ky) * k + kx) * f + fo] * x[(c * g.Height + iy) * g.Width + ix];
                            sum += term;
                            scale += Math.Abs(term);
                        }
                    }
                }
                Expect(sum, scale, y[((long)fo * oh + oy) * ow + ox], $"y[{fo}, {oy}, {ox}]");
            }
            y = null!;

            var dx = new float[g.InputSize];
            ConvolutionKernels.BackwardInput<float>(dy, w, dx, g);
            foreach (var (c, iy, ix) in Samples(rng, g.Channels, g.Height, g.Width, (0, 0)))
            {
                double sum = 0, scale = 0;
                for (int fo = 0; fo < f; fo++)
                {
                    for (int ky = 0; ky < k; ky++)
                    {
                        for (int kx = 0; kx < k; kx++)
                        {
                            long ty = (long)iy + p - ky, tx = (long)ix + p - kx;
                            if (ty < 0 || tx < 0 || ty % s != 0 || tx % s != 0 || ty / s >= oh || tx / s >= ow) continue;
                            double term = (double)w[((c * k + ky) * k + kx) * f + fo] * dy[((long)fo * oh + ty / s) * ow + tx / s];
                            sum += term;
                            scale += Math.Abs(term);
                        }
                    }
                }
                Expect(sum, scale, dx[((long)c * g.Height + iy) * g.Width + ix], $"dx[{c}, {iy}, {ix}]");
            }
            dx = null!;

            var dw = new float[g.WeightSize];
            var db = new float[g.Filters];
            GradientKernels.Convolution<float>(x, dy, dw, db, g);
            int taps = g.Channels * k * k;
            foreach (var (fo, tap, _) in Samples(rng, f, taps, 1, (0, 0)))
            {
                int c = tap / (k * k), ky = tap / k % k, kx = tap % k;
                double sum = 0, scale = 0;
                for (int oy = 0; oy < oh; oy++)
                {
                    long iy = (long)oy * s - p + ky;
                    if (iy < 0 || iy >= g.Height) continue;
                    for (int ox = 0; ox < ow; ox++)
                    {
                        long ix = (long)ox * s - p + kx;
                        if (ix < 0 || ix >= g.Width) continue;
                        double term = (double)dy[((long)fo * oh + oy) * ow + ox] * x[(c * g.Height + iy) * g.Width + ix];
                        sum += term;
                        scale += Math.Abs(term);
                    }
                }
                Expect(sum, scale, dw[(long)tap * f + fo], $"dW[{fo}, {tap}]");
            }
            return "ok " + ScratchRequests.t_largest.ToString(CultureInfo.InvariantCulture);
        }

        /// <summary>args: the side of a square one-channel input. Max pooling (2×2, stride 2) both ways, average pooling forward.</summary>
        public static string Pooling(string[] args)
        {
            int side = int.Parse(args[0], CultureInfo.InvariantCulture);
            var g = new PoolGeometry(1, 16384, side, 2, 2);
            float[] x = Values(g.InputSize, 1);
            var y = new float[g.OutputSize];
            var switches = new int[g.OutputSize];
            PoolingKernels.MaxForward<float>(x, y, switches, g);
            var rng = new Random(2);
            foreach (var (_, oy, ox) in Samples(rng, 1, g.OutputHeight, g.OutputWidth, (0, 0)))
            {
                long at = (long)oy * g.OutputWidth + ox, top = 2L * oy * g.Width + 2L * ox;
                float max = Math.Max(Math.Max(x[top], x[top + 1]), Math.Max(x[top + g.Width], x[top + g.Width + 1]));
                if (y[at] != max || x[switches[at]] != max) throw new InvalidOperationException($"max pooling at ({oy}, {ox}): {y[at]}, expected {max}");
            }
            var dx = new float[g.InputSize];
            PoolingKernels.MaxBackward<float>(y, switches, dx, g);
            if (dx[switches[^1]] != y[^1]) throw new InvalidOperationException("unpooling lost the last value");
            dx = null!;
            PoolingKernels.AvgForward<float>(x, y, g);
            long last = (long)(g.OutputHeight - 1) * 2 * g.Width + 2L * (g.OutputWidth - 1);
            double mean = ((double)x[last] + x[last + 1] + x[last + g.Width] + x[last + g.Width + 1]) / 4;
            Expect(mean, 4, y[^1], "the last average");
            return "ok";
        }

        /// <summary>args: inputs, outputs. Forward and input gradient, sampled.</summary>
        public static string Dense(string[] args)
        {
            int inputs = int.Parse(args[0], CultureInfo.InvariantCulture), outputs = int.Parse(args[1], CultureInfo.InvariantCulture);
            // The weight is what reaches the limit: made before the much smaller vectors, and checked by the kernel.
            float[] w = Values((long)inputs * outputs <= Limits.MaxElements ? (long)inputs * outputs : 0, 1);
            float[] x = Values(inputs, 2), b = Values(outputs, 3), y = new float[outputs], dx = new float[inputs];
            DenseKernels.Forward<float>(x, w, b, y, inputs, outputs);
            DenseKernels.BackwardInput<float>(y, w, dx, inputs, outputs);
            foreach (int o in new[] { 0, outputs / 2, outputs - 1 })
            {
                double sum = b[o], scale = Math.Abs(b[o]);
                for (int i = 0; i < inputs; i++)
                {
                    double term = (double)w[(long)i * outputs + o] * x[i];
                    sum += term;
                    scale += Math.Abs(term);
                }
                Expect(sum, scale, y[o], $"y[{o}]");
            }
            int last = inputs - 1;
            double back = 0, backScale = 0;
            for (int o = 0; o < outputs; o++)
            {
                double term = (double)w[(long)last * outputs + o] * y[o];
                back += term;
                backScale += Math.Abs(term);
            }
            Expect(back, backScale, dx[last], $"dx[{last}]");
            return "ok";
        }

        /// <summary>Values in [−1, 1) from a hash of the index: fast enough for 2^28 of them.</summary>
        private static float[] Values(long count, uint seed)
        {
            var values = GC.AllocateUninitializedArray<float>(checked((int)count));
            for (int i = 0; i < values.Length; i++)
            {
                uint h = ((uint)i ^ (seed * 0x9E3779B9u)) * 0x85EBCA6Bu;
                h ^= h >> 13;
                h *= 0xC2B2AE35u;
                values[i] = (h >> 8) * (2f / (1 << 24)) - 1f;
            }
            return values;
        }

        /// <summary>Corners, the centre, <paramref name="extra"/> and random points of a <c>[count, rows, columns]</c> block.</summary>
        private static IEnumerable<(int, int, int)> Samples(Random rng, int count, int rows, int columns, (int Row, int Column) extra)
        {
            yield return (0, 0, 0);
            yield return (count - 1, rows - 1, columns - 1);
            yield return (count / 2, rows / 2, columns / 2);
            yield return (count - 1, Math.Min(extra.Row, rows - 1), Math.Min(extra.Column, columns - 1));
            for (int i = 0; i < 12; i++) yield return (rng.Next(count), rng.Next(rows), rng.Next(columns));
        }

        private static void Expect(double expected, double scale, float actual, string what)
        {
            if (!(Math.Abs(actual - expected) <= 1e-4 * scale + 1e-6))
            {
                throw new InvalidOperationException($"{what} = {actual:R}, expected {expected:R} (scale {scale:E3})");
            }
        }
    }
}
