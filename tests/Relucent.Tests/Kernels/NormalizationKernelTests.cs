using System.Numerics;
using CsCheck;
using Relucent.Kernels;
using Xunit;
using static Relucent.Tests.Kernels.Numerics;

namespace Relucent.Tests.Kernels
{
    public class NormalizationKernelTests
    {
        // channels, plane size (1 for a vector), eps, seed
        private static readonly Gen<(int, int, double, int)> Cases =
            Gen.Select(Gen.Int[1, 6], Gen.Int[1, 30], Gen.OneOf(1e-5, 1e-3, 0.1), Gen.Int);

        [Fact]
        public void Folded_batch_norm_matches_its_definition_in_float() => Cases.Sample((c, p, eps, seed) => Check<float>(c, p, eps, seed), iter: Numerics.Iterations(200));

        [Fact]
        public void Folded_batch_norm_matches_its_definition_in_double() => Cases.Sample((c, p, eps, seed) => Check<double>(c, p, eps, seed), iter: Numerics.Iterations(200));

        private static void Check<T>(int channels, int plane, double eps, int seed) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var rng = new Random(seed);
            double[] gamma = Representable<T>(Uniform(rng, channels, -2, 2));
            double[] beta = Representable<T>(Uniform(rng, channels));
            double[] mean = Representable<T>(Uniform(rng, channels));
            double[] variance = Representable<T>(Uniform(rng, channels, 0.01, 3));
            double[] x = Representable<T>(Uniform(rng, channels * plane, -3, 3));
            double[] dy = Representable<T>(Uniform(rng, channels * plane));

            var scale = new T[channels];
            var shift = new T[channels];
            NormalizationKernels.Fold<T>(To<T>(gamma), To<T>(beta), To<T>(mean), To<T>(variance), eps, scale, shift);
            var y = new T[x.Length];
            NormalizationKernels.BatchNorm<T>(To<T>(x), scale, shift, y, plane);
            double tolerance = Tolerance<T>(1e-5, 1e-13);
            // Floor 1: a single output may cancel to nearly zero, so errors are measured against the O(1) terms.
            AssertClose(Naive.BatchNorm(x, gamma, beta, mean, variance, eps, plane), y, tolerance, "y", floor: 1);

            var dx = new T[x.Length];
            NormalizationKernels.BatchNormBackward<T>(To<T>(dy), scale, dx, plane);
            AssertClose(Naive.BatchNormBackward(dy, gamma, variance, eps, plane), dx, tolerance, "dx", floor: 1);
        }

        [Fact]
        public void A_merged_layer_computes_what_the_layer_then_its_batch_norm_compute() =>
            Cases.Sample((c, inputs, eps, seed) => CheckMerge(c, inputs, eps, seed), iter: Numerics.Iterations(200));

        // A dense layer [c, inputs] (column-major, as the kernels hold it), with or without bias, then a BatchNorm of c channels:
        // the merged weight and bias give the BatchNorm's output of the layer's output, in double to 1e-13 of the terms' size.
        private static void CheckMerge(int channels, int inputs, double eps, int seed)
        {
            var rng = new Random(seed);
            double[] weight = Uniform(rng, channels * inputs, -2, 2), x = Uniform(rng, inputs, -3, 3);
            double[] bias = seed % 2 == 0 ? Uniform(rng, channels) : Array.Empty<double>();
            double[] gamma = Uniform(rng, channels, -2, 2), beta = Uniform(rng, channels), mean = Uniform(rng, channels), variance = Uniform(rng, channels, 0.01, 3);
            var mergedWeight = new double[weight.Length];
            var mergedBias = new double[channels];
            NormalizationKernels.Merge<double>(weight, bias, gamma, beta, mean, variance, eps, mergedWeight, mergedBias);
            var z = new double[channels];
            var merged = new double[channels];
            for (int o = 0; o < channels; o++)
            {
                merged[o] = mergedBias[o];
                z[o] = bias.Length == 0 ? 0 : bias[o];
                for (int i = 0; i < inputs; i++)
                {
                    z[o] += weight[i * channels + o] * x[i];
                    merged[o] += mergedWeight[i * channels + o] * x[i];
                }
            }
            AssertClose(Naive.BatchNorm(z, gamma, beta, mean, variance, eps, plane: 1), merged, 1e-13, "merged", floor: 1);
        }

        [Fact]
        public void Merge_refuses_statistics_of_another_size_by_name()
        {
            var error = Assert.Throws<ArgumentException>(() => NormalizationKernels.Merge<float>(new float[6], default, new float[3], new float[3], new float[2], new float[3], 1e-5, new float[6], new float[3]));
            Assert.Equal("mean", error.ParamName);
            error = Assert.Throws<ArgumentException>(() => NormalizationKernels.Merge<float>(new float[7], default, new float[3], new float[3], new float[3], new float[3], 1e-5, new float[7], new float[3]));
            Assert.Equal("weight", error.ParamName);
        }

        [Fact]
        public void Fold_gives_scale_and_shift()
        {
            var scale = new double[1];
            var shift = new double[1];
            NormalizationKernels.Fold<double>(new[] { 2.0 }, new[] { 1.0 }, new[] { 3.0 }, new[] { 4.0 - 1e-5 }, 1e-5, scale, shift);
            Assert.Equal(1.0, scale[0], 12);
            Assert.Equal(1.0 - 3.0, shift[0], 12);
        }
    }
}
