using System.Numerics;
using CsCheck;
using Relucent.Kernels;
using Xunit;
using static Relucent.Tests.Kernels.Numerics;

namespace Relucent.Tests.Kernels
{
    /// <summary>
    /// Convolutions with padding that differs per side and with groups (depthwise included), against the naive double
    /// loops, on every SIMD path and in both precisions: forward (with each rectifier), input gradient (with each rule) and
    /// parameter gradients; bit-identical across thread counts. PyTorch/ONNX semantics: zero padding, weight
    /// <c>[F, C/G, k, k]</c>, filter <c>f</c> of group <c>f / (F/G)</c>.
    /// </summary>
    public class GroupedConvolutionTests
    {
        /// <param name="Groups">The groups, or 0 for depthwise (groups = channels = filters).</param>
        public record struct Case(int GroupChannels, int GroupFilters, int Groups, int Height, int Width, int Kernel, int Stride, int Top, int Left, int Bottom, int Right, bool Bias, int Seed)
        {
            public Naive.Conv Sizes => Groups == 0
                ? new Naive.Conv(GroupChannels, Height, Width, GroupChannels, Kernel, Stride, Top, Left, Bottom, Right, GroupChannels)
                : new Naive.Conv(GroupChannels * Groups, Height, Width, GroupFilters * Groups, Kernel, Stride, Top, Left, Bottom, Right, Groups);

            public ConvolutionGeometry Geometry
            {
                get
                {
                    var v = Sizes;
                    return new ConvolutionGeometry(v.Channels, v.Height, v.Width, v.Filters, v.Kernel, v.Stride, v.Top, v.Left, v.Bottom, v.Right, v.Groups);
                }
            }
        }

        // Groups 1 to 4 and depthwise; channels and filters per group from 1 to 12 (tiles of 8 and 4 and remainders, the
        // input gradient by channels and by taps); kernels 1 to 5, strides 1 to 3; each side padded 0 to 4 independently.
        internal static readonly Gen<Case> Cases =
            Gen.Select(Gen.Int[1, 12], Gen.Int[1, 12], Gen.Int[0, 4], Gen.Int[1, 24], Gen.Int[1, 24], Gen.Int[1, 5], Gen.Int[1, 3],
                    Gen.Select(Gen.Int[0, 4], Gen.Int[0, 4], Gen.Int[0, 4], Gen.Int[0, 4], Gen.Bool, Gen.Int))
                .Select((c, f, groups, h, w, k, s, rest) => new Case(c, f, groups, h, w, k, s, rest.Item1, rest.Item2, rest.Item3, rest.Item4, rest.Item5, rest.Item6))
                .Where(c => c.Kernel <= c.Height + c.Top + c.Bottom && c.Kernel <= c.Width + c.Left + c.Right);

        [Theory]
        [MemberData(nameof(SimdPathTests.Widths), MemberType = typeof(SimdPathTests))]
        public void Grouped_and_asymmetrically_padded_convolutions_match_the_naive_loops(int width) =>
            Cases.Sample(c => SimdPathTests.OnPath(width, () =>
            {
                Check<float>(c);
                Check<double>(c);
            }), iter: Iterations(100));

        /// <summary>Winograd (3×3 stride 1, ≥ 8 channels and filters per group, padding ≤ 2 per side) with groups and asymmetric padding.</summary>
        [Fact]
        public void Winograd_takes_groups_and_padding_that_differs_per_side() =>
            Gen.Select(Gen.Int[8, 20], Gen.Int[8, 20], Gen.Int[1, 3], Gen.Int[2, 24], Gen.Int[2, 24], Gen.Select(Gen.Int[0, 2], Gen.Int[0, 2], Gen.Int[0, 2], Gen.Int[0, 2], Gen.Int))
                .Select((c, f, groups, h, w, p) => new Case(c, f, groups, h, w, 3, 1, p.Item1, p.Item2, p.Item3, p.Item4, true, p.Item5))
                .Where(c => 3 <= c.Height + c.Top + c.Bottom - 1 && 3 <= c.Width + c.Left + c.Right - 1)
                .Sample(Check<float>, iter: Iterations(40));

        /// <summary>MobileNetV2's depthwise layers (3×3, padding 1, stride 1 and 2) at sizes that cross vectors and rows.</summary>
        [Theory]
        [MemberData(nameof(SimdPathTests.Widths), MemberType = typeof(SimdPathTests))]
        public void Depthwise_layers_of_MobileNetV2_match_the_naive_loops(int width) => SimdPathTests.OnPath(width, () =>
        {
            foreach (var (channels, side, stride) in new[] { (32, 28, 1), (24, 28, 2), (16, 15, 2), (20, 7, 1), (9, 17, 2), (5, 33, 1) })
            {
                var c = new Case(channels, 1, 0, side, side, 3, stride, 1, 1, 1, 1, true, channels + side);
                Check<float>(c);
                Check<double>(c);
            }
        });

        /// <summary>
        /// 1×1 convolutions (ResNet-50's, MobileNet's): planes of whole vectors read and written in place, and not; and small
        /// maps with many filters (ResNet's last stage), which run transposed.
        /// </summary>
        [Theory]
        [MemberData(nameof(SimdPathTests.Widths), MemberType = typeof(SimdPathTests))]
        public void Pointwise_and_small_map_convolutions_match_the_naive_loops(int width) => SimdPathTests.OnPath(width, () =>
        {
            foreach (var c in new[]
            {
                new Case(16, 24, 1, 8, 8, 1, 1, 0, 0, 0, 0, true, 1), new Case(13, 9, 1, 4, 16, 1, 1, 0, 0, 0, 0, false, 2),
                new Case(20, 12, 1, 7, 7, 1, 1, 0, 0, 0, 0, true, 3), new Case(16, 32, 1, 14, 14, 1, 2, 0, 0, 0, 0, true, 4),
                new Case(4, 4, 4, 8, 8, 1, 1, 0, 0, 0, 0, true, 5), new Case(9, 3, 1, 16, 16, 1, 1, 0, 0, 0, 0, true, 6),
                new Case(3, 8, 1, 16, 16, 1, 1, 0, 0, 0, 0, true, 7), new Case(12, 12, 1, 5, 6, 1, 1, 1, 0, 2, 1, true, 8),
                new Case(24, 48, 1, 3, 3, 3, 1, 1, 1, 1, 1, true, 9), new Case(16, 64, 1, 7, 7, 3, 1, 1, 1, 1, 1, true, 10),
                new Case(64, 48, 1, 7, 7, 1, 1, 0, 0, 0, 0, true, 11), new Case(16, 48, 2, 5, 5, 3, 1, 1, 1, 1, 1, false, 12),
                new Case(16, 48, 1, 14, 14, 3, 2, 1, 1, 1, 1, true, 13), new Case(10, 32, 1, 2, 3, 3, 1, 1, 2, 0, 1, true, 14),
            })
            {
                Check<float>(c);
                Check<double>(c);
            }
        });

        internal static void Check<T>(Case c) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var v = c.Sizes;
            var g = c.Geometry;
            Assert.Equal(v.OutputHeight, g.OutputHeight);
            Assert.Equal(v.OutputWidth, g.OutputWidth);
            var rng = new Random(c.Seed);
            int taps = v.GroupChannels * v.Kernel * v.Kernel;
            double[] x = Representable<T>(Uniform(rng, g.InputSize));
            double[] w = Representable<T>(Uniform(rng, v.Filters * taps));
            double[]? b = c.Bias ? Representable<T>(Uniform(rng, v.Filters)) : null;
            double[] dy = Representable<T>(Uniform(rng, g.OutputSize));
            T[] weight = To<T>(ColumnMajor(w, v.Filters, taps));
            double tolerance = Tolerance<T>(1e-5, 1e-13) * Math.Max(1, Math.Sqrt(taps / 9.0));
            string what = $"{c} on the {SimdWidth.s_limit}-bit path";

            var y = new T[g.OutputSize];
            y.AsSpan().Fill(T.CreateChecked(1234.5)); // stale values must be overwritten
            ConvolutionKernels.Forward<T>(To<T>(x), weight, b is null ? ReadOnlySpan<T>.Empty : To<T>(b), y, g);
            AssertClose(Naive.Conv2D(x, w, b, v), y, tolerance, $"y of {what}", floor: 1);

            // Each rectifier as the layer stores: the bits of the separate pass.
            foreach (Rectifier rectifier in new[] { Rectifier.Relu, Rectifier.Relu6 })
            {
                var fused = new T[g.OutputSize];
                fused.AsSpan().Fill(T.CreateChecked(-7));
                ConvolutionKernels.Forward<T>(To<T>(x), weight, b is null ? ReadOnlySpan<T>.Empty : To<T>(b), fused, g, rectifier);
                var separate = new T[g.OutputSize];
                if (rectifier == Rectifier.Relu) ActivationKernels.Relu<T>(y, separate); else ActivationKernels.Relu6<T>(y, separate);
                AssertIdentical<T>(separate, fused, $"{rectifier} fused into {what}");
            }

            var dx = new T[g.InputSize];
            dx.AsSpan().Fill(T.CreateChecked(1234.5));
            ConvolutionKernels.BackwardInput<T>(To<T>(dy), weight, dx, g);
            AssertClose(Naive.Conv2DBackward(dy, w, v), dx, tolerance * Math.Sqrt(v.GroupFilters), $"dx of {what}", floor: 1);

            var (expectedWeight, expectedBias) = Naive.Conv2DParameterGradients(x, dy, v);
            var dw = new T[g.WeightSize];
            var db = new T[g.Filters];
            GradientKernels.Convolution<T>(To<T>(x), To<T>(dy), dw, db, g);
            double positions = g.OutputHeight * g.OutputWidth;
            AssertClose(ColumnMajor(expectedWeight, v.Filters, taps), dw, Tolerance<T>(1e-5, 1e-13) * Math.Max(1, Math.Sqrt(positions / 9.0)), $"∂W of {what}", floor: 1);
            AssertClose(expectedBias, db, Tolerance<T>(1e-5, 1e-13) * Math.Max(1, Math.Sqrt(positions / 9.0)), $"∂b of {what}", floor: 1);
        }

        [Theory]
        [MemberData(nameof(SimdPathTests.Widths), MemberType = typeof(SimdPathTests))]
        public void The_input_gradient_through_a_rule_equals_the_two_steps(int width) =>
            Cases.Sample(c => SimdPathTests.OnPath(width, () =>
            {
                CheckRule<float>(c);
                CheckRule<double>(c);
            }), iter: Iterations(30));

        private static void CheckRule<T>(Case c) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var g = c.Geometry;
            var rng = new Random(c.Seed);
            T[] dy = To<T>(Uniform(rng, g.OutputSize)), w = To<T>(Uniform(rng, g.WeightSize));
            // The rectifier's output: zeros, values inside (0, 6), sixes and values between.
            T[] z = Uniform(rng, g.InputSize, -2, 8).Select(v => T.CreateChecked(Math.Clamp(Math.Round(v * 2) / 2, 0, 6))).ToArray();
            var signal = new T[g.InputSize];
            ConvolutionKernels.BackwardInput<T>(dy, w, signal, g);
            foreach (Rectifier rectifier in new[] { Rectifier.Relu, Rectifier.Relu6 })
            {
                foreach (BackwardRule rule in new[] { BackwardRule.Saliency, BackwardRule.DeconvNet, BackwardRule.GuidedBackprop })
                {
                    var separate = new T[g.InputSize];
                    Rules.Apply(rectifier, rule, z, signal, separate);
                    var fused = new T[g.InputSize];
                    fused.AsSpan().Fill(T.CreateChecked(99));
                    ConvolutionKernels.BackwardInput<T>(dy, w, fused, g, rule, z, rectifier);
                    AssertIdentical<T>(separate, fused, $"{rectifier} {rule} through {c}");
                }
            }
        }

        [Fact]
        public void Grouped_depthwise_and_strided_calls_give_the_same_bits_on_any_number_of_threads()
        {
            var rng = new Random(9);
            foreach (var g in new[]
            {
                new ConvolutionGeometry(48, 30, 30, 48, 3, 1, 1, 1, 1, 1, 48),   // depthwise, stride 1
                new ConvolutionGeometry(40, 33, 31, 40, 3, 2, 1, 1, 1, 1, 40),   // depthwise, stride 2
                new ConvolutionGeometry(24, 20, 20, 36, 3, 1, 2, 1, 0, 2, 3),    // grouped, asymmetric padding
                new ConvolutionGeometry(16, 30, 30, 24, 3, 2, 1, 1, 1, 1, 1),    // strided: the input gradient by taps
                new ConvolutionGeometry(3, 40, 40, 16, 7, 2, 3, 3, 2, 2, 1),     // a stem with "same" padding
                new ConvolutionGeometry(64, 7, 7, 64, 3, 1, 1, 1, 1, 1, 1),      // a small map: transposed forward
                new ConvolutionGeometry(32, 16, 16, 48, 1, 1, 0, 0, 0, 0, 1),    // 1×1 in place, straight into y
            })
            {
                float[] x = To<float>(Uniform(rng, g.InputSize)), w = To<float>(Uniform(rng, g.WeightSize)), b = To<float>(Uniform(rng, g.Filters));
                float[] dy = To<float>(Uniform(rng, g.OutputSize));
                (float[] Y, float[] Dx, float[] Dw) Run()
                {
                    var y = new float[g.OutputSize];
                    var dx = new float[g.InputSize];
                    var dw = new float[g.WeightSize];
                    ConvolutionKernels.Forward<float>(x, w, b, y, g);
                    ConvolutionKernels.BackwardInput<float>(dy, w, dx, g);
                    GradientKernels.Convolution<float>(x, dy, dw, new float[g.Filters], g);
                    return (y, dx, dw);
                }

                (float[] Y, float[] Dx, float[] Dw) alone;
                using (KernelParallelism.Override(threads: 1)) alone = Run();
                foreach (int threads in new[] { 2, 3 })
                {
                    using var shared = KernelParallelism.Override(threads, minimumWork: 0);
                    var result = Run();
                    AssertIdentical<float>(alone.Y, result.Y, $"forward of {g.Channels}→{g.Filters}/{g.Groups} on {threads} threads");
                    AssertIdentical<float>(alone.Dx, result.Dx, $"input gradient of {g.Channels}→{g.Filters}/{g.Groups} on {threads} threads");
                    AssertIdentical<float>(alone.Dw, result.Dw, $"weight gradient of {g.Channels}→{g.Filters}/{g.Groups} on {threads} threads");
                }
            }
        }

        [Fact]
        public void Grouped_and_depthwise_calls_allocate_nothing_after_the_first()
        {
            var geometries = new[] { new ConvolutionGeometry(32, 20, 20, 32, 3, 2, 1, 1, 1, 1, 32), new ConvolutionGeometry(12, 14, 14, 18, 3, 2, 0, 1, 2, 1, 3) };
            var rng = new Random(4);
            var data = geometries.Select(g => (g, X: To<float>(Uniform(rng, g.InputSize)), W: To<float>(Uniform(rng, g.WeightSize)), Y: new float[g.OutputSize], Dx: new float[g.InputSize])).ToArray();
            AssertAllocatesNothing(() =>
            {
                foreach (var (g, x, w, y, dx) in data)
                {
                    ConvolutionKernels.Forward<float>(x, w, ReadOnlySpan<float>.Empty, y, g, Rectifier.Relu6);
                    ConvolutionKernels.BackwardInput<float>(y, w, dx, g, BackwardRule.GuidedBackprop, x, Rectifier.Relu6);
                }
            }, calls: 5);
        }

        [Fact]
        public void Groups_that_do_not_divide_the_channels_or_filters_are_refused()
        {
            var e = Assert.Throws<ArgumentException>(() => new ConvolutionGeometry(6, 8, 8, 4, 3, 1, 1, 1, 1, 1, 4));
            Assert.Contains("the groups must divide both the channels and the filters", e.Message);
            Assert.Throws<ArgumentException>(() => new ConvolutionGeometry(4, 8, 8, 6, 3, 1, 1, 1, 1, 1, 4));
            Assert.Throws<ArgumentException>(() => new ConvolutionGeometry(4, 8, 8, 4, 3, 1, 1, 1, 1, 1, 0));
            Assert.Throws<ArgumentException>(() => new ConvolutionGeometry(4, 8, 8, 4, 3, 1, 1, -1, 1, 1, 1));
            Assert.Throws<InvalidOperationException>(() => new ConvolutionGeometry(4, 8, 8, 4, 3, 1, 1, 2, 1, 1, 1).Padding);
            Assert.Equal(1, new ConvolutionGeometry(4, 8, 8, 4, 3, 1, 1).Padding);
        }
    }
}
