using System.Numerics;
using CsCheck;
using Relucent.Kernels;
using Xunit;
using static Relucent.Tests.Kernels.Numerics;

namespace Relucent.Tests.Kernels
{
    public class DenseKernelTests
    {
        // inputs, outputs, with bias, seed
        private static readonly Gen<(int, int, bool, int)> Cases = Gen.Select(Gen.Int[1, 17], Gen.Int[1, 13], Gen.Bool, Gen.Int);

        [Fact]
        public void Forward_and_backward_match_the_naive_loops_in_float() => Cases.Sample((n, m, bias, seed) => Check<float>(n, m, bias, seed), iter: Numerics.Iterations(200));

        [Fact]
        public void Forward_and_backward_match_the_naive_loops_in_double() => Cases.Sample((n, m, bias, seed) => Check<double>(n, m, bias, seed), iter: Numerics.Iterations(200));

        private static void Check<T>(int inputs, int outputs, bool withBias, int seed) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var rng = new Random(seed);
            double[] x = Representable<T>(Uniform(rng, inputs));
            if (inputs > 2) x[rng.Next(inputs)] = 0; // the forward pass skips zero inputs: that must not change the result
            double[] w = Representable<T>(Uniform(rng, inputs * outputs));
            double[]? b = withBias ? Representable<T>(Uniform(rng, outputs)) : null;
            double[] dy = Representable<T>(Uniform(rng, outputs));

            T[] weight = To<T>(ColumnMajor(w, outputs, inputs));
            var y = new T[outputs];
            DenseKernels.Forward<T>(To<T>(x), weight, b is null ? ReadOnlySpan<T>.Empty : To<T>(b), y, inputs, outputs);
            double tolerance = Tolerance<T>(1e-5, 1e-13);
            // Floor 1: with few inputs an output may cancel to nearly zero; errors are measured against the O(1) terms.
            AssertClose(Naive.Dense(x, w, b, inputs, outputs), y, tolerance, "y", floor: 1);

            var dx = new T[inputs];
            DenseKernels.BackwardInput<T>(To<T>(dy), weight, dx, inputs, outputs);
            AssertClose(Naive.DenseBackward(dy, w, inputs, outputs), dx, tolerance, "dx", floor: 1);
        }

        [Fact]
        public void Wrong_buffer_lengths_are_rejected()
        {
            var weight = new double[6];
            Assert.Throws<ArgumentException>(() => DenseKernels.Forward<double>(new double[2], weight, new double[3], new double[3], 3, 2));
            Assert.Throws<ArgumentException>(() => DenseKernels.BackwardInput<double>(new double[2], weight, new double[2], 3, 2));
        }
    }
}
