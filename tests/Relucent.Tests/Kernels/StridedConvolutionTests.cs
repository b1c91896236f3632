using System.Numerics;
using System.Runtime.InteropServices;
using CsCheck;
using Relucent.Kernels;
using Xunit;
using static Relucent.Tests.Kernels.Numerics;

namespace Relucent.Tests.Kernels
{
    /// <summary>
    /// Strided and first-layer convolutions' staging and gathering forms: kernels no wider than the stride stage their forward
    /// input by <see cref="TapColumns"/> (not the s × s phases with a copy-out) and gather their input gradient without sums;
    /// few-channel input gradients by taps run in bands of output rows, the last band first, other input gradients by taps in
    /// chunks of channels, and forward products with a copy-out in bands of output rows. Each keeps
    /// every output's chain of multiply-adds, so each must give the bits of the form it replaced (kept behind a thread-static
    /// switch), on every SIMD path, in both precisions, with the epilogue's bias and rectifiers and the rules the input
    /// gradient applies; and match the naive double loops within their rounding bound.
    /// </summary>
    public class StridedConvolutionTests
    {
        // Strides 1 to 4 with kernels up to 5 (no wider than the stride, and wider: those keep the phases, and must still
        // agree; stride 1 with few channels runs by taps, in bands), each side padded 0 to 3, groups 1 to 3, 1 to 12 channels per group, 1 to 40 filters per group (small maps
        // with 32 or 48 filters run the transposed product), odd sizes.
        internal static readonly Gen<GroupedConvolutionTests.Case> Cases =
            Gen.Select(Gen.Int[1, 12], Gen.OneOf(Gen.Int[1, 40], Gen.OneOf(32, 48)), Gen.Int[1, 3], Gen.Int[1, 29], Gen.Int[1, 29], Gen.Int[1, 5], Gen.Int[1, 4],
                    Gen.Select(Gen.Int[0, 3], Gen.Int[0, 3], Gen.Int[0, 3], Gen.Int[0, 3], Gen.Bool, Gen.Int))
                .Select((c, f, groups, h, w, k, s, rest) => new GroupedConvolutionTests.Case(c, f, groups, h, w, k, s, rest.Item1, rest.Item2, rest.Item3, rest.Item4, rest.Item5, rest.Item6))
                .Where(c => c.Kernel <= c.Height + c.Top + c.Bottom && c.Kernel <= c.Width + c.Left + c.Right);

        [Theory]
        [MemberData(nameof(SimdPathTests.Widths), MemberType = typeof(SimdPathTests))]
        public void Strided_forms_give_the_bits_of_the_forms_they_replaced(int width) =>
            Cases.Sample(c => SimdPathTests.OnPath(width, () =>
            {
                SameBits<float>(c);
                SameBits<double>(c);
            }), iter: Iterations(60));

        [Theory]
        [MemberData(nameof(SimdPathTests.Widths), MemberType = typeof(SimdPathTests))]
        public void Strided_convolutions_match_the_naive_loops(int width) =>
            Cases.Sample(c => SimdPathTests.OnPath(width, () =>
            {
                GroupedConvolutionTests.Check<float>(c);
                GroupedConvolutionTests.Check<double>(c);
            }), iter: Iterations(25));

        /// <summary>ResNet's downsampling and first layers, AlexNet's first, at reduced sizes: whole vectors and not, odd sizes, padding.</summary>
        [Theory]
        [MemberData(nameof(SimdPathTests.Widths), MemberType = typeof(SimdPathTests))]
        public void Model_shaped_strided_layers_give_the_old_bits_and_the_naive_sums(int width) => SimdPathTests.OnPath(width, () =>
        {
            foreach (var c in new[]
            {
                new GroupedConvolutionTests.Case(32, 64, 1, 16, 16, 1, 2, 0, 0, 0, 0, true, 1),   // 1×1 stride 2, 8×8 out: whole vectors
                new GroupedConvolutionTests.Case(24, 48, 1, 14, 14, 1, 2, 0, 0, 0, 0, true, 2),   // 7×7 out: transposed
                new GroupedConvolutionTests.Case(20, 36, 1, 15, 13, 1, 2, 0, 0, 0, 0, false, 3),  // odd input: the last row and column unread
                new GroupedConvolutionTests.Case(3, 16, 1, 37, 37, 7, 2, 3, 3, 3, 3, true, 4),    // ResNet's first layer
                new GroupedConvolutionTests.Case(3, 16, 1, 35, 35, 11, 4, 2, 2, 2, 2, true, 5),   // AlexNet's first layer
                new GroupedConvolutionTests.Case(8, 16, 2, 17, 19, 2, 2, 1, 0, 0, 1, true, 6),    // 2×2 stride 2, asymmetric padding, groups
                new GroupedConvolutionTests.Case(5, 12, 1, 23, 21, 3, 4, 2, 1, 0, 3, true, 7),    // stride 4 past the kernel: rows no tap reads
            })
            {
                SameBits<float>(c);
                SameBits<double>(c);
                GroupedConvolutionTests.Check<float>(c);
                GroupedConvolutionTests.Check<double>(c);
            }
        });

        [Fact]
        public void Strided_forms_give_the_same_bits_on_any_number_of_threads()
        {
            var rng = new Random(3);
            foreach (var g in new[]
            {
                new ConvolutionGeometry(64, 28, 28, 96, 1, 2, 0),                 // 1×1 stride 2 into y
                new ConvolutionGeometry(48, 14, 14, 96, 1, 2, 0),                 // 7×7 out: transposed
                new ConvolutionGeometry(6, 30, 31, 16, 3, 3, 1, 0, 2, 1, 2),      // 3×3 stride 3, groups, asymmetric padding
            })
            {
                float[] x = To<float>(Uniform(rng, g.InputSize)), w = To<float>(Uniform(rng, g.WeightSize)), b = To<float>(Uniform(rng, g.Filters));
                float[] dy = To<float>(Uniform(rng, g.OutputSize));
                (float[] Y, float[] Dx) Run()
                {
                    var y = new float[g.OutputSize];
                    var dx = new float[g.InputSize];
                    ConvolutionKernels.Forward<float>(x, w, b, y, g, Rectifier.Relu);
                    ConvolutionKernels.BackwardInput<float>(dy, w, dx, g);
                    return (y, dx);
                }

                (float[] Y, float[] Dx) alone;
                using (KernelParallelism.Override(threads: 1)) alone = Run();
                foreach (int threads in new[] { 2, 3 })
                {
                    using var shared = KernelParallelism.Override(threads, minimumWork: 0);
                    var result = Run();
                    AssertSameBits<float>(alone.Y, result.Y, $"forward of {g.Channels}→{g.Filters} stride {g.Stride} on {threads} threads");
                    AssertSameBits<float>(alone.Dx, result.Dx, $"input gradient of {g.Channels}→{g.Filters} stride {g.Stride} on {threads} threads");
                }
            }
        }

        /// <summary>The forward (with and without bias, each rectifier) and the input gradient (plain and through each rule) against the old forms.</summary>
        private static void SameBits<T>(GroupedConvolutionTests.Case c) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var g = c.Geometry;
            var rng = new Random(c.Seed);
            T[] x = To<T>(Uniform(rng, g.InputSize)), w = To<T>(Uniform(rng, g.WeightSize)), bias = To<T>(Uniform(rng, g.Filters));
            T[] dy = To<T>(Uniform(rng, g.OutputSize));
            // The rectifier's output below the layer: zeros, sixes and values between.
            T[] z = Uniform(rng, g.InputSize, -2, 8).Select(v => T.CreateChecked(Math.Clamp(Math.Round(v * 2) / 2, 0, 6))).ToArray();
            string what = $"{c} in {typeof(T).Name} on the {SimdWidth.s_limit}-bit path";
            foreach (Rectifier rectifier in new[] { Rectifier.None, Rectifier.Relu, Rectifier.Relu6 })
            {
                T[] Forward(bool old)
                {
                    using var switches = new StridedSwitches(old);
                    var y = new T[g.OutputSize];
                    y.AsSpan().Fill(T.CreateChecked(-7)); // stale values must be overwritten
                    ConvolutionKernels.Forward<T>(x, w, c.Bias ? bias : ReadOnlySpan<T>.Empty, y, g, rectifier);
                    return y;
                }
                AssertSameBits<T>(Forward(old: true), Forward(old: false), $"forward with {rectifier} of {what}");
            }
            T[] Backward(bool old, BackwardRule? rule)
            {
                using var switches = new StridedSwitches(old);
                var dx = new T[g.InputSize];
                dx.AsSpan().Fill(T.CreateChecked(99));
                if (rule is BackwardRule r) ConvolutionKernels.BackwardInput<T>(dy, w, dx, g, r, z, Rectifier.Relu6);
                else ConvolutionKernels.BackwardInput<T>(dy, w, dx, g);
                return dx;
            }
            AssertSameBits<T>(Backward(old: true, null), Backward(old: false, null), $"input gradient of {what}");
            foreach (BackwardRule rule in new[] { BackwardRule.Saliency, BackwardRule.DeconvNet, BackwardRule.GuidedBackprop })
            {
                AssertSameBits<T>(Backward(old: true, rule), Backward(old: false, rule), $"input gradient through {rule} of {what}");
            }
        }

        /// <summary>Bit-for-bit equality, −0 against +0 included (<see cref="Numerics.AssertIdentical{T}"/> compares values).</summary>
        private static void AssertSameBits<T>(T[] expected, T[] actual, string what) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                if (MemoryMarshal.AsBytes(expected.AsSpan(i, 1)).SequenceEqual(MemoryMarshal.AsBytes(actual.AsSpan(i, 1)))) continue;
                Assert.Fail($"{what}[{i}] = {actual[i]}, expected exactly {expected[i]}");
            }
        }
    }
}
