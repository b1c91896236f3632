using System.Numerics;
using CsCheck;
using Relucent.Kernels;
using Xunit;
using static Relucent.Tests.Kernels.Numerics;

namespace Relucent.Tests.Kernels
{
    public class PoolingKernelTests
    {
        public record struct Case(int Channels, int Height, int Width, int Kernel, int Stride, bool Ties, int Seed);

        // Windows that do not divide the input, overlapping (stride < kernel) and gapped (stride > kernel) windows.
        private static readonly Gen<Case> Cases =
            Gen.Select(Gen.Int[1, 3], Gen.Int[1, 9], Gen.Int[1, 9], Gen.Int[1, 4], Gen.Int[1, 4], Gen.Bool, Gen.Int)
                .Select((c, h, w, k, s, ties, seed) => new Case(c, h, w, k, s, ties, seed))
                .Where(c => c.Kernel <= c.Height && c.Kernel <= c.Width);

        [Fact]
        public void Max_pooling_matches_the_naive_loop_in_float() => Cases.Sample(CheckMax<float>, iter: Numerics.Iterations(300));

        [Fact]
        public void Max_pooling_matches_the_naive_loop_in_double() => Cases.Sample(CheckMax<double>, iter: Numerics.Iterations(300));

        [Fact]
        public void Average_pooling_matches_the_naive_loop_in_float() => Cases.Sample(CheckAverage<float>, iter: Numerics.Iterations(300));

        [Fact]
        public void Average_pooling_matches_the_naive_loop_in_double() => Cases.Sample(CheckAverage<double>, iter: Numerics.Iterations(300));

        private static double[] Input<T>(Random rng, Case c) where T : unmanaged, IFloatingPointIeee754<T>
        {
            int size = c.Channels * c.Height * c.Width;
            // With ties on, values come from a handful of integers, so windows often hold several maxima: the
            // first one in row-major window order must win, as in PyTorch's CPU kernel.
            return c.Ties ? Enumerable.Range(0, size).Select(_ => (double)rng.Next(-2, 3)).ToArray() : Representable<T>(Uniform(rng, size));
        }

        private static void CheckMax<T>(Case c) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var rng = new Random(c.Seed);
            var g = new PoolGeometry(c.Channels, c.Height, c.Width, c.Kernel, c.Stride);
            Assert.Equal(Naive.PoolOut(c.Height, c.Kernel, c.Stride), g.OutputHeight);
            Assert.Equal(Naive.PoolOut(c.Width, c.Kernel, c.Stride), g.OutputWidth);
            double[] x = Input<T>(rng, c);
            double[] expected = Naive.MaxPool(x, c.Channels, c.Height, c.Width, c.Kernel, c.Stride, out int[] argmax);

            var y = new T[g.OutputSize];
            var switches = new int[g.OutputSize];
            PoolingKernels.MaxForward<T>(To<T>(x), y, switches, g);
            AssertClose(expected, y, 0, $"y of {c}");
            Assert.Equal(argmax, switches);

            double[] dy = Representable<T>(Uniform(rng, g.OutputSize));
            var dx = new T[g.InputSize];
            dx.AsSpan().Fill(T.One);
            PoolingKernels.MaxBackward<T>(To<T>(dy), switches, dx, g);
            // Overlapping windows sum several O(1) signals at one switch: errors are measured against O(1).
            AssertClose(Naive.MaxPoolBackward(dy, argmax, g.InputSize), dx, Tolerance<T>(1e-6, 1e-15), $"dx of {c}", floor: 1);
        }

        private static void CheckAverage<T>(Case c) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var rng = new Random(c.Seed);
            var g = new PoolGeometry(c.Channels, c.Height, c.Width, c.Kernel, c.Stride);
            double[] x = Input<T>(rng, c);
            var y = new T[g.OutputSize];
            PoolingKernels.AvgForward<T>(To<T>(x), y, g);
            double tolerance = Tolerance<T>(1e-6, 1e-14);
            AssertClose(Naive.AvgPool(x, c.Channels, c.Height, c.Width, c.Kernel, c.Stride), y, tolerance, $"y of {c}", floor: 1);

            double[] dy = Representable<T>(Uniform(rng, g.OutputSize));
            var dx = new T[g.InputSize];
            dx.AsSpan().Fill(T.One);
            PoolingKernels.AvgBackward<T>(To<T>(dy), dx, g);
            AssertClose(Naive.AvgPoolBackward(dy, c.Channels, c.Height, c.Width, c.Kernel, c.Stride), dx, tolerance, $"dx of {c}", floor: 1);
        }

        [Fact]
        public void Max_pooling_routes_each_signal_to_the_first_maximum_of_its_window()
        {
            // 1×3×3, kernel 2, stride 1: windows overlap, the 5 in the centre wins all four windows.
            double[] x = { 1, 2, 3, 4, 5, 5, 5, 0, 5 };
            var g = new PoolGeometry(1, 3, 3, 2, 1);
            var y = new double[4];
            var switches = new int[4];
            PoolingKernels.MaxForward<double>(x, y, switches, g);
            Assert.Equal(new double[] { 5, 5, 5, 5 }, y);
            Assert.Equal(new[] { 4, 4, 4, 4 }, switches);
            var dx = new double[9];
            PoolingKernels.MaxBackward<double>(new double[] { 1, 2, 3, 4 }, switches, dx, g);
            Assert.Equal(new double[] { 0, 0, 0, 0, 10, 0, 0, 0, 0 }, dx);
        }

        [Fact]
        public void Geometry_drops_the_rows_and_columns_no_full_window_covers()
        {
            var g = new PoolGeometry(2, 7, 5, 2, 2);
            Assert.Equal(3, g.OutputHeight);
            Assert.Equal(2, g.OutputWidth);
            Assert.Throws<ArgumentException>(() => new PoolGeometry(1, 3, 3, 4, 1));
        }
    }
}
