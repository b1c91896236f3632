using System.Numerics;
using CsCheck;
using Relucent.Kernels;
using Xunit;
using static Relucent.Tests.Kernels.Numerics;

namespace Relucent.Tests.Kernels
{
    /// <summary>
    /// Pooling with padding per side and ceil mode (ResNet's 3×3 stride-2 padding-1 max pool, GoogLeNet's ceil-mode pools),
    /// and adaptive average pooling, against the naive double loops on every SIMD path and in both precisions: max pooling
    /// never lets the padding win and no switch points into it; average pooling divides as <c>count_include_pad=True</c>;
    /// unpooling through a rectifier's rule equals the two steps, overlapping windows included.
    /// </summary>
    public class PaddedPoolingTests
    {
        // Kernels 1 to 4, strides 1 to 3 (the vector paths take 1 and 2), each side padded below the kernel, ceil mode on and
        // off, rows short and long against a vector of 16 outputs; values from a few integers (ties) or uniform.
        private static readonly Gen<(Naive.Pool Pool, bool Ties, int Seed)> Cases =
            Gen.Select(Gen.Int[1, 3], Gen.Int[1, 40], Gen.Int[1, 40], Gen.Int[1, 4], Gen.Int[1, 3], Gen.Select(Gen.Int[0, 3], Gen.Int[0, 3], Gen.Int[0, 3], Gen.Int[0, 3]), Gen.Bool, Gen.Select(Gen.Bool, Gen.Int))
                .Select((c, h, w, k, s, pads, ceil, rest) => (new Naive.Pool(c, h, w, k, s, Math.Min(pads.Item1, k - 1), Math.Min(pads.Item2, k - 1), Math.Min(pads.Item3, k - 1), Math.Min(pads.Item4, k - 1), ceil), rest.Item1, rest.Item2))
                .Where(c => c.Item1.Kernel <= c.Item1.Height + c.Item1.Top + c.Item1.Bottom && c.Item1.Kernel <= c.Item1.Width + c.Item1.Left + c.Item1.Right);

        private static PoolGeometry Geometry(Naive.Pool v) => new(v.Channels, v.Height, v.Width, v.Kernel, v.Stride, v.Top, v.Left, v.Bottom, v.Right, v.Ceil);

        private static double[] Input<T>(Random rng, int size, bool ties) where T : unmanaged, IFloatingPointIeee754<T> =>
            ties ? Enumerable.Range(0, size).Select(_ => (double)rng.Next(-2, 3)).ToArray() : Representable<T>(Uniform(rng, size));

        [Theory]
        [MemberData(nameof(SimdPathTests.Widths), MemberType = typeof(SimdPathTests))]
        public void Padded_and_ceil_mode_pooling_matches_the_naive_loops(int width) =>
            Cases.Sample(c => SimdPathTests.OnPath(width, () =>
            {
                Check<float>(c.Pool, c.Ties, c.Seed);
                Check<double>(c.Pool, c.Ties, c.Seed);
            }), iter: Iterations(150));

        private static void Check<T>(Naive.Pool v, bool ties, int seed) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var g = Geometry(v);
            Assert.Equal(v.OutputHeight, g.OutputHeight);
            Assert.Equal(v.OutputWidth, g.OutputWidth);
            var rng = new Random(seed);
            double[] x = Input<T>(rng, g.InputSize, ties);
            double[] expected = Naive.MaxPool(x, v, out int[] argmax);
            var y = new T[g.OutputSize];
            var switches = new int[g.OutputSize];
            y.AsSpan().Fill(T.CreateChecked(77));
            switches.AsSpan().Fill(-5);
            PoolingKernels.MaxForward<T>(To<T>(x), y, switches, g);
            AssertClose(expected, y, 0, $"max of {v}");
            Assert.Equal(argmax, switches);

            double[] dy = Representable<T>(Uniform(rng, g.OutputSize));
            var dx = new T[g.InputSize];
            dx.AsSpan().Fill(T.One);
            PoolingKernels.MaxBackward<T>(To<T>(dy), switches, dx, g);
            AssertClose(Naive.MaxPoolBackward(dy, argmax, g.InputSize), dx, Tolerance<T>(1e-6, 1e-15), $"unpooling of {v}", floor: 1);

            var average = new T[g.OutputSize];
            PoolingKernels.AvgForward<T>(To<T>(x), average, g);
            AssertClose(Naive.AvgPool(x, v), average, Tolerance<T>(1e-6, 1e-14), $"average of {v}", floor: 1);
            var dxAverage = new T[g.InputSize];
            dxAverage.AsSpan().Fill(T.One);
            PoolingKernels.AvgBackward<T>(To<T>(dy), dxAverage, g);
            AssertClose(Naive.AvgPoolBackward(dy, v), dxAverage, Tolerance<T>(1e-6, 1e-14), $"average backward of {v}", floor: 1);
        }

        [Theory]
        [MemberData(nameof(SimdPathTests.Widths), MemberType = typeof(SimdPathTests))]
        public void The_padding_never_wins_even_against_minus_infinity_and_NaN_still_propagates(int width) => SimdPathTests.OnPath(width, () =>
        {
            // ResNet's stem pool on planes of −∞ and NaN: every switch must point at an input value (the first of its window).
            var v = new Naive.Pool(2, 9, 37, 3, 2, 1, 1, 1, 1, false);
            var g = Geometry(v);
            var rng = new Random(3);
            foreach (float fill in new[] { float.NegativeInfinity, float.NaN })
            {
                float[] x = Enumerable.Range(0, g.InputSize).Select(i => rng.Next(3) == 0 ? fill : rng.Next(-3, 3)).ToArray();
                var y = new float[g.OutputSize];
                var switches = new int[g.OutputSize];
                PoolingKernels.MaxForward<float>(x, y, switches, g);
                double[] expected = Naive.MaxPool(x.Select(f => (double)f).ToArray(), v, out int[] argmax);
                Assert.Equal(argmax, switches);
                for (int o = 0; o < y.Length; o++) Assert.Equal(expected[o], (double)y[o]);
            }
            float[] minus = Enumerable.Repeat(float.NegativeInfinity, g.InputSize).ToArray();
            var s2 = new int[g.OutputSize];
            PoolingKernels.MaxForward<float>(minus, new float[g.OutputSize], s2, g);
            Assert.Equal(0, s2[0]); // the top-left window's first input value, not its padding
        });

        [Theory]
        [MemberData(nameof(SimdPathTests.Widths), MemberType = typeof(SimdPathTests))]
        public void Unpooling_through_a_rule_equals_the_two_steps_with_padding_and_overlapping_windows(int width) =>
            Cases.Sample(c => SimdPathTests.OnPath(width, () =>
            {
                CheckUnpooling<float>(c.Pool, c.Seed);
                CheckUnpooling<double>(c.Pool, c.Seed);
            }), iter: Iterations(40));

        private static void CheckUnpooling<T>(Naive.Pool v, int seed) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var g = Geometry(v);
            var rng = new Random(seed);
            foreach (Rectifier rectifier in new[] { Rectifier.Relu, Rectifier.Relu6 })
            {
                // z is the rectifier's output feeding the pooling, with exact zeros and sixes; the switches come from pooling it.
                T[] z = Uniform(rng, g.InputSize, -2, 8).Select(d => T.CreateChecked(Math.Clamp(Math.Round(d * 2) / 2, 0, rectifier == Rectifier.Relu6 ? 6 : 100))).ToArray();
                var switches = new int[g.OutputSize];
                PoolingKernels.MaxForward<T>(z, new T[g.OutputSize], switches, g);
                T[] dy = To<T>(Uniform(rng, g.OutputSize));
                var unpooled = new T[g.InputSize];
                PoolingKernels.MaxBackward<T>(dy, switches, unpooled, g);
                foreach (BackwardRule rule in Rules.All)
                {
                    var separate = new T[g.InputSize];
                    Rules.Apply(rectifier, rule, z, unpooled, separate);
                    var fused = new T[g.InputSize];
                    fused.AsSpan().Fill(T.CreateChecked(-7));
                    PoolingKernels.MaxBackward<T>(dy, switches, fused, g, rule, z, rectifier);
                    AssertIdentical<T>(separate, fused, $"{rectifier} {rule} through {v}");
                }
            }
        }

        [Theory]
        [MemberData(nameof(SimdPathTests.Widths), MemberType = typeof(SimdPathTests))]
        public void Adaptive_average_pooling_matches_the_naive_loops_for_any_sizes(int width) =>
            Gen.Select(Gen.Int[1, 3], Gen.Int[1, 20], Gen.Int[1, 20], Gen.Int[1, 25], Gen.Int[1, 25], Gen.Int).Sample((c, h, w, oh, ow, seed) => SimdPathTests.OnPath(width, () =>
            {
                CheckAdaptive<float>(c, h, w, oh, ow, seed);
                CheckAdaptive<double>(c, h, w, oh, ow, seed);
            }), iter: Iterations(100));

        private static void CheckAdaptive<T>(int channels, int height, int width, int outHeight, int outWidth, int seed) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var g = new AdaptivePoolGeometry(channels, height, width, outHeight, outWidth);
            var rng = new Random(seed);
            double[] x = Representable<T>(Uniform(rng, g.InputSize)), dy = Representable<T>(Uniform(rng, g.OutputSize));
            var y = new T[g.OutputSize];
            y.AsSpan().Fill(T.CreateChecked(5));
            PoolingKernels.AdaptiveAvgForward<T>(To<T>(x), y, g);
            string what = $"[{channels}, {height}, {width}] → {outHeight}×{outWidth}";
            // A bin sums at most height·width inputs; an input is summed into at most outHeight·outWidth bins.
            double[] absX = x.Select(Math.Abs).ToArray(), absDy = dy.Select(Math.Abs).ToArray();
            AssertWithinRoundingOfSums(Naive.AdaptiveAvgPool(x, channels, height, width, outHeight, outWidth),
                Naive.AdaptiveAvgPool(absX, channels, height, width, outHeight, outWidth), height * width, y, $"adaptive average of {what}");
            var dx = new T[g.InputSize];
            dx.AsSpan().Fill(T.One);
            PoolingKernels.AdaptiveAvgBackward<T>(To<T>(dy), dx, g);
            AssertWithinRoundingOfSums(Naive.AdaptiveAvgPoolBackward(dy, channels, height, width, outHeight, outWidth),
                Naive.AdaptiveAvgPoolBackward(absDy, channels, height, width, outHeight, outWidth), outHeight * outWidth, dx, $"adaptive average backward of {what}");
        }

        [Fact]
        public void The_geometries_of_the_model_zoo_have_PyTorchs_output_sizes()
        {
            Assert.Equal(56, new PoolGeometry(64, 112, 112, 3, 2, 1, 1, 1, 1, false).OutputHeight);  // ResNet's stem
            Assert.Equal(56, new PoolGeometry(64, 112, 112, 3, 2, 0, 0, 0, 0, true).OutputHeight);   // GoogLeNet maxpool1
            Assert.Equal(28, new PoolGeometry(192, 56, 56, 3, 2, 0, 0, 0, 0, true).OutputWidth);     // GoogLeNet maxpool2
            Assert.Equal(14, new PoolGeometry(480, 28, 28, 3, 2, 0, 0, 0, 0, true).OutputHeight);    // GoogLeNet maxpool3
            Assert.Equal(7, new PoolGeometry(832, 14, 14, 2, 2, 0, 0, 0, 0, true).OutputHeight);     // GoogLeNet maxpool4
            Assert.Equal(28, new PoolGeometry(192, 28, 28, 3, 1, 1, 1, 1, 1, true).OutputHeight);    // an Inception branch's pool
            Assert.Equal(27, new PoolGeometry(64, 55, 55, 3, 2).OutputHeight);                       // AlexNet
            Assert.Equal(3, new PoolGeometry(1, 5, 5, 2, 2, 0, 0, 0, 0, true).OutputHeight);        // ceil keeps a window starting inside
            Assert.Equal(3, new PoolGeometry(1, 4, 4, 2, 2, 1, 1, 1, 1, false).OutputHeight);      // (4 + 2 − 2)/2 + 1
        }

        [Fact]
        public void Pooling_gives_the_same_bits_on_any_number_of_threads()
        {
            var rng = new Random(5);
            foreach (var g in new[] { new PoolGeometry(13, 30, 33, 3, 2, 1, 1, 1, 1, false), new PoolGeometry(9, 28, 28, 2, 2), new PoolGeometry(7, 15, 15, 3, 1, 1, 1, 1, 1, true), new PoolGeometry(5, 20, 20, 3, 3, 0, 0, 0, 0, true) })
            {
                float[] x = To<float>(Uniform(rng, g.InputSize)), dy = To<float>(Uniform(rng, g.OutputSize));
                float[] z = x.Select(v => Math.Max(v, 0f)).ToArray();
                (float[] Y, int[] Switches, float[] Dx, float[] Fused) Run()
                {
                    var y = new float[g.OutputSize];
                    var switches = new int[g.OutputSize];
                    var dx = new float[g.InputSize];
                    var fused = new float[g.InputSize];
                    PoolingKernels.MaxForward<float>(x, y, switches, g);
                    PoolingKernels.MaxBackward<float>(dy, switches, dx, g);
                    PoolingKernels.MaxBackward<float>(dy, switches, fused, g, BackwardRule.DeconvNet, z, Rectifier.Relu);
                    return (y, switches, dx, fused);
                }

                (float[] Y, int[] Switches, float[] Dx, float[] Fused) alone;
                using (KernelParallelism.Override(threads: 1)) alone = Run();
                foreach (int threads in new[] { 2, 3 })
                {
                    using var shared = KernelParallelism.Override(threads, minimumWork: 0);
                    var result = Run();
                    AssertIdentical<float>(alone.Y, result.Y, $"max pool of {g.Channels}×{g.Height}×{g.Width} on {threads} threads");
                    Assert.Equal(alone.Switches, result.Switches);
                    AssertIdentical<float>(alone.Dx, result.Dx, $"unpooling on {threads} threads");
                    AssertIdentical<float>(alone.Fused, result.Fused, $"unpooling through DeconvNet on {threads} threads");
                }
            }
        }

        [Fact]
        public void Padding_as_large_as_the_window_is_refused()
        {
            var e = Assert.Throws<ArgumentException>(() => new PoolGeometry(1, 8, 8, 2, 2, 2, 0, 0, 0, false));
            Assert.Contains("each padding must be smaller than the window", e.Message);
            Assert.Throws<ArgumentException>(() => new PoolGeometry(1, 8, 8, 3, 2, 0, 0, 0, -1, false));
            Assert.Throws<ArgumentException>(() => new AdaptivePoolGeometry(1, 8, 8, 0, 1));
            Assert.Throws<ArgumentException>(() => PoolingKernels.AdaptiveAvgForward<float>(ReadOnlySpan<float>.Empty, Span<float>.Empty, default));
        }

        [Fact]
        public void Padded_pooling_allocates_nothing_after_the_first_call()
        {
            var g = new PoolGeometry(8, 30, 30, 3, 2, 1, 1, 1, 1, true);
            var adaptive = new AdaptivePoolGeometry(8, 30, 30, 7, 7);
            var rng = new Random(1);
            float[] x = To<float>(Uniform(rng, g.InputSize)), y = new float[g.OutputSize], dx = new float[g.InputSize], a = new float[adaptive.OutputSize];
            int[] switches = new int[g.OutputSize];
            AssertAllocatesNothing(() =>
            {
                PoolingKernels.MaxForward<float>(x, y, switches, g);
                PoolingKernels.MaxBackward<float>(y, switches, dx, g, BackwardRule.GuidedBackprop, x, Rectifier.Relu6);
                PoolingKernels.AdaptiveAvgForward<float>(x, a, adaptive);
                PoolingKernels.AdaptiveAvgBackward<float>(a, dx, adaptive);
            }, calls: 5);
        }
    }
}
