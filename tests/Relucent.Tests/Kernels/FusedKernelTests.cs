using System.Numerics;
using System.Runtime.CompilerServices;
using CsCheck;
using Relucent.Kernels;
using Xunit;
using static Relucent.Tests.Kernels.Numerics;

namespace Relucent.Tests.Kernels
{
    /// <summary>
    /// The fused kernels the generated code calls when a ReLU follows a layer: forward, dense and convolution store
    /// <c>max(·, 0)</c> directly (<c>relu: true</c>); backward, dense and max-pool unpooling apply the ReLU's rule as they
    /// store the signal. Each must give the bits of the two separate calls it replaces, on every SIMD path and in both
    /// precisions, signed zeros included (a −0 signal, a −0 pre-activation), since the generated code fuses and the
    /// interpreter does not, and the two are required to agree bit for bit.
    /// </summary>
    public class FusedKernelTests
    {
        /// <summary>Bit-for-bit equality, telling +0 from −0 (which <c>Equals</c> does not).</summary>
        private static void AssertSameBits<T>(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual, string what) where T : unmanaged
        {
            Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
            for (int i = 0; i < expected.Length; i++)
            {
                T e = expected[i], a = actual[i];
                bool same = Unsafe.SizeOf<T>() == 4
                    ? Unsafe.As<T, int>(ref e) == Unsafe.As<T, int>(ref a)
                    : Unsafe.As<T, long>(ref e) == Unsafe.As<T, long>(ref a);
                if (!same) Assert.Fail($"{what}[{i}] = {a}, expected the bits of {e}");
            }
        }

        /// <summary>Uniform values with some exact zeros of both signs, as signals and activations around a ReLU hold.</summary>
        private static T[] Values<T>(Random rng, int count) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var values = To<T>(Uniform(rng, count));
            for (int i = 0; i < count; i++)
            {
                int pick = rng.Next(8);
                if (pick == 0) values[i] = T.Zero;
                else if (pick == 1) values[i] = T.NegativeZero;
            }
            return values;
        }

        [Theory]
        [MemberData(nameof(SimdPathTests.Widths), MemberType = typeof(SimdPathTests))]
        public void Convolution_with_relu_equals_convolution_then_relu(int width)
        {
            // Direct, strided (explicit im2col) and Winograd-sized cases; bias on and off.
            var cases = Gen.Select(Gen.Int[1, 20], Gen.Int[3, 30], Gen.Int[3, 30], Gen.Int[1, 20], Gen.Int[1, 3], Gen.Int[0, 2], Gen.Select(Gen.Bool, Gen.Int))
                .Where((c, h, w, f, s, p, rest) => c * h * w * f <= 60000);
            cases.Sample((c, h, w, f, s, p, rest) => SimdPathTests.OnPath(width, () =>
            {
                CheckConvolution<float>(c, h, w, f, s, p, rest.Item1, rest.Item2);
                CheckConvolution<double>(c, h, w, f, s, p, rest.Item1, rest.Item2);
            }), iter: Iterations(40));
        }

        private static void CheckConvolution<T>(int channels, int height, int width, int filters, int stride, int padding, bool withBias, int seed)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var rng = new Random(seed);
            var g = new ConvolutionGeometry(channels, height, width, filters, 3, stride, padding);
            T[] x = Values<T>(rng, g.InputSize), w = Values<T>(rng, g.WeightSize);
            T[] b = withBias ? Values<T>(rng, filters) : Array.Empty<T>();
            var separate = new T[g.OutputSize];
            ConvolutionKernels.Forward<T>(x, w, b, separate, g);
            ActivationKernels.Relu<T>(separate, separate);
            var fused = new T[g.OutputSize];
            fused.AsSpan().Fill(T.CreateChecked(-7)); // stale values must be overwritten, not max'ed
            ConvolutionKernels.Forward<T>(x, w, b, fused, g, relu: true);
            AssertSameBits<T>(separate, fused, $"conv {g.Channels}×{height}×{width} → {filters}, s{stride} p{padding}");
            Assert.All(fused, v => Assert.True(v >= T.Zero));
        }

        [Theory]
        [MemberData(nameof(SimdPathTests.Widths), MemberType = typeof(SimdPathTests))]
        public void Dense_with_relu_equals_dense_then_relu(int width) =>
            Gen.Select(Gen.Int[1, 300], Gen.Int[1, 300], Gen.Bool, Gen.Int).Sample((n, m, bias, seed) => SimdPathTests.OnPath(width, () =>
            {
                CheckDense<float>(n, m, bias, seed);
                CheckDense<double>(n, m, bias, seed);
            }), iter: Iterations(40));

        private static void CheckDense<T>(int inputs, int outputs, bool withBias, int seed) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var rng = new Random(seed);
            T[] x = Values<T>(rng, inputs), w = Values<T>(rng, inputs * outputs);
            T[] b = withBias ? Values<T>(rng, outputs) : Array.Empty<T>();
            var separate = new T[outputs];
            DenseKernels.Forward<T>(x, w, b, separate, inputs, outputs);
            ActivationKernels.Relu<T>(separate, separate);
            var fused = new T[outputs];
            fused.AsSpan().Fill(T.CreateChecked(-7));
            DenseKernels.Forward<T>(x, w, b, fused, inputs, outputs, relu: true);
            AssertSameBits<T>(separate, fused, $"dense {inputs}→{outputs}");

            DenseKernels.Forward<T>(x, w, b, separate, inputs, outputs);
            ActivationKernels.Relu6<T>(separate, separate);
            fused.AsSpan().Fill(T.CreateChecked(-7));
            DenseKernels.Forward<T>(x, w, b, fused, inputs, outputs, Rectifier.Relu6);
            AssertSameBits<T>(separate, fused, $"dense {inputs}→{outputs} with ReLU6");
        }

        [Theory]
        [MemberData(nameof(SimdPathTests.Widths), MemberType = typeof(SimdPathTests))]
        public void Dense_backward_through_a_relu_rule_equals_the_two_steps(int width) =>
            Gen.Select(Gen.Int[1, 300], Gen.Int[1, 300], Gen.Int).Sample((n, m, seed) => SimdPathTests.OnPath(width, () =>
            {
                foreach (BackwardRule rule in Rules.All)
                {
                    CheckDenseBackward<float>(n, m, rule, seed);
                    CheckDenseBackward<double>(n, m, rule, seed);
                }
            }), iter: Iterations(30));

        private static void CheckDenseBackward<T>(int inputs, int outputs, BackwardRule rule, int seed) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var rng = new Random(seed);
            T[] dy = Values<T>(rng, outputs), w = Values<T>(rng, inputs * outputs), z = Values<T>(rng, inputs);
            var signal = new T[inputs];
            DenseKernels.BackwardInput<T>(dy, w, signal, inputs, outputs);
            var separate = new T[inputs];
            Rules.Apply<T>(Rectifier.Relu, rule, z, signal, separate);
            var fused = new T[inputs];
            fused.AsSpan().Fill(T.CreateChecked(-7));
            DenseKernels.BackwardInput<T>(dy, w, fused, inputs, outputs, rule, z);
            AssertSameBits<T>(separate, fused, $"{rule} through dense {inputs}→{outputs}");

            // ReLU6: an output z in [0, 6], exact zeros and sixes included.
            T[] z6 = z.Select((v, i) => i % 5 == 0 ? T.CreateChecked(6) : T.Min(T.Abs(v) * T.CreateChecked(7), T.CreateChecked(6))).ToArray();
            Rules.Apply<T>(Rectifier.Relu6, rule, z6, signal, separate);
            fused.AsSpan().Fill(T.CreateChecked(-7));
            DenseKernels.BackwardInput<T>(dy, w, fused, inputs, outputs, rule, z6, Rectifier.Relu6);
            AssertSameBits<T>(separate, fused, $"ReLU6 {rule} through dense {inputs}→{outputs}");
        }

        [Theory]
        [MemberData(nameof(SimdPathTests.Widths), MemberType = typeof(SimdPathTests))]
        public void Unpooling_through_a_relu_rule_equals_the_two_steps(int width) =>
            Gen.Select(Gen.Int[1, 4], Gen.Int[2, 40], Gen.Int[2, 40], Gen.Int[1, 3], Gen.Int[0, 2], Gen.Int).Sample((c, h, w, k, extra, seed) => SimdPathTests.OnPath(width, () =>
            {
                if (k > h || k > w) return;
                var g = new PoolGeometry(c, h, w, k, stride: k + extra); // windows that do not overlap
                foreach (BackwardRule rule in Rules.All)
                {
                    CheckUnpooling<float>(g, rule, seed);
                    CheckUnpooling<double>(g, rule, seed);
                }
            }), iter: Iterations(40));

        private static void CheckUnpooling<T>(in PoolGeometry g, BackwardRule rule, int seed) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var rng = new Random(seed);
            // z is the ReLU's output feeding the pooling: non-negative, with zeros; the switches come from pooling it.
            T[] z = Values<T>(rng, g.InputSize).Select(v => T.Max(v, T.Zero)).ToArray();
            T[] pooled = new T[g.OutputSize];
            int[] switches = new int[g.OutputSize];
            PoolingKernels.MaxForward<T>(z, pooled, switches, g);
            T[] dy = Values<T>(rng, g.OutputSize);
            var unpooled = new T[g.InputSize];
            PoolingKernels.MaxBackward<T>(dy, switches, unpooled, g);
            var separate = new T[g.InputSize];
            Rules.Apply<T>(Rectifier.Relu, rule, z, unpooled, separate);
            var fused = new T[g.InputSize];
            fused.AsSpan().Fill(T.CreateChecked(-7));
            PoolingKernels.MaxBackward<T>(dy, switches, fused, g, rule, z);
            AssertSameBits<T>(separate, fused, $"{rule} through max pool k{g.Kernel} s{g.Stride} on [{g.Channels}, {g.Height}, {g.Width}]");
        }

        [Fact]
        public void Unpooling_through_a_relu_rule_refuses_a_switch_outside_the_input()
        {
            var g = new PoolGeometry(1, 4, 4, kernel: 2, stride: 2);
            int[] switches = { 0, 2, 16, 10 }; // 16 is one past the input
            var ex = Assert.Throws<ArgumentException>(() =>
                PoolingKernels.MaxBackward<float>(new float[4], switches, new float[g.InputSize], g, BackwardRule.Saliency, new float[g.InputSize]));
            Assert.Contains("switches[2] = 16", ex.Message);
        }

        [Fact]
        public void Relu_maps_negative_zero_to_positive_zero_and_keeps_NaN()
        {
            foreach (int width in SimdPathTests.Widths())
            {
                SimdPathTests.OnPath(width, () =>
                {
                    var x = new float[37];
                    for (int i = 0; i < x.Length; i++) x[i] = (i % 4) switch { 0 => -0f, 1 => -1.5f, 2 => 2.5f, _ => float.NaN };
                    var z = new float[x.Length];
                    ActivationKernels.Relu<float>(x, z);
                    for (int i = 0; i < x.Length; i++)
                    {
                        float expected = (i % 4) switch { 0 => 0f, 1 => 0f, 2 => 2.5f, _ => float.NaN };
                        AssertSameBits<float>(new[] { expected }, new[] { z[i] }, $"relu({x[i]}) on width {width}");
                    }
                });
            }
        }

        /// <summary>The overloads that name the rule as a type (as generated backward passes call them) give the enum overloads' bits, for ReLU and ReLU6.</summary>
        [Fact]
        public void Rules_named_as_types_give_the_bits_of_rules_named_by_value()
        {
            CheckTyped<SaliencyRule>();
            CheckTyped<DeconvNetRule>();
            CheckTyped<GuidedBackpropRule>();
        }

        private static void CheckTyped<TRule>() where TRule : struct, IReluRule
        {
            var rng = new Random(11);
            var conv = new ConvolutionGeometry(6, 9, 11, 8, 3, 2, 1, 0, 1, 2, 2);
            var pool = new PoolGeometry(3, 13, 13, 3, 2, 1, 1, 1, 1, true);
            float[] w = To<float>(Uniform(rng, conv.WeightSize)), dy = To<float>(Uniform(rng, conv.OutputSize));
            foreach (Rectifier rectifier in new[] { Rectifier.Relu, Rectifier.Relu6 })
            {
                float[] z = Uniform(rng, conv.InputSize, -2, 8).Select(v => (float)Math.Clamp(Math.Round(v * 2) / 2, 0, rectifier == Rectifier.Relu6 ? 6 : 100)).ToArray();
                var byValue = new float[conv.InputSize];
                var byType = new float[conv.InputSize];
                ConvolutionKernels.BackwardInput<float>(dy, w, byValue, conv, TRule.Rule, z, rectifier);
                ConvolutionKernels.BackwardInput<float, TRule>(dy, w, byType, z, conv, rectifier);
                AssertSameBits<float>(byValue, byType, $"convolution, {rectifier} {TRule.Rule}");

                float[] r = To<float>(Uniform(rng, conv.InputSize));
                Rules.Apply<float>(rectifier, TRule.Rule, z, r, byValue);
                if (rectifier == Rectifier.Relu) ReluRules.Apply<float, TRule>(z, r, byType); else Relu6Rules.Apply<float, TRule>(z, r, byType);
                AssertSameBits<float>(byValue, byType, $"rules, {rectifier} {TRule.Rule}");

                int inputs = 40, outputs = 30;
                float[] dw = To<float>(Uniform(rng, inputs * outputs)), ddy = To<float>(Uniform(rng, outputs)), dz = z[..inputs];
                var denseValue = new float[inputs];
                var denseType = new float[inputs];
                DenseKernels.BackwardInput<float>(ddy, dw, denseValue, inputs, outputs, TRule.Rule, dz, rectifier);
                DenseKernels.BackwardInput<float, TRule>(ddy, dw, denseType, dz, inputs, outputs, rectifier);
                AssertSameBits<float>(denseValue, denseType, $"dense, {rectifier} {TRule.Rule}");

                float[] pz = z[..pool.InputSize];
                var switches = new int[pool.OutputSize];
                PoolingKernels.MaxForward<float>(pz, new float[pool.OutputSize], switches, pool);
                float[] pdy = To<float>(Uniform(rng, pool.OutputSize));
                var poolValue = new float[pool.InputSize];
                var poolType = new float[pool.InputSize];
                PoolingKernels.MaxBackward<float>(pdy, switches, poolValue, pool, TRule.Rule, pz, rectifier);
                PoolingKernels.MaxBackward<float, TRule>(pdy, switches, poolType, pz, pool, rectifier);
                AssertSameBits<float>(poolValue, poolType, $"unpooling, {rectifier} {TRule.Rule}");
            }
        }
    }
}
