using CsCheck;
using Relucent.Kernels;
using Relucent.Model;
using Xunit;
using static Relucent.Tests.Kernels.Numerics;

namespace Relucent.Tests.Kernels
{
    /// <summary>
    /// <see cref="KernelScratch"/> states how much scratch each geometry needs; the geometry structs refuse what exceeds
    /// <see cref="Limits.MaxElements"/>, so the kernels never size a buffer with arithmetic that wraps around. These tests
    /// check the statement against what the kernels actually ask for, on every SIMD path, and that sizes beyond the limit
    /// are refused by name before any kernel runs. (The kernels at the limit itself run in child processes:
    /// <see cref="KernelLimitTests"/>.)
    /// </summary>
    public class KernelScratchTests
    {
        [Theory]
        [MemberData(nameof(SimdPathTests.Widths), MemberType = typeof(SimdPathTests))]
        public void The_stated_scratch_bounds_every_request_of_the_convolution_kernels(int width) =>
            GroupedConvolutionTests.Cases.Sample(c => SimdPathTests.OnPath(width, () =>
            {
                CheckRequests<float>(c);
                CheckRequests<double>(c);
            }), iter: Iterations(100));

        private static void CheckRequests<T>(GroupedConvolutionTests.Case c) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            var g = c.Geometry;
            long bound = KernelScratch.Convolution(g.Channels, g.Height, g.Width, g.Filters, g.Kernel, g.Stride, g.PadTop, g.PadLeft, g.PadBottom, g.PadRight, g.Groups);
            Assert.True(KernelScratch.ConvolutionFits(g.Channels, g.Height, g.Width, g.Filters, g.Kernel, g.Stride, g.PadTop, g.PadLeft, g.PadBottom, g.PadRight, g.Groups));
            var rng = new Random(c.Seed);
            T[] x = To<T>(Uniform(rng, g.InputSize)), w = To<T>(Uniform(rng, g.WeightSize)), dy = To<T>(Uniform(rng, g.OutputSize));
            void Measure(string kernel, Action call)
            {
                ScratchRequests.t_largest = 0;
                call();
                Assert.True(ScratchRequests.t_largest <= bound, $"{kernel} of {c} asked for {ScratchRequests.t_largest} values of scratch; KernelScratch states {bound}");
            }

            Measure("Forward", () => ConvolutionKernels.Forward<T>(x, w, ReadOnlySpan<T>.Empty, new T[g.OutputSize], g));
            Measure("BackwardInput", () => ConvolutionKernels.BackwardInput<T>(dy, w, new T[g.InputSize], g));
            Measure("GradientKernels.Convolution", () => GradientKernels.Convolution<T>(x, dy, new T[g.WeightSize], new T[g.Filters], g));
        }

        [Fact]
        public void The_geometry_of_the_reported_crash_is_refused_by_name()
        {
            // Net.Input(9, 1, 1).Conv2D(1, kernel: 1, padding: 8191): output [1, 16383, 16383] (under 2^28), but the
            // staged input (9·16383² values) overflowed an int and Forward died with SIGSEGV.
            var e = Assert.Throws<ArgumentException>(() => new ConvolutionGeometry(9, 1, 1, 1, 1, 1, 8191));
            Assert.Contains("Convolution of [9, 1, 1] by 1 filters of 1×1, stride 1, padding 8191", e.Message);
            Assert.Contains("kernel scratch buffer", e.Message);
            Assert.Contains(Limits.MaxElements.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
            Assert.False(KernelScratch.ConvolutionFits(9, 1, 1, 1, 1, 1, 8191, 8191, 8191, 8191, 1));
        }

        [Theory]
        [InlineData(1, 1, 1, 1, 1, 1, int.MaxValue)]        // output [1, −1, −1] once the size wrapped
        [InlineData(3, 8, 8, 3, int.MaxValue, 1, 1 << 30)] // a negative weight size once it wrapped
        [InlineData(16, 8, 8, 16, 1 << 30, 1, 1 << 29)]    // a weight "of size 0"
        [InlineData(1 << 15, 1 << 15, 1 << 15, 1, 1, 1, 0)] // an input of 2^45 values
        [InlineData(1, 1, 1, 1 << 29, 1, 1, 0)]             // an output of 2^29 values
        public void Convolutions_whose_sizes_wrap_around_or_exceed_the_limit_are_refused(int channels, int height, int width, int filters, int kernel, int stride, int padding)
        {
            var e = Assert.Throws<ArgumentException>(() => new ConvolutionGeometry(channels, height, width, filters, kernel, stride, padding));
            Assert.Contains($"[{channels}, {height}, {width}]", e.Message);
            Assert.False(KernelScratch.ConvolutionFits(channels, height, width, filters, kernel, stride, padding, padding, padding, padding, 1));
        }

        [Fact]
        public void Dense_and_pooling_sizes_beyond_the_limit_are_refused_before_a_pointer_is_formed()
        {
            // 65536 · 65536 wrapped to 0 in an int, so an empty weight passed the length check.
            var e = Assert.Throws<ArgumentException>(() => DenseKernels.Forward<float>(new float[65536], ReadOnlySpan<float>.Empty, ReadOnlySpan<float>.Empty, new float[65536], 65536, 65536));
            Assert.Contains("Dense layer of 65536 inputs and 65536 outputs", e.Message);
            Assert.Throws<ArgumentException>(() => DenseKernels.BackwardInput<float>(new float[65536], ReadOnlySpan<float>.Empty, new float[65536], 65536, 65536));
            Assert.Throws<ArgumentException>(() => GradientKernels.Dense<float>(new float[65536], new float[65536], Span<float>.Empty, new float[65536], 65536, 65536));
            Assert.Throws<ArgumentOutOfRangeException>(() => DenseKernels.Forward<float>(ReadOnlySpan<float>.Empty, ReadOnlySpan<float>.Empty, ReadOnlySpan<float>.Empty, Span<float>.Empty, 0, 0));

            e = Assert.Throws<ArgumentException>(() => new PoolGeometry(1 << 10, 1 << 10, 1 << 10, 2, 2));
            Assert.Contains("Pooling of [1024, 1024, 1024]", e.Message);
        }

        [Fact]
        public void A_default_geometry_describes_no_layer_and_is_refused()
        {
            Assert.Throws<ArgumentException>(() => ConvolutionKernels.Forward<float>(ReadOnlySpan<float>.Empty, ReadOnlySpan<float>.Empty, ReadOnlySpan<float>.Empty, Span<float>.Empty, default));
            Assert.Throws<ArgumentException>(() => ConvolutionKernels.BackwardInput<float>(ReadOnlySpan<float>.Empty, ReadOnlySpan<float>.Empty, Span<float>.Empty, default));
            Assert.Throws<ArgumentException>(() => GradientKernels.Convolution<float>(ReadOnlySpan<float>.Empty, ReadOnlySpan<float>.Empty, Span<float>.Empty, Span<float>.Empty, default));
            Assert.Throws<ArgumentException>(() => PoolingKernels.MaxForward<float>(ReadOnlySpan<float>.Empty, Span<float>.Empty, Span<int>.Empty, default));
            Assert.Throws<ArgumentException>(() => PoolingKernels.MaxBackward<float>(ReadOnlySpan<float>.Empty, ReadOnlySpan<int>.Empty, Span<float>.Empty, default));
            Assert.Throws<ArgumentException>(() => PoolingKernels.AvgForward<float>(ReadOnlySpan<float>.Empty, Span<float>.Empty, default));
            Assert.Throws<ArgumentException>(() => PoolingKernels.AvgBackward<float>(ReadOnlySpan<float>.Empty, Span<float>.Empty, default));
        }
    }
}
