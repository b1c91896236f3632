using CsCheck;
using Relucent.Kernels;
using Xunit;
using static Relucent.Tests.Kernels.Numerics;

namespace Relucent.Tests.Kernels
{
    /// <summary>
    /// Winograd F(4×4, 3×3) (<see cref="Winograd4"/>), forced on through its per-thread switch, against the naive double
    /// loops in both directions: odd sizes and sizes that are not multiples of 4, block rows shorter and longer than a vector
    /// of 16 blocks, padding 0 to 2 per side, channels and filters that are not multiples of 16, groups. Each value is held to
    /// the rounding bound of the algorithm itself: the unit roundoff times the number of roundings in its longest chain, times
    /// the same computation over absolute values (<see cref="Magnitude"/>), a bound a correct kernel cannot exceed whatever
    /// the sizes, and that a wrong tap, shift or transform coefficient does.
    /// </summary>
    public class Winograd4Tests
    {
        // The transforms of Lavin & Gray's F(4×4, 3×3), interpolation points 0, ±1, ±2, ∞, written out from the paper.
        private static readonly double[,] Bt =
        {
            { 4, 0, -5, 0, 1, 0 }, { 0, -4, -4, 1, 1, 0 }, { 0, 4, -4, -1, 1, 0 },
            { 0, -2, -1, 2, 1, 0 }, { 0, 2, -1, -2, 1, 0 }, { 0, 4, 0, -5, 0, 1 },
        };

        private static readonly double[,] G =
        {
            { 1.0 / 4, 0, 0 }, { -1.0 / 6, -1.0 / 6, -1.0 / 6 }, { -1.0 / 6, 1.0 / 6, -1.0 / 6 },
            { 1.0 / 24, 1.0 / 12, 1.0 / 6 }, { 1.0 / 24, -1.0 / 12, 1.0 / 6 }, { 0, 0, 1 },
        };

        private static readonly double[,] At =
        {
            { 1, 1, 1, 1, 1, 0 }, { 0, 1, -1, 2, -2, 0 }, { 0, 1, 1, 4, 4, 0 }, { 0, 1, -1, 8, -8, 1 },
        };

        /// <summary>
        /// Roundings in the longest chain besides the sum over inputs: the weight transform (two stages of up to three,
        /// and the representation of ⅙, 1/12 and 1/24), the input transform (two of two), the product, the output transform
        /// (two of three) and the bias: 8 + 4 + 1 + 6 + 1 = 20, rounded up.
        /// </summary>
        private const int TransformRoundings = 24;

        /// <summary>The matrices above are the algorithm: <c>Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A</c> is the 4×4 correlation of d with g, in double.</summary>
        [Fact]
        public void The_transforms_compute_the_correlation()
        {
            var rng = new Random(1);
            for (int trial = 0; trial < 20; trial++)
            {
                double[,] d = new double[6, 6], g = new double[3, 3];
                for (int p = 0; p < 6; p++) for (int q = 0; q < 6; q++) d[p, q] = rng.NextDouble() * 2 - 1;
                for (int a = 0; a < 3; a++) for (int b = 0; b < 3; b++) g[a, b] = rng.NextDouble() * 2 - 1;
                double[,] u = Sandwich(G, g), v = Sandwich(Bt, d), m = new double[6, 6];
                for (int i = 0; i < 6; i++) for (int j = 0; j < 6; j++) m[i, j] = u[i, j] * v[i, j];
                double[,] y = Sandwich(At, m);
                for (int r = 0; r < 4; r++)
                {
                    for (int s = 0; s < 4; s++)
                    {
                        double direct = 0;
                        for (int a = 0; a < 3; a++) for (int b = 0; b < 3; b++) direct += g[a, b] * d[r + a, s + b];
                        Assert.True(Math.Abs(direct - y[r, s]) < 1e-12, $"output ({r}, {s}): {y[r, s]} by the transforms, {direct} directly");
                    }
                }
            }
        }

        /// <param name="Groups">Groups; channels and filters are per group.</param>
        public record struct Case(int Channels, int Filters, int Groups, int Height, int Width, int Top, int Left, int Bottom, int Right, bool Bias, int Seed);

        /// <summary>Fixed shapes: every padding, odd and even sizes around multiples of 4, a row of more than 16 blocks, a 224-wide row, ResNet-18's layer1.</summary>
        public static TheoryData<Case> Shapes() => new()
        {
            new Case(8, 8, 1, 1, 1, 1, 1, 1, 1, true, 1),       // one output from a padded single value
            new Case(9, 8, 1, 4, 4, 0, 0, 0, 0, true, 2),       // 2×2 outputs in one block, no padding
            new Case(8, 17, 1, 5, 7, 1, 1, 1, 1, false, 3),
            new Case(16, 16, 1, 8, 8, 1, 1, 1, 1, true, 4),     // whole blocks
            new Case(13, 21, 1, 9, 11, 2, 2, 2, 2, true, 5),    // padding 2: outputs larger than the input
            new Case(20, 12, 1, 14, 14, 1, 1, 1, 1, true, 6),   // 16 blocks: one whole vector
            new Case(24, 33, 1, 15, 13, 0, 1, 2, 0, true, 7),   // asymmetric
            new Case(12, 10, 3, 17, 19, 2, 0, 1, 2, true, 8),   // groups
            new Case(8, 8, 1, 3, 70, 1, 1, 1, 1, true, 9),      // 18 blocks a row: two vectors, the second partial
            new Case(8, 9, 1, 6, 224, 1, 1, 1, 1, false, 10),   // 56 blocks a row
            new Case(64, 64, 1, 56, 56, 1, 1, 1, 1, true, 11),  // ResNet-18's layer1
        };

        [Theory]
        [MemberData(nameof(Shapes))]
        public void Fixed_shapes_match_the_naive_loops_within_the_rounding_bound(Case c) => Check(c);

        // Random shapes: 8 to 40 channels and filters per group, 1 to 3 groups, sides 1 to 40, each side padded 0 to 2.
        private static readonly Gen<Case> Cases =
            Gen.Select(Gen.Int[8, 40], Gen.Int[8, 40], Gen.Int[1, 3], Gen.Int[1, 40], Gen.Int[1, 40],
                    Gen.Select(Gen.Int[0, 2], Gen.Int[0, 2], Gen.Int[0, 2], Gen.Int[0, 2], Gen.Bool, Gen.Int))
                .Select((c, f, groups, h, w, rest) => new Case(c, f, groups, h, w, rest.Item1, rest.Item2, rest.Item3, rest.Item4, rest.Item5, rest.Item6))
                .Where(c => c.Height + c.Top + c.Bottom >= 3 && c.Width + c.Left + c.Right >= 3 && c.Channels * c.Filters * c.Groups * c.Height * c.Width <= 300000);

        [Fact]
        public void Random_shapes_match_the_naive_loops_within_the_rounding_bound() => Cases.Sample(Check, iter: Iterations(40));

        /// <summary>The rule of <see cref="Winograd4.Pays"/> on the torchvision shapes: maps above 28×28 take F(4×4, 3×3), smaller ones F(2×2, 3×3).</summary>
        [Fact]
        public void Large_maps_take_the_larger_blocks_and_small_ones_do_not()
        {
            Assert.True(Winograd4.Pays(new ConvolutionGeometry(64, 56, 56, 64, 3, 1, 1)));      // ResNet's layer1
            Assert.True(Winograd4.Pays(new ConvolutionGeometry(64, 112, 112, 128, 3, 1, 1)));   // VGG's second convolution
            Assert.True(Winograd4.Pays(new ConvolutionGeometry(16, 29, 29, 16, 3, 1, 1)));      // 8 × 8 blocks
            Assert.False(Winograd4.Pays(new ConvolutionGeometry(128, 28, 28, 128, 3, 1, 1)));   // 7 × 7 blocks: a wash
            Assert.False(Winograd4.Pays(new ConvolutionGeometry(512, 14, 14, 512, 3, 1, 1)));
            Assert.False(Winograd4.Pays(new ConvolutionGeometry(512, 7, 7, 512, 3, 1, 1)));
        }

        /// <summary>
        /// The rectifiers fused into the output transform, and the rules of a rectifier below applied to each plane of the input
        /// gradient as it is written, give the bits of the separate passes; any thread count the same bits.
        /// </summary>
        [Fact]
        public void Fused_rectifiers_and_any_thread_count_give_the_same_bits()
        {
            var rng = new Random(3);
            foreach (var g in new[] { new ConvolutionGeometry(24, 30, 29, 40, 3, 1, 1, 0, 2, 1, 1), new ConvolutionGeometry(32, 14, 14, 48, 3, 1, 1, 1, 1, 1, 2) })
            {
                float[] x = To<float>(Uniform(rng, g.InputSize)), w = To<float>(Uniform(rng, g.WeightSize)), b = To<float>(Uniform(rng, g.Filters));
                float[] dy = To<float>(Uniform(rng, g.OutputSize));
                // The rectifier's output below the layer: zeros, values inside (0, 6), sixes.
                float[] z = Uniform(rng, g.InputSize, -2, 8).Select(v => (float)Math.Clamp(Math.Round(v * 2) / 2, 0, 6)).ToArray();
                (float[] Y, float[] Relu, float[] Relu6, float[] Dx) Run() => Forced(() =>
                {
                    var y = new float[g.OutputSize];
                    var relu = new float[g.OutputSize];
                    var relu6 = new float[g.OutputSize];
                    var dx = new float[g.InputSize];
                    ConvolutionKernels.Forward<float>(x, w, b, y, g);
                    ConvolutionKernels.Forward<float>(x, w, b, relu, g, Rectifier.Relu);
                    ConvolutionKernels.Forward<float>(x, w, b, relu6, g, Rectifier.Relu6);
                    ConvolutionKernels.BackwardInput<float>(dy, w, dx, g);
                    return (y, relu, relu6, dx);
                });
                (float[] Y, float[] Relu, float[] Relu6, float[] Dx) alone;
                using (KernelParallelism.Override(threads: 1)) alone = Run();
                var separate = new float[g.OutputSize];
                ActivationKernels.Relu<float>(alone.Y, separate);
                AssertIdentical<float>(separate, alone.Relu, "ReLU fused");
                ActivationKernels.Relu6<float>(alone.Y, separate);
                AssertIdentical<float>(separate, alone.Relu6, "ReLU6 fused");
                foreach (Rectifier rectifier in new[] { Rectifier.Relu, Rectifier.Relu6 })
                {
                    foreach (BackwardRule rule in new[] { BackwardRule.Saliency, BackwardRule.DeconvNet, BackwardRule.GuidedBackprop })
                    {
                        var twoSteps = new float[g.InputSize];
                        Rules.Apply<float>(rectifier, rule, z, alone.Dx, twoSteps);
                        var fused = new float[g.InputSize];
                        fused.AsSpan().Fill(99);
                        Forced(() =>
                        {
                            ConvolutionKernels.BackwardInput<float>(dy, w, fused, g, rule, z, rectifier);
                            return 0;
                        });
                        AssertIdentical<float>(twoSteps, fused, $"{rectifier} {rule} through {g}");
                    }
                }
                foreach (int threads in new[] { 2, 3 })
                {
                    using var shared = KernelParallelism.Override(threads, minimumWork: 0);
                    var result = Run();
                    AssertIdentical<float>(alone.Y, result.Y, $"forward of {g} on {threads} threads");
                    AssertIdentical<float>(alone.Dx, result.Dx, $"input gradient of {g} on {threads} threads");
                }
            }
        }

        /// <summary>Runs <paramref name="action"/> with F(4×4, 3×3) on wherever it can run, on this thread alone.</summary>
        private static TResult Forced<TResult>(Func<TResult> action)
        {
            bool saved = Winograd4.t_always;
            Winograd4.t_always = true;
            try
            {
                return action();
            }
            finally
            {
                Winograd4.t_always = saved;
            }
        }

        private static void Check(Case c)
        {
            var v = new Naive.Conv(c.Channels * c.Groups, c.Height, c.Width, c.Filters * c.Groups, 3, 1, c.Top, c.Left, c.Bottom, c.Right, c.Groups);
            var g = new ConvolutionGeometry(v.Channels, v.Height, v.Width, v.Filters, 3, 1, c.Top, c.Left, c.Bottom, c.Right, c.Groups);
            var rng = new Random(c.Seed);
            int taps = c.Channels * 9;
            double[] x = Representable<float>(Uniform(rng, g.InputSize));
            double[] w = Representable<float>(Uniform(rng, v.Filters * taps));
            double[]? b = c.Bias ? Representable<float>(Uniform(rng, v.Filters)) : null;
            double[] dy = Representable<float>(Uniform(rng, g.OutputSize));
            float[] weight = To<float>(ColumnMajor(w, v.Filters, taps));
            int calls = Winograd4.t_calls;

            var y = new float[g.OutputSize];
            y.AsSpan().Fill(1234.5f); // stale values must be overwritten
            Forced(() =>
            {
                ConvolutionKernels.Forward<float>(To<float>(x), weight, b is null ? ReadOnlySpan<float>.Empty : To<float>(b), y, g);
                return 0;
            });
            // Forward: filter f's output from its group's channels, weight W[f, c, a, b].
            double[] magnitude = Magnitude(x, c.Channels, c.Height, c.Width, c.Top, c.Left, v.Filters, g.OutputHeight, g.OutputWidth,
                (o, i, a, bb) => w[(o * c.Channels + i) * 9 + a * 3 + bb], o => o / c.Filters, b);
            AssertWithinRoundingOfSums<float>(Naive.Conv2D(x, w, b, v), magnitude, c.Channels + TransformRoundings, y, $"y of {c}");

            var dx = new float[g.InputSize];
            dx.AsSpan().Fill(1234.5f);
            Forced(() =>
            {
                ConvolutionKernels.BackwardInput<float>(To<float>(dy), weight, dx, g);
                return 0;
            });
            // Input gradient: channel o's gradient from its group's filters over the output gradient padded by 2 − p, weight
            // W[f, o, 2 − a, 2 − b].
            magnitude = Magnitude(dy, c.Filters, g.OutputHeight, g.OutputWidth, 2 - c.Top, 2 - c.Left, v.Channels, c.Height, c.Width,
                (o, i, a, bb) => w[(((o / c.Channels) * c.Filters + i) * c.Channels + o % c.Channels) * 9 + (2 - a) * 3 + 2 - bb], o => o / c.Channels, null);
            AssertWithinRoundingOfSums<float>(Naive.Conv2DBackward(dy, w, v), magnitude, c.Filters + TransformRoundings, dx, $"dx of {c}");

            // Both calls went through F(4×4, 3×3) (per group) where it runs: on AVX-512 whenever the output has 2 rows and
            // columns (Winograd's floor); elsewhere the other paths answered, against the same bound.
            bool runs = Forced(() => Winograd4.Applies<float>(g));
            Assert.Equal(calls + (runs ? 2 * c.Groups : 0), Winograd4.t_calls);
            if (SimdWidth.Use512 && g.OutputHeight >= 2 && g.OutputWidth >= 2) Assert.True(runs, $"F(4×4, 3×3) does not run {c}");
        }

        /// <summary>
        /// For each output <c>(o, oy, ox)</c> of a correlation with a 3×3 kernel over <paramref name="input"/> padded by
        /// <paramref name="padTop"/> and <paramref name="padLeft"/>: F(4×4, 3×3)'s computation of it on absolute values,
        /// <c>Σ_i Σ_ξ |Aᵀ| (|G| |k| |G|ᵀ)_ξ (|Bᵀ| |d| |B|)_ξ |A|</c> over the group's inputs <c>i</c> and the output's block
        /// <c>d</c>, plus <c>|bias|</c>: the scale against which each of its roundings is at most one unit roundoff.
        /// </summary>
        /// <param name="groupInputs">Inputs per group; output <c>o</c> reads inputs <c>group(o)·groupInputs + i</c>.</param>
        /// <param name="kernel">The 3×3 kernel value <c>(o, i, a, b)</c> applied to input <c>group(o)·groupInputs + i</c> at offset <c>(a, b)</c>.</param>
        private static double[] Magnitude(double[] input, int groupInputs, int h, int w, int padTop, int padLeft, int outputs, int oh, int ow,
            Func<int, int, int, int, double> kernel, Func<int, int> group, double[]? bias)
        {
            int th = (oh + 3) / 4, tw = (ow + 3) / 4;
            int inputs = input.Length / (h * w);
            // |Bᵀ| |d| |B| of every input plane's blocks.
            var transformed = new double[inputs, th * tw, 6, 6];
            for (int i = 0; i < inputs; i++)
            {
                for (int ty = 0; ty < th; ty++)
                {
                    for (int tx = 0; tx < tw; tx++)
                    {
                        var d = new double[6, 6];
                        for (int p = 0; p < 6; p++)
                        {
                            for (int q = 0; q < 6; q++)
                            {
                                int iy = 4 * ty - padTop + p, ix = 4 * tx - padLeft + q;
                                d[p, q] = iy >= 0 && iy < h && ix >= 0 && ix < w ? Math.Abs(input[(i * h + iy) * w + ix]) : 0;
                            }
                        }
                        double[,] v = Sandwich(Abs(Bt), d);
                        for (int a = 0; a < 6; a++) for (int b = 0; b < 6; b++) transformed[i, ty * tw + tx, a, b] = v[a, b];
                    }
                }
            }
            var result = new double[outputs * oh * ow];
            double[,] absG = Abs(G), absAt = Abs(At);
            for (int o = 0; o < outputs; o++)
            {
                var sums = new double[th * tw, 6, 6];
                for (int i = 0; i < groupInputs; i++)
                {
                    var k = new double[3, 3];
                    for (int a = 0; a < 3; a++) for (int b = 0; b < 3; b++) k[a, b] = Math.Abs(kernel(o, i, a, b));
                    double[,] u = Sandwich(absG, k);
                    int plane = group(o) * groupInputs + i;
                    for (int t = 0; t < th * tw; t++)
                    {
                        for (int a = 0; a < 6; a++) for (int b = 0; b < 6; b++) sums[t, a, b] += u[a, b] * transformed[plane, t, a, b];
                    }
                }
                for (int t = 0; t < th * tw; t++)
                {
                    var m = new double[6, 6];
                    for (int a = 0; a < 6; a++) for (int b = 0; b < 6; b++) m[a, b] = sums[t, a, b];
                    double[,] y = Sandwich(absAt, m);
                    int ty = t / tw, tx = t % tw;
                    for (int r = 0; r < 4; r++)
                    {
                        for (int s = 0; s < 4; s++)
                        {
                            int oy = 4 * ty + r, ox = 4 * tx + s;
                            if (oy < oh && ox < ow) result[(o * oh + oy) * ow + ox] = y[r, s] + Math.Abs(bias?[o] ?? 0);
                        }
                    }
                }
            }
            return result;
        }

        /// <summary><c>M X Mᵀ</c>.</summary>
        private static double[,] Sandwich(double[,] m, double[,] x)
        {
            int rows = m.GetLength(0), inner = m.GetLength(1);
            var left = new double[rows, inner];
            for (int i = 0; i < rows; i++) for (int j = 0; j < inner; j++) for (int k = 0; k < inner; k++) left[i, j] += m[i, k] * x[k, j];
            var result = new double[rows, rows];
            for (int i = 0; i < rows; i++) for (int j = 0; j < rows; j++) for (int k = 0; k < inner; k++) result[i, j] += left[i, k] * m[j, k];
            return result;
        }

        private static double[,] Abs(double[,] m)
        {
            var result = new double[m.GetLength(0), m.GetLength(1)];
            for (int i = 0; i < m.GetLength(0); i++) for (int j = 0; j < m.GetLength(1); j++) result[i, j] = Math.Abs(m[i, j]);
            return result;
        }
    }
}
