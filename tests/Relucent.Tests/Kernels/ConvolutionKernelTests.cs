using System.Numerics;
using CsCheck;
using Relucent.Kernels;
using Xunit;
using static Relucent.Tests.Kernels.Numerics;

namespace Relucent.Tests.Kernels
{
    public class ConvolutionKernelTests
    {
        public record struct Case(int Channels, int Height, int Width, int Filters, int Kernel, int Stride, int Padding, bool Bias, int Seed);

        // Odd sizes, strides that do not divide the input, padding up to and beyond kernel/2.
        private static readonly Gen<Case> Cases =
            Gen.Select(Gen.Int[1, 3], Gen.Int[1, 9], Gen.Int[1, 9], Gen.Int[1, 4], Gen.Int[1, 4], Gen.Int[1, 3], Gen.Int[0, 2], Gen.Select(Gen.Bool, Gen.Int))
                .Select((c, h, w, f, k, s, p, rest) => new Case(c, h, w, f, k, s, p, rest.Item1, rest.Item2))
                .Where(c => c.Kernel <= c.Height + 2 * c.Padding && c.Kernel <= c.Width + 2 * c.Padding);

        [Fact]
        public void Forward_and_backward_match_direct_indexing_in_float() => Cases.Sample(Check<float>, iter: Numerics.Iterations(300));

        [Fact]
        public void Forward_and_backward_match_direct_indexing_in_double() => Cases.Sample(Check<double>, iter: Numerics.Iterations(300));

        private static void Check<T>(Case c) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var rng = new Random(c.Seed);
            var g = new ConvolutionGeometry(c.Channels, c.Height, c.Width, c.Filters, c.Kernel, c.Stride, c.Padding);
            int oh = Naive.ConvOut(c.Height, c.Kernel, c.Stride, c.Padding), ow = Naive.ConvOut(c.Width, c.Kernel, c.Stride, c.Padding);
            Assert.Equal(oh, g.OutputHeight);
            Assert.Equal(ow, g.OutputWidth);
            int taps = c.Channels * c.Kernel * c.Kernel;
            double[] x = Representable<T>(Uniform(rng, g.InputSize));
            double[] w = Representable<T>(Uniform(rng, c.Filters * taps));
            double[]? b = c.Bias ? Representable<T>(Uniform(rng, c.Filters)) : null;
            double[] dy = Representable<T>(Uniform(rng, g.OutputSize));
            T[] weight = To<T>(ColumnMajor(w, c.Filters, taps));
            double tolerance = Tolerance<T>(1e-5, 1e-13);

            var y = new T[g.OutputSize];
            y.AsSpan().Fill(T.CreateChecked(1234.5)); // stale values must be overwritten
            ConvolutionKernels.Forward<T>(To<T>(x), weight, b is null ? ReadOnlySpan<T>.Empty : To<T>(b), y, g);
            AssertClose(Naive.Conv2D(x, c.Channels, c.Height, c.Width, w, b, c.Filters, c.Kernel, c.Stride, c.Padding), y, tolerance, $"y of {c}", floor: 1);

            var dx = new T[g.InputSize];
            dx.AsSpan().Fill(T.CreateChecked(1234.5));
            ConvolutionKernels.BackwardInput<T>(To<T>(dy), weight, dx, g);
            AssertClose(Naive.Conv2DBackward(dy, c.Channels, c.Height, c.Width, w, c.Filters, c.Kernel, c.Stride, c.Padding), dx, tolerance, $"dx of {c}", floor: 1);
        }

        [Fact]
        public void Backward_is_the_adjoint_of_the_forward_without_bias()
        {
            // <conv(x), dy> = <x, convᵀ(dy)> for every x, dy: checks the two kernels against each other too.
            Cases.Sample(c =>
            {
                var rng = new Random(c.Seed);
                var g = new ConvolutionGeometry(c.Channels, c.Height, c.Width, c.Filters, c.Kernel, c.Stride, c.Padding);
                double[] x = Uniform(rng, g.InputSize), dy = Uniform(rng, g.OutputSize), w = Uniform(rng, g.WeightSize);
                var y = new double[g.OutputSize];
                var dx = new double[g.InputSize];
                ConvolutionKernels.Forward<double>(x, w, ReadOnlySpan<double>.Empty, y, g);
                ConvolutionKernels.BackwardInput<double>(dy, w, dx, g);
                double left = y.Zip(dy, (a, d) => a * d).Sum(), right = x.Zip(dx, (a, d) => a * d).Sum();
                Assert.True(Math.Abs(left - right) <= 1e-12 * (1 + Math.Abs(left)), $"{left} vs {right} for {c}");
            }, iter: Numerics.Iterations(100));
        }

        [Fact]
        public void Geometry_rounds_output_sizes_down_and_rejects_kernels_larger_than_the_padded_input()
        {
            var g = new ConvolutionGeometry(2, 7, 8, 3, 3, 2, 1);
            Assert.Equal(4, g.OutputHeight); // (7 + 2 − 3) / 2 + 1
            Assert.Equal(4, g.OutputWidth);  // (8 + 2 − 3) / 2 + 1 = 4.5 → 4
            Assert.Equal(2 * 7 * 8, g.InputSize);
            Assert.Equal(3 * 4 * 4, g.OutputSize);
            Assert.Equal(3 * 2 * 3 * 3, g.WeightSize);
            Assert.Throws<ArgumentException>(() => new ConvolutionGeometry(1, 2, 2, 1, 5, 1, 1));
            Assert.Throws<ArgumentException>(() => new ConvolutionGeometry(1, 4, 4, 1, 3, 0, 0));
        }
    }
}
