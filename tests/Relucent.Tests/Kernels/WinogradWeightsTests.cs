using CsCheck;
using Relucent.Kernels;
using Xunit;
using static Relucent.Tests.Kernels.Numerics;

namespace Relucent.Tests.Kernels
{
    /// <summary>
    /// Weights transformed once for Winograd (<see cref="WinogradWeights"/>) give the kernels exactly the bits they compute when
    /// they transform the weight themselves, forward and backward (the input gradient reads the forward transform's planes
    /// permuted), with groups and padding that differs per side, the rule of a rectifier below applied as the planes are
    /// written; a preparation is rebuilt by preparing again; a preparation that does not fit the call is refused by name.
    /// </summary>
    public class WinogradWeightsTests
    {
        private static readonly Gen<GroupedConvolutionTests.Case> WinogradCases =
            Gen.Select(Gen.Int[8, 20], Gen.Int[8, 20], Gen.Int[1, 3], Gen.Int[2, 24], Gen.Int[2, 24], Gen.Select(Gen.Int[0, 2], Gen.Int[0, 2], Gen.Int[0, 2], Gen.Int[0, 2], Gen.Int))
                .Select((c, f, groups, h, w, p) => new GroupedConvolutionTests.Case(c, f, groups, h, w, 3, 1, p.Item1, p.Item2, p.Item3, p.Item4, true, p.Item5))
                .Where(c => 3 <= c.Height + c.Top + c.Bottom - 1 && 3 <= c.Width + c.Left + c.Right - 1);

        [Fact]
        public void Prepared_weights_give_the_bits_of_a_transform_per_call_in_both_directions() =>
            WinogradCases.Sample(c =>
            {
                ConvolutionGeometry g = c.Geometry;
                WinogradWeights? prepared = WinogradWeights.For(g);
                Assert.Equal(Winograd.Fits(g), prepared != null); // AVX-512 and RELUCENT_WINOGRAD unset: every case here fits
                if (prepared == null) return;
                var rng = new Random(c.Seed);
                float[] x = Floats(rng, g.InputSize), w = Floats(rng, g.WeightSize), b = Floats(rng, g.Filters), dy = Floats(rng, g.OutputSize);
                float[] z = Floats(rng, g.InputSize).Select(v => Math.Max(v, 0)).ToArray(); // a ReLU's output below the layer
                prepared.Prepare(w);
                Same(g, x, w, b, dy, z, prepared);
            }, iter: Iterations(40));

        [Fact]
        public void Preparing_again_follows_the_weight()
        {
            var g = new ConvolutionGeometry(16, 9, 7, 24, kernel: 3, stride: 1, padding: 1);
            WinogradWeights? prepared = WinogradWeights.For(g);
            if (!Winograd.Fits(g))
            {
                Assert.Null(prepared);
                return;
            }
            var rng = new Random(5);
            float[] x = Floats(rng, g.InputSize), w = Floats(rng, g.WeightSize), b = Floats(rng, g.Filters), dy = Floats(rng, g.OutputSize);
            float[] z = Floats(rng, g.InputSize).Select(v => Math.Max(v, 0)).ToArray();
            prepared!.Prepare(w);
            float[] before = new float[g.OutputSize];
            ConvolutionKernels.Forward<float>(x, w, b, before, g, prepared: prepared);
            for (int i = 0; i < w.Length; i++) w[i] = -2 * w[i];
            prepared.Prepare(w);
            Same(g, x, w, b, dy, z, prepared);
            float[] after = new float[g.OutputSize];
            ConvolutionKernels.Forward<float>(x, w, b, after, g, prepared: prepared);
            Assert.Contains(Enumerable.Range(0, after.Length), i => Math.Abs(after[i] - before[i]) > 0.1f);
        }

        [Fact]
        public void A_preparation_that_does_not_fit_the_call_is_refused_by_name()
        {
            // Shapes Winograd never takes: nothing to prepare.
            Assert.Null(WinogradWeights.For(new ConvolutionGeometry(16, 9, 9, 16, kernel: 5, stride: 1, padding: 2)));
            Assert.Null(WinogradWeights.For(new ConvolutionGeometry(16, 9, 9, 16, kernel: 3, stride: 2, padding: 1)));
            Assert.Null(WinogradWeights.For(new ConvolutionGeometry(4, 9, 9, 16, kernel: 3, stride: 1, padding: 1)));
            Assert.Throws<ArgumentException>(() => WinogradWeights.For(default));

            var g = new ConvolutionGeometry(16, 9, 9, 16, kernel: 3, stride: 1, padding: 1);
            WinogradWeights? prepared = WinogradWeights.For(g);
            if (prepared == null) return; // no AVX-512 here: the kernels never take one
            var e = Assert.Throws<ArgumentException>(() => prepared.Prepare(new float[g.WeightSize - 1]));
            Assert.Contains("weight has 2303 values, expected 2304", e.Message, StringComparison.Ordinal);

            var other = new ConvolutionGeometry(16, 9, 9, 32, kernel: 3, stride: 1, padding: 1);
            float[] x = new float[other.InputSize], w = new float[other.WeightSize], y = new float[other.OutputSize];
            e = Assert.Throws<ArgumentException>(() => ConvolutionKernels.Forward<float>(x, w, default, y, other, prepared: prepared));
            Assert.Equal("prepared", e.ParamName);
            Assert.Contains("16 filters over 16 channels", e.Message, StringComparison.Ordinal);
            Assert.Contains("this convolution has 32 filters of 3×3 over 16 channels", e.Message, StringComparison.Ordinal);
            e = Assert.Throws<ArgumentException>(() => ConvolutionKernels.BackwardInput<float>(y, w, x, other, prepared: prepared));
            Assert.Equal("prepared", e.ParamName);

            double[] xd = new double[g.InputSize], wd = new double[g.WeightSize], yd = new double[g.OutputSize];
            e = Assert.Throws<ArgumentException>(() => ConvolutionKernels.Forward<double>(xd, wd, default, yd, g, prepared: prepared));
            Assert.Contains("computes in Double", e.Message, StringComparison.Ordinal);
        }

        /// <summary>
        /// Forward (with a ReLU), the input gradient alone and through a rule: the same bits with and without <paramref name="prepared"/>,
        /// and with it read from its panels (as the products do) and in place (unpacked from them).
        /// </summary>
        private static void Same(in ConvolutionGeometry g, float[] x, float[] w, float[] b, float[] dy, float[] z, WinogradWeights prepared)
        {
            float[] expected = new float[g.OutputSize], actual = new float[g.OutputSize];
            ConvolutionKernels.Forward<float>(x, w, b, expected, g, relu: true);
            ConvolutionGeometry geometry = g;
            int before = Tiles.t_callerPanels;
            ConvolutionKernels.Forward<float>(x, w, b, actual, g, relu: true, prepared: prepared);
            Assert.Equal(16 * g.Groups, Tiles.t_callerPanels - before); // the forward products read the prepared panels
            Assert.Equal(Bits(expected), Bits(actual));
            Assert.Equal(Bits(expected), Bits(InPlace(() => ConvolutionKernels.Forward<float>(x, w, b, actual, geometry, relu: true, prepared: prepared), actual)));

            float[] dxExpected = new float[g.InputSize], dxActual = new float[g.InputSize];
            ConvolutionKernels.BackwardInput<float>(dy, w, dxExpected, g);
            before = Tiles.t_callerPanels;
            ConvolutionKernels.BackwardInput<float>(dy, w, dxActual, g, prepared: prepared);
            Assert.Equal(16 * g.Groups, Tiles.t_callerPanels - before); // and the input gradient's, its own
            Assert.Equal(Bits(dxExpected), Bits(dxActual));
            Assert.Equal(Bits(dxExpected), Bits(InPlace(() => ConvolutionKernels.BackwardInput<float>(dy, w, dxActual, geometry, prepared: prepared), dxActual)));
            Assert.Contains(dxActual, v => v != 0);

            // The rule applied plane by plane as Winograd writes them: the bits of the gradient, then the rule's own pass.
            float[] twoSteps = new float[g.InputSize];
            ReluRules.GuidedBackprop<float>(z, dxExpected, twoSteps);
            ConvolutionKernels.BackwardInput<float>(dy, w, dxExpected, g, BackwardRule.GuidedBackprop, z);
            ConvolutionKernels.BackwardInput<float>(dy, w, dxActual, g, BackwardRule.GuidedBackprop, z, prepared: prepared);
            Assert.Equal(Bits(twoSteps), Bits(dxExpected));
            Assert.Equal(Bits(dxExpected), Bits(dxActual));
        }

        /// <summary>
        /// Filter and channel counts whose row tiles cut unevenly (9: 5 + 4, 15: 8 + 7, 17: 6 + 6 + 5, 23: 8 + 8 + 7) or evenly, maps of
        /// ResNet's layer4 and layer3 shapes (one and four vectors of blocks), in 1 and 2 groups, on 1 and 2 threads: the
        /// forward and the input gradient through the prepared panels give the bits of the weights transformed per call and of
        /// the prepared planes read in place. A panel cut one row off its tiles' rows would mix two filters' (channels') weights.
        /// </summary>
        [Theory]
        [InlineData(16, 9, 1, 7)]
        [InlineData(17, 15, 2, 7)]
        [InlineData(13, 17, 1, 14)]
        [InlineData(40, 23, 2, 14)]
        [InlineData(64, 64, 1, 7)]
        [InlineData(31, 48, 1, 28)]
        public void Prepared_panels_cut_filters_as_the_tiles_do(int channels, int filters, int groups, int side)
        {
            var g = new ConvolutionGeometry(channels * groups, side, side, filters * groups, 3, 1, 1, 1, 1, 1, groups);
            WinogradWeights? prepared = WinogradWeights.For(g);
            if (prepared == null) return; // no AVX-512 here: Winograd never runs, nothing is prepared
            var rng = new Random(channels * filters + side);
            float[] x = Floats(rng, g.InputSize), w = Floats(rng, g.WeightSize), b = Floats(rng, g.Filters), dy = Floats(rng, g.OutputSize);
            float[] z = Floats(rng, g.InputSize).Select(v => Math.Max(v, 0)).ToArray();
            prepared.Prepare(w);
            foreach (int threads in new[] { 1, 2 })
            {
                using var scope = KernelParallelism.Override(threads, minimumWork: 0);
                Same(g, x, w, b, dy, z, prepared);
            }
        }

        /// <summary><paramref name="run"/>'s result with the prepared weights read in place (<see cref="Winograd.t_unpanelled"/>), not from their panels.</summary>
        private static float[] InPlace(Action run, float[] result)
        {
            bool saved = Winograd.t_unpanelled;
            Winograd.t_unpanelled = true;
            try
            {
                int before = Tiles.t_callerPanels;
                run();
                Assert.Equal(before, Tiles.t_callerPanels);
            }
            finally
            {
                Winograd.t_unpanelled = saved;
            }
            return result.ToArray();
        }

        private static float[] Floats(Random rng, int count) => Uniform(rng, count).Select(v => (float)v).ToArray();

        private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();
    }
}
