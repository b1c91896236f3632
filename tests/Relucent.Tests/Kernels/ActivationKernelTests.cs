using System.Numerics;
using CsCheck;
using Relucent.Kernels;
using Relucent.Model;
using Xunit;
using static Relucent.Tests.Kernels.Numerics;

namespace Relucent.Tests.Kernels
{
    public class ActivationKernelTests
    {
        // length (odd ones too, around vector widths), input range, seed
        private static readonly Gen<(int, double, int)> Cases = Gen.Select(Gen.Int[1, 40], Gen.OneOf(1.0, 4.0, 12.0), Gen.Int);

        [Fact]
        public void Activations_and_their_gradients_match_the_definitions_in_float() => Cases.Sample((n, range, seed) => Check<float>(n, range, seed), iter: Numerics.Iterations(200));

        [Fact]
        public void Activations_and_their_gradients_match_the_definitions_in_double() => Cases.Sample((n, range, seed) => Check<double>(n, range, seed), iter: Numerics.Iterations(200));

        private static void Check<T>(int n, double range, int seed) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var rng = new Random(seed);
            double[] x = Representable<T>(Uniform(rng, n, -range, range));
            double[] dy = Representable<T>(Uniform(rng, n));
            T[] xt = To<T>(x), dyt = To<T>(dy);
            var z = new T[n];
            var dx = new T[n];
            // Transcendentals are vectorised approximations: a few ulp from the correctly rounded value.
            double tolerance = Tolerance<T>(1e-6, 1e-14);

            ActivationKernels.Relu<T>(xt, z);
            AssertClose(Naive.Relu(x), z, 0, "relu");

            ActivationKernels.Relu6<T>(xt, z);
            AssertClose(Naive.Relu6(x), z, 0, "relu6");

            ActivationKernels.Tanh<T>(xt, z);
            AssertClose(Naive.Tanh(x), z, tolerance, "tanh", floor: 1);
            ActivationKernels.TanhBackward<T>(z, dyt, dx);
            AssertClose(Naive.TanhBackward(x, dy), dx, Tolerance<T>(1e-6, 1e-14), "tanh backward", floor: 1);

            ActivationKernels.Sigmoid<T>(xt, z);
            AssertClose(Naive.Sigmoid(x), z, tolerance, "sigmoid", floor: 1);
            ActivationKernels.SigmoidBackward<T>(z, dyt, dx);
            AssertClose(Naive.SigmoidBackward(x, dy), dx, tolerance, "sigmoid backward", floor: 1);

            ActivationKernels.Softmax<T>(xt, z);
            AssertClose(Naive.Softmax(x), z, tolerance, "softmax", floor: 1);
            ActivationKernels.SoftmaxBackward<T>(z, dyt, dx);
            AssertClose(Naive.SoftmaxBackward(x, dy), dx, tolerance, "softmax backward", floor: 1);
        }

        [Fact]
        public void Tanh_is_odd_and_accurate_near_zero_in_float() => TanhNearZero<float>(4e-7);

        [Fact]
        public void Tanh_is_odd_and_accurate_near_zero_in_double() => TanhNearZero<double>(1e-15);

        // tanh(±0) = ±0 and tanh(x) ≈ x to a few ulp for small x, as PyTorch's tanh gives: an absolute error of
        // one ulp of 1 is a huge relative error on small activations, and a tanh(0) below zero reorders the exact
        // ties of zero padding in a following max pool. 16 values so the vectorised path runs.
        private static void TanhNearZero<T>(double relative) where T : unmanaged, IFloatingPointIeee754<T>
        {
            double[] x = { 0, 1e-30, -1e-30, 1e-8, -1e-8, 1e-6, -1e-6, 1e-4, -1e-4, 1e-3, -1e-3, 1e-2, -1e-2, 0.1, -0.1, 0.5 };
            T[] xt = To<T>(x);
            var z = new T[x.Length];
            ActivationKernels.Tanh<T>(xt, z);
            Assert.True(T.IsPositive(z[0]) && T.IsZero(z[0]), $"tanh(+0) = {z[0]}, expected +0");
            for (int i = 1; i < x.Length; i++)
            {
                double input = double.CreateChecked(xt[i]), exact = Math.Tanh(input), got = double.CreateChecked(z[i]);
                double error = Math.Abs(got - exact) / Math.Abs(exact);
                Assert.True(error <= relative, $"tanh({input:R}) = {got:R}, expected {exact:R} (relative error {error:E2} > {relative:E1})");
            }
        }

        [Fact]
        public void Softmax_does_not_overflow_on_large_logits()
        {
            // The documented formula subtracts the maximum: e^(x − max x). Without it e^1000 is infinite.
            double[] x = { 1000, 999, 0 };
            var s = new double[3];
            ActivationKernels.Softmax<double>(x, s);
            AssertClose(Naive.Softmax(x), s, 1e-15, "softmax");
            float[] xf = { 100, 99, 0 }; // e^100 overflows float
            var sf = new float[3];
            ActivationKernels.Softmax<float>(xf, sf);
            AssertClose(Naive.Softmax(new double[] { 100, 99, 0 }), sf, 1e-6, "softmax (float)");
        }

        [Fact]
        public void Relu_rules_match_their_definitions()
        {
            Cases.Sample((n, range, seed) =>
            {
                var rng = new Random(seed);
                double[] x = Uniform(rng, n, -range, range);
                double[] r = Uniform(rng, n);
                double[] z = Naive.Relu(x);
                var rIn = new double[n];
                ReluRules.Saliency<double>(z, r, rIn);
                AssertClose(Naive.ReluBackward(x, r, BackwardRule.Saliency), rIn, 0, "saliency");
                ReluRules.DeconvNet<double>(r, rIn);
                AssertClose(Naive.ReluBackward(x, r, BackwardRule.DeconvNet), rIn, 0, "deconvnet");
                ReluRules.GuidedBackprop<double>(z, r, rIn);
                AssertClose(Naive.ReluBackward(x, r, BackwardRule.GuidedBackprop), rIn, 0, "guided backprop");
            }, iter: Numerics.Iterations(100));
        }

        [Fact]
        public void Relu_rules_on_the_worked_example()
        {
            // z = relu([1, −2, −4, 5]) = [1, 0, 0, 5], R = [−2, −2, 4, 8].
            double[] z = { 1, 0, 0, 5 }, r = { -2, -2, 4, 8 };
            var rIn = new double[4];
            ReluRules.Saliency<double>(z, r, rIn);
            Assert.Equal(new double[] { -2, 0, 0, 8 }, rIn);
            ReluRules.DeconvNet<double>(r, rIn);
            Assert.Equal(new double[] { 0, 0, 4, 8 }, rIn);
            ReluRules.GuidedBackprop<double>(z, r, rIn);
            Assert.Equal(new double[] { 0, 0, 0, 8 }, rIn);
        }

        [Fact]
        public void Add_sums_element_wise()
        {
            Cases.Sample((n, range, seed) =>
            {
                var rng = new Random(seed);
                float[] a = To<float>(Uniform(rng, n, -range, range)), b = To<float>(Uniform(rng, n, -range, range));
                var y = new float[n];
                ElementwiseKernels.Add<float>(a, b, y);
                for (int i = 0; i < n; i++) Assert.Equal(a[i] + b[i], y[i]);
            }, iter: Numerics.Iterations(50));
            Assert.Throws<ArgumentException>(() => ElementwiseKernels.Add<double>(new double[2], new double[3], new double[2]));
        }

        [Theory]
        [MemberData(nameof(SimdPathTests.Widths), MemberType = typeof(SimdPathTests))]
        public void Relu6_and_its_rules_match_their_definitions_on_every_path_including_specials_and_in_place(int width) => SimdPathTests.OnPath(width, () =>
        {
            var rng = new Random(6);
            float[] specials = { -0f, 0f, 6f, -6f, 5.9999995f, 6.0000005f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, -float.Epsilon };
            foreach (int n in new[] { 1, 7, 15, 16, 17, 31, 33, 64, 100 })
            {
                float[] x = Enumerable.Range(0, n).Select(i => i < specials.Length && rng.Next(2) == 0 ? specials[i] : (float)(rng.NextDouble() * 10 - 2)).ToArray();
                var z = new float[n];
                ActivationKernels.Relu6<float>(x, z);
                for (int i = 0; i < n; i++)
                {
                    float expected = float.IsNaN(x[i]) ? float.NaN : Math.Min(Math.Max(x[i], 0f), 6f);
                    Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(z[i]) || float.IsNaN(expected) && float.IsNaN(z[i]), $"relu6({x[i]}) = {z[i]}, expected {expected}");
                }
                float[] r = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
                r[0] = float.NaN;
                if (n > 2) r[2] = -0f;
                double[] zd = z.Select(v => (double)v).ToArray();
                foreach (BackwardRule rule in Rules.All)
                {
                    // The definitions in terms of the ReLU6's input x (0 < x < 6 ⇔ 0 < z < 6), NaN blocked.
                    float[] expected = Naive.Relu6Backward(x.Select(v => (double)v).ToArray(), r.Select(v => (double)v).ToArray(), rule).Select(v => (float)v).ToArray();
                    var separate = new float[n];
                    float[] inPlace = (float[])r.Clone();
                    Rules.Apply<float>(Rectifier.Relu6, rule, z, r, separate);
                    Rules.Apply<float>(Rectifier.Relu6, rule, z, inPlace, inPlace);
                    AssertIdentical<float>(expected, separate, $"ReLU6 {rule} n={n}");
                    AssertIdentical<float>(expected, inPlace, $"ReLU6 {rule} in place n={n}");
                }
            }
        });
    }
}
