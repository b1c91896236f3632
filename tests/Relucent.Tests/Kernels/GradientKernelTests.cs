using System.Numerics;
using CsCheck;
using Relucent.Kernels;
using Xunit;
using static Relucent.Tests.Kernels.Numerics;

namespace Relucent.Tests.Kernels
{
    /// <summary>
    /// The convolution's parameter gradients (<see cref="GradientKernels.Convolution{T}"/>) on every SIMD path against the
    /// naive double loop: both ways the kernel runs (dot products for fewer channels than a register tile has rows, the
    /// tiled product otherwise), strides 1–3, padding 0–3 (beyond k − 1 too), odd sizes, filters across several vectors.
    /// Also: the kernel adds exactly its own contribution, its bits never depend on the thread, the scratch or the number
    /// of threads sharing a call, the scalar path gives the bits of the plain loop, and nothing is allocated per call.
    /// </summary>
    public class GradientKernelTests
    {
        public record struct Case(int Channels, int Height, int Width, int Filters, int Kernel, int Stride, int Padding, bool Bias, int Seed);

        // Channels 1–20 (below and above the 4 and 8 rows of a tile: both ways of running), filters 1–70 (up to 5 vectors
        // of 16 floats, partial ones, several tiles of 4), planes up to 30 wide, kernels 1–5, strides 1–3, padding 0–3.
        private static readonly Gen<Case> Cases =
            Gen.Select(Gen.Int[1, 20], Gen.Int[1, 30], Gen.Int[1, 30], Gen.Int[1, 70], Gen.Int[1, 5], Gen.Int[1, 3], Gen.Int[0, 3], Gen.Select(Gen.Bool, Gen.Int))
                .Select((c, h, w, f, k, s, p, rest) => new Case(c, h, w, f, k, s, p, rest.Item1, rest.Item2))
                .Where(c => c.Kernel <= c.Height + 2 * c.Padding && c.Kernel <= c.Width + 2 * c.Padding && c.Channels * c.Height * c.Width * c.Filters <= 60000);

        /// <summary>The shapes of samples/Shapes and of an MNIST network, a few-channel stride-2 one, and ones at the switch between the two ways.</summary>
        private static readonly Case[] Layers =
        {
            new(3, 32, 32, 8, 3, 1, 1, true, 1), new(8, 16, 16, 16, 3, 1, 1, true, 2), new(16, 8, 8, 32, 3, 1, 1, true, 3),
            new(1, 28, 28, 32, 3, 1, 0, true, 4), new(32, 26, 26, 64, 3, 1, 0, true, 5), new(3, 33, 31, 16, 7, 2, 3, true, 6),
            new(7, 9, 11, 5, 3, 1, 1, false, 7), new(4, 10, 10, 9, 2, 2, 0, true, 8),
        };

        [Theory]
        [MemberData(nameof(SimdPathTests.Widths), MemberType = typeof(SimdPathTests))]
        public void Convolution_gradients_match_the_naive_loop_on_every_path_in_float(int width) =>
            Cases.Sample(c => SimdPathTests.OnPath(width, () => CheckAgainstNaive<float>(c)), iter: Numerics.Iterations(60));

        [Theory]
        [MemberData(nameof(SimdPathTests.Widths), MemberType = typeof(SimdPathTests))]
        public void Convolution_gradients_match_the_naive_loop_on_every_path_in_double(int width) =>
            Cases.Sample(c => SimdPathTests.OnPath(width, () => CheckAgainstNaive<double>(c)), iter: Numerics.Iterations(60));

        [Theory]
        [MemberData(nameof(SimdPathTests.Widths), MemberType = typeof(SimdPathTests))]
        public void Convolution_gradients_match_the_naive_loop_on_network_layers(int width) => SimdPathTests.OnPath(width, () =>
        {
            foreach (Case c in Layers)
            {
                CheckAgainstNaive<float>(c);
                CheckAgainstNaive<double>(c);
            }
        });

        private static void CheckAgainstNaive<T>(Case c) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var rng = new Random(c.Seed);
            var g = Geometry(c);
            int taps = c.Channels * c.Kernel * c.Kernel, positions = g.OutputHeight * g.OutputWidth;
            double[] x = Representable<T>(Uniform(rng, g.InputSize));
            double[] dy = Representable<T>(Uniform(rng, g.OutputSize));
            // Gradients already hold earlier examples' sums: the kernel adds to them.
            double[] w0 = Representable<T>(Uniform(rng, g.WeightSize)), b0 = Representable<T>(Uniform(rng, c.Filters));
            T[] weightGradient = To<T>(w0), biasGradient = c.Bias ? To<T>(b0) : [];
            GradientKernels.Convolution<T>(To<T>(x), To<T>(dy), weightGradient, biasGradient, g);

            (double[] w, double[] b) = Naive.Conv2DParameterGradients(x, dy, c.Channels, c.Height, c.Width, c.Filters, c.Kernel, c.Stride, c.Padding);
            double[] expectedWeight = ColumnMajor(w, c.Filters, taps).Select((v, i) => w0[i] + v).ToArray();
            // Sums of up to oh·ow products of O(1) terms: the error grows with the count, measured against O(1).
            double tolerance = Tolerance<T>(1e-5, 1e-13) * Math.Max(1, Math.Sqrt(positions / 9.0));
            AssertClose(expectedWeight, weightGradient, tolerance, $"∂W of {c}", floor: 1);
            if (c.Bias) AssertClose(b.Select((v, i) => b0[i] + v).ToArray(), biasGradient, tolerance, $"∂b of {c}", floor: 1);
        }

        /// <summary>
        /// Accumulation over a mini-batch: a call adds its own sums and nothing else, so from zeros two calls give exactly
        /// twice one call, and from any start the result is <c>start + (one call from zeros)</c>, bit for bit.
        /// </summary>
        [Theory]
        [MemberData(nameof(SimdPathTests.Widths), MemberType = typeof(SimdPathTests))]
        public void Each_call_adds_exactly_its_contribution(int width) => SimdPathTests.OnPath(width, () =>
        {
            foreach (Case c in Layers) Check<float>(c);
            foreach (Case c in Layers) Check<double>(c);

            static void Check<T>(Case c) where T : unmanaged, IFloatingPointIeee754<T>
            {
                var rng = new Random(c.Seed);
                var g = Geometry(c);
                T[] x = To<T>(Uniform(rng, g.InputSize)), dy = To<T>(Uniform(rng, g.OutputSize));
                T[] start = To<T>(Uniform(rng, g.WeightSize)), startBias = To<T>(Uniform(rng, c.Filters));

                T[] once = new T[g.WeightSize], onceBias = new T[c.Filters];
                GradientKernels.Convolution<T>(x, dy, once, onceBias, g);
                T[] twice = new T[g.WeightSize], twiceBias = new T[c.Filters];
                GradientKernels.Convolution<T>(x, dy, twice, twiceBias, g);
                GradientKernels.Convolution<T>(x, dy, twice, twiceBias, g);
                AssertIdentical<T>(once.Select(v => v + v).ToArray(), twice, $"∂W after two calls, {c}");
                AssertIdentical<T>(onceBias.Select(v => v + v).ToArray(), twiceBias, $"∂b after two calls, {c}");

                T[] added = (T[])start.Clone(), addedBias = (T[])startBias.Clone();
                GradientKernels.Convolution<T>(x, dy, added, addedBias, g);
                AssertIdentical<T>(start.Select((v, i) => v + once[i]).ToArray(), added, $"∂W added to a start, {c}");
                AssertIdentical<T>(startBias.Select((v, i) => v + onceBias[i]).ToArray(), addedBias, $"∂b added to a start, {c}");

                // Without a bias, the weight gradient is the same and nothing else is written.
                T[] alone = new T[g.WeightSize];
                GradientKernels.Convolution<T>(x, dy, alone, Span<T>.Empty, g);
                AssertIdentical<T>(once, alone, $"∂W without a bias, {c}");
            }
        });

        /// <summary>
        /// On the scalar path every sum runs over the output positions in order, unfused: the bits of the plain loop the
        /// kernel replaced (taps that fall in the padding, and the staged zeros, add exact zeros).
        /// </summary>
        [Fact]
        public void The_scalar_path_gives_the_bits_of_the_plain_loop()
        {
            // Sample runs cases on several threads: each sets its own (per-thread) width.
            Cases.Sample(c => SimdPathTests.OnPath(1, () => { Check<float>(c); Check<double>(c); }), iter: Numerics.Iterations(40));
            SimdPathTests.OnPath(1, () =>
            {
                foreach (Case c in Layers) Check<float>(c);
            });

            static void Check<T>(Case c) where T : unmanaged, IFloatingPointIeee754<T>
            {
                var rng = new Random(c.Seed);
                var g = Geometry(c);
                T[] x = To<T>(Uniform(rng, g.InputSize)), dy = To<T>(Uniform(rng, g.OutputSize));
                T[] start = To<T>(Uniform(rng, g.WeightSize)), startBias = To<T>(Uniform(rng, c.Filters));
                T[] expected = (T[])start.Clone(), expectedBias = (T[])startBias.Clone();
                PlainLoop<T>(x, dy, expected, expectedBias, g);
                T[] actual = (T[])start.Clone(), actualBias = (T[])startBias.Clone();
                GradientKernels.Convolution<T>(x, dy, actual, actualBias, g);
                AssertIdentical<T>(expected, actual, $"∂W of {c}");
                AssertIdentical<T>(expectedBias, actualBias, $"∂b of {c}");
            }
        }

        /// <summary>The scalar loop the kernel replaced, in <typeparamref name="T"/>: each sum over the valid positions, row by row.</summary>
        private static void PlainLoop<T>(T[] x, T[] dy, T[] weightGradient, T[] biasGradient, in ConvolutionGeometry g)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            int plane = g.OutputHeight * g.OutputWidth, k = g.Kernel;
            for (int c = 0; c < g.Channels; c++)
            {
                for (int ky = 0; ky < k; ky++)
                {
                    for (int kx = 0; kx < k; kx++)
                    {
                        int tap = (c * k + ky) * k + kx;
                        for (int f = 0; f < g.Filters; f++)
                        {
                            T sum = T.Zero;
                            for (int oy = 0; oy < g.OutputHeight; oy++)
                            {
                                for (int ox = 0; ox < g.OutputWidth; ox++)
                                {
                                    int iy = oy * g.Stride - g.Padding + ky, ix = ox * g.Stride - g.Padding + kx;
                                    if ((uint)iy >= (uint)g.Height || (uint)ix >= (uint)g.Width) continue;
                                    sum += dy[f * plane + oy * g.OutputWidth + ox] * x[(c * g.Height + iy) * g.Width + ix];
                                }
                            }
                            weightGradient[tap * g.Filters + f] += sum;
                        }
                    }
                }
            }
            for (int f = 0; f < g.Filters; f++)
            {
                T sum = T.Zero;
                for (int q = 0; q < plane; q++) sum += dy[f * plane + q];
                biasGradient[f] += sum;
            }
        }

        [Fact]
        public void Results_do_not_depend_on_the_thread_the_scratch_or_threads_sharing_the_call()
        {
            foreach (Case c in Layers)
            {
                var g = Geometry(c);
                var rng = new Random(c.Seed);
                float[] x = To<float>(Uniform(rng, g.InputSize)), dy = To<float>(Uniform(rng, g.OutputSize));
                (float[] W, float[] B) Run()
                {
                    var w = new float[g.WeightSize];
                    var b = new float[g.Filters];
                    GradientKernels.Convolution<float>(x, dy, w, b, g);
                    return (w, b);
                }

                (float[] W, float[] B) first;
                using (KernelParallelism.Override(threads: 1)) first = Run();

                // Other calls fill the per-thread scratch with other data, NaN included.
                foreach (var other in new[] { new ConvolutionGeometry(12, 30, 31, 17, 3, 1, 2), new ConvolutionGeometry(2, 40, 40, 3, 5, 2, 0) })
                {
                    float[] nanIn = Enumerable.Repeat(float.NaN, other.InputSize).ToArray(), nanOut = Enumerable.Repeat(float.NaN, other.OutputSize).ToArray();
                    GradientKernels.Convolution<float>(nanIn, nanOut, new float[other.WeightSize], new float[other.Filters], other);
                    ConvolutionKernels.Forward<float>(nanIn, new float[other.WeightSize], ReadOnlySpan<float>.Empty, nanOut, other);
                }
                var again = Run();
                AssertIdentical<float>(first.W, again.W, $"∂W after other calls, {c}");
                AssertIdentical<float>(first.B, again.B, $"∂b after other calls, {c}");

                (float[] W, float[] B) elsewhere = default;
                var thread = new Thread(() => elsewhere = Run());
                thread.Start();
                thread.Join();
                AssertIdentical<float>(first.W, elsewhere.W, $"∂W on another thread, {c}");

                // The thread counts are this thread's alone (KernelParallelism.Override): other tests running meanwhile keep theirs.
                foreach (int threads in new[] { 2, 3, 4 })
                {
                    using var shared = KernelParallelism.Override(threads, minimumWork: 0);
                    var result = Run();
                    AssertIdentical<float>(first.W, result.W, $"∂W on {threads} threads, {c}");
                    AssertIdentical<float>(first.B, result.B, $"∂b on {threads} threads, {c}");
                }
            }
        }

        [Fact]
        public void Calls_allocate_nothing_after_the_first()
        {
            var rng = new Random(3);
            var data = Layers.Select(c =>
            {
                var g = Geometry(c);
                return (g, X: To<float>(Uniform(rng, g.InputSize)), Dy: To<float>(Uniform(rng, g.OutputSize)), W: new float[g.WeightSize], B: new float[g.Filters]);
            }).ToArray();
            void All()
            {
                foreach (var (g, x, dy, w, b) in data) GradientKernels.Convolution<float>(x, dy, w, b, g);
            }

            AssertAllocatesNothing(All, calls: 5);
        }

        [Fact]
        public void Buffers_of_the_wrong_length_are_refused()
        {
            var g = new ConvolutionGeometry(2, 5, 5, 3, 3, 1, 1);
            float[] x = new float[g.InputSize], dy = new float[g.OutputSize], w = new float[g.WeightSize];
            Assert.Throws<ArgumentException>(() => GradientKernels.Convolution<float>(x, dy, w, new float[g.Filters + 1], g));
            Assert.Throws<ArgumentException>(() => GradientKernels.Convolution<float>(x, dy, new float[g.WeightSize - 1], new float[g.Filters], g));
            Assert.Throws<ArgumentException>(() => GradientKernels.Convolution<float>(x, new float[g.OutputSize + 1], w, new float[g.Filters], g));
            Assert.Throws<ArgumentException>(() => GradientKernels.Convolution<float>(new float[g.InputSize - 1], dy, w, new float[g.Filters], g));
        }

        private static ConvolutionGeometry Geometry(Case c) => new(c.Channels, c.Height, c.Width, c.Filters, c.Kernel, c.Stride, c.Padding);
    }
}
