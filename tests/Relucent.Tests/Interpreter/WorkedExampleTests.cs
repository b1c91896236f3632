using System.Numerics;
using Relucent.Model;
using Xunit;

namespace Relucent.Tests.Interpreter
{
    /// <summary>Small cases whose maps are known by hand.</summary>
    public class WorkedExampleTests
    {
        [Fact]
        public void Single_relu_float() => SingleRelu<float>();

        [Fact]
        public void Single_relu_double() => SingleRelu<double>();

        // The worked example: x = [[1, −2], [−4, 5]], R = [[−2, −2], [4, 8]] arriving at the ReLU's output.
        private static void SingleRelu<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            var interpreter = new Interpreter<T>(Net.Input(1, 2, 2).ReLU(), Array.Empty<T[]>());
            T[] x = Values<T>(1, -2, -4, 5);
            T[] seed = Values<T>(-2, -2, 4, 8);
            Assert.Equal(Values<T>(1, 0, 0, 5), interpreter.Forward(x));
            Assert.Equal(Values<T>(-2, 0, 0, 8), interpreter.Backward(x, seed, BackwardRule.Saliency));
            Assert.Equal(Values<T>(0, 0, 4, 8), interpreter.Backward(x, seed, BackwardRule.DeconvNet));
            Assert.Equal(Values<T>(0, 0, 0, 8), interpreter.Backward(x, seed, BackwardRule.GuidedBackprop));
        }

        [Fact]
        public void Captum_one_conv_network_float() => CaptumOneConv<float>();

        [Fact]
        public void Captum_one_conv_network_double() => CaptumOneConv<double>();

        // Captum's BasicModel_ConvNet_One_Conv test: conv weights 1, biases (−50, −75); every Dense row
        // [1, 1, 1, 1, 1, −1, −1, −1], bias 0; input 0..15; target 0.
        private static void CaptumOneConv<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            Network network = Net.Input(1, 4, 4).Conv2D(2, kernel: 3).ReLU().Flatten().Dense(4).ReLU();
            Assert.Equal(new[] { "0.weight", "0.bias", "3.weight", "3.bias" }, network.Parameters.Select(p => p.Name));
            T[] denseRow = Values<T>(1, 1, 1, 1, 1, -1, -1, -1);
            var parameters = new[]
            {
                Enumerable.Repeat(T.One, 18).ToArray(),
                Values<T>(-50, -75),
                Enumerable.Range(0, 4).SelectMany(_ => denseRow).ToArray(),
                new T[4],
            };
            var interpreter = new Interpreter<T>(network, parameters);
            T[] x = Enumerable.Range(0, 16).Select(i => T.CreateChecked(i)).ToArray();

            // Conv outputs −5, 4, 31, 40 and −30, −21, 6, 15; after the ReLU 75 − 21 = 54 in every logit.
            Assert.Equal(Values<T>(54, 54, 54, 54), interpreter.Forward(x));
            Assert.Equal(Values<T>(0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 0), interpreter.Backward(x, 0, BackwardRule.Saliency));
            Assert.Equal(Values<T>(2, 3, 3, 1, 3, 5, 5, 2, 3, 5, 5, 2, 1, 2, 2, 1), interpreter.Backward(x, 0, BackwardRule.DeconvNet));
            Assert.Equal(Values<T>(0, 1, 1, 1, 1, 3, 3, 2, 1, 3, 3, 2, 1, 2, 2, 1), interpreter.Backward(x, 0, BackwardRule.GuidedBackprop));
        }

        [Fact]
        public void Residual_adds_the_skip_connection_both_ways()
        {
            // y = relu(x) + x: forward [2, −2]; backward under Saliency 1[x > 0] + 1, under DeconvNet max(R, 0) + R.
            var interpreter = new Interpreter<double>(Net.Input(2).Residual(b => b.ReLU()), Array.Empty<double[]>());
            double[] x = { 1, -2 };
            Assert.Equal(new double[] { 2, -2 }, interpreter.Forward(x));
            Assert.Equal(new double[] { 2, 1 }, interpreter.Backward(x, new double[] { 1, 1 }, BackwardRule.Saliency));
            Assert.Equal(new double[] { -1, -3 }, interpreter.Backward(x, new double[] { -1, -3 }, BackwardRule.GuidedBackprop));
            Assert.Equal(new double[] { 6, 2 }, interpreter.Backward(x, new double[] { 3, 1 }, BackwardRule.DeconvNet));
        }

        [Fact]
        public void Batch_norm_is_folded_and_its_backward_scales()
        {
            // γ = 2, β = 1, mean = 3, var = 4 − eps: y = (x − 3) · 1 + 1 on channel 0; channel 1 is the identity.
            double eps = 1e-5;
            var interpreter = new Interpreter<double>(Net.Input(2, 1, 2).BatchNorm(), new[]
            {
                new[] { 2.0, 1.0 }, new[] { 1.0, 0.0 }, new[] { 3.0, 0.0 }, new[] { 4.0 - eps, 1.0 - eps },
            });
            double[] y = interpreter.Forward(new double[] { 5, 7, 1, -1 });
            Assert.Equal(new[] { 3.0, 5.0, 1.0, -1.0 }, y.Select(v => Math.Round(v, 12)));
            double[] r = interpreter.Backward(new double[] { 5, 7, 1, -1 }, new double[] { 1, 2, 3, 4 }, BackwardRule.Saliency);
            Assert.Equal(new[] { 1.0, 2.0, 3.0, 4.0 }, r.Select(v => Math.Round(v, 12)));
        }

        [Fact]
        public void Max_pool_routes_the_signal_through_its_switches_under_every_rule()
        {
            // 1×3×3 with a 2×2 window: the last row and column are dropped; the maximum is 9 at index 4.
            var interpreter = new Interpreter<double>(Net.Input(1, 3, 3).MaxPool(2), Array.Empty<double[]>());
            double[] x = { 1, 2, 100, 3, 9, 100, 100, 100, 100 };
            Assert.Equal(new double[] { 9 }, interpreter.Forward(x));
            foreach (BackwardRule rule in Enum.GetValues<BackwardRule>())
            {
                Assert.Equal(new double[] { 0, 0, 0, 0, -5, 0, 0, 0, 0 }, interpreter.Backward(x, new double[] { -5 }, rule));
            }
        }

        internal static T[] Values<T>(params double[] values) where T : unmanaged, IFloatingPointIeee754<T> =>
            values.Select(T.CreateChecked).ToArray();
    }
}
