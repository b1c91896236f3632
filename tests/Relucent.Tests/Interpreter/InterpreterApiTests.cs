using Relucent.Model;
using Xunit;

namespace Relucent.Tests.Interpreter
{
    public class InterpreterApiTests
    {
        private static readonly Network Mlp = Net.Input(3).Dense(4).ReLU().Dense(2);

        private static Interpreter<double> Create() =>
            new(Mlp, RandomNetworks.Parameters(Mlp, new Random(1)));

        [Fact]
        public void Exposes_the_network_and_its_sizes()
        {
            Interpreter<double> interpreter = Create();
            Assert.Same(Mlp, interpreter.Network);
            Assert.Equal(3, interpreter.InputSize);
            Assert.Equal(2, interpreter.OutputSize);
            Assert.Equal(2, interpreter.Forward(new double[3]).Length);
            Assert.Equal(3, interpreter.Backward(new double[] { 1, 2, 3 }, 1, BackwardRule.GuidedBackprop).Length);
        }

        [Fact]
        public void A_parameter_of_the_wrong_size_is_named()
        {
            double[][] parameters = RandomNetworks.Parameters(Mlp, new Random(1));
            parameters[2] = new double[7];
            var error = Assert.Throws<ArgumentException>(() => new Interpreter<double>(Mlp, parameters));
            Assert.Contains("'2.weight'", error.Message);
            Assert.Contains("8", error.Message);
            Assert.Contains("7", error.Message);
        }

        [Fact]
        public void A_missing_parameter_array_is_reported()
        {
            double[][] parameters = RandomNetworks.Parameters(Mlp, new Random(1)).Take(3).ToArray();
            var error = Assert.Throws<ArgumentException>(() => new Interpreter<double>(Mlp, parameters));
            Assert.Contains("4", error.Message);
            Assert.Contains("3", error.Message);
        }

        [Fact]
        public void Wrong_input_and_seed_lengths_name_the_tensor_and_both_lengths()
        {
            Interpreter<double> interpreter = Create();
            var error = Assert.Throws<ArgumentException>(() => interpreter.Forward(new double[5]));
            Assert.Equal("input", error.ParamName);
            Assert.Contains("5", error.Message);
            Assert.Contains("3", error.Message);
            error = Assert.Throws<ArgumentException>(() => interpreter.Backward(new double[4], 0, BackwardRule.Saliency));
            Assert.Equal("input", error.ParamName);
            error = Assert.Throws<ArgumentException>(() => interpreter.Backward(new double[3], new double[3], BackwardRule.Saliency));
            Assert.Equal("seed", error.ParamName);
            Assert.Contains("2", error.Message);
        }

        [Theory]
        [InlineData(-1)]
        [InlineData(2)]
        public void An_out_of_range_target_names_the_number_of_classes(int target)
        {
            Interpreter<double> interpreter = Create();
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => interpreter.Backward(new double[3], target, BackwardRule.Saliency));
            Assert.Equal("target", error.ParamName);
            Assert.Contains("2 classes", error.Message);
        }

        [Fact]
        public void An_unknown_rule_is_rejected()
        {
            Interpreter<double> interpreter = Create();
            Assert.Throws<ArgumentOutOfRangeException>(() => interpreter.Backward(new double[3], 0, (BackwardRule)99));
        }

        [Fact]
        public void Parameters_are_copied_at_construction_and_inputs_are_not_modified()
        {
            double[][] parameters = RandomNetworks.Parameters(Mlp, new Random(1));
            var interpreter = new Interpreter<double>(Mlp, parameters);
            double[] x = { 0.5, -0.25, 1 };
            double[] before = interpreter.Forward(x);
            foreach (double[] p in parameters) Array.Clear(p);
            Assert.Equal(before, interpreter.Forward(x));
            interpreter.Backward(x, 0, BackwardRule.DeconvNet);
            Assert.Equal(new[] { 0.5, -0.25, 1 }, x);
        }

        [Fact]
        public void Layer_weights_are_read_as_pytorch_stores_them()
        {
            // Linear.weight [out, in] C-order: row o holds the weights into output o.
            Network network = Net.Input(2).Dense(3);
            var interpreter = new Interpreter<double>(network, new[] { new double[] { 1, 2, 3, 4, 5, 6 }, new double[] { 10, 20, 30 } });
            Assert.Equal(new double[] { 10 + 1 - 2, 20 + 3 - 4, 30 + 5 - 6 }, interpreter.Forward(new double[] { 1, -1 }));
            Assert.Equal(new double[] { 2 * 3, 2 * 4 }, interpreter.Backward(new double[] { 1, -1 }, new double[] { 0, 2, 0 }, BackwardRule.Saliency));

            // Conv2d.weight [out, in, k, k]: filter 1 of a 1×1 convolution over 2 channels.
            Network conv = Net.Input(2, 1, 1).Conv2D(2, kernel: 1, bias: false);
            var convInterpreter = new Interpreter<double>(conv, new[] { new double[] { 1, 2, 3, 4 } });
            Assert.Equal(new double[] { 1 * 5 + 2 * 7, 3 * 5 + 4 * 7 }, convInterpreter.Forward(new double[] { 5, 7 }));
        }

        [Fact]
        public void From_tensors_binds_by_name_whatever_the_dictionary_order()
        {
            Network network = Net.Input(1, 4, 4).Conv2D(2, kernel: 3).BatchNorm().ReLU().Flatten().Dense(3);
            double[][] parameters = RandomNetworks.Parameters(network, new Random(3));
            var tensors = new Dictionary<string, Tensor>();
            for (int i = parameters.Length - 1; i >= 0; i--)
            {
                tensors.Add(network.Parameters[i].Name, Tensor.FromDouble(parameters[i], network.Parameters[i].Dimensions.ToArray()));
            }
            var direct = new Interpreter<double>(network, parameters);
            Interpreter<double> bound = Interpreter<double>.FromTensors(network, tensors);
            double[] x = Enumerable.Range(0, 16).Select(i => Math.Sin(i)).ToArray();
            Assert.Equal(direct.Forward(x), bound.Forward(x));
            Assert.Equal(direct.Backward(x, 1, BackwardRule.GuidedBackprop), bound.Backward(x, 1, BackwardRule.GuidedBackprop));
        }

        [Fact]
        public void Parameters_inside_named_residual_blocks_are_bound_by_position()
        {
            Network network = Net.Input(2).Residual(b => b.Dense(2, name: "inner"), name: "block").Dense(1, name: "head");
            Assert.Equal(new[] { "block.inner.weight", "block.inner.bias", "head.weight", "head.bias" }, network.Parameters.Select(p => p.Name));
            var interpreter = new Interpreter<double>(network, new[]
            {
                new double[] { 1, 0, 0, 2 }, new double[] { 0, 1 }, new double[] { 1, 1 }, new double[] { 0 },
            });
            // branch [x0, 2·x1 + 1] + x = [2·x0, 3·x1 + 1]; head sums.
            Assert.Equal(new double[] { 2 * 3 + 3 * 4 + 1 }, interpreter.Forward(new double[] { 3, 4 }));
            Assert.Equal(new double[] { 2, 3 }, interpreter.Backward(new double[] { 3, 4 }, 0, BackwardRule.Saliency));
        }
    }
}
