using Relucent.Attribution;
using Relucent.Tests.Generated;
using static Relucent.Tests.Reliability.ReliabilityData;

namespace Relucent.Tests.Reliability
{
    /// <summary>
    /// No NaN is silent: a negative running variance is refused when loading, naming the tensor; a network whose finite
    /// weights overflow reports non-finite logits or maps instead of returning NaN or an all-zero map; the interpreter
    /// refuses a NaN input; integrated gradients refuses NaN weights and names a NaN baseline as the baseline's.
    /// </summary>
    public class SilentNaNTests
    {
        private static readonly Network BatchNormNet = Net.Input(3).Dense(3).BatchNorm().ReLU().Dense(2);

        private static Dictionary<string, Tensor> BatchNormTensors(float[] variance)
        {
            var random = new Random(4);
            Tensor Random(params int[] shape) => Tensor.FromSingle(Enumerable.Range(0, shape.Aggregate(1, (a, b) => a * b)).Select(_ => (float)random.NextDouble() - 0.5f).ToArray(), shape);
            return new Dictionary<string, Tensor>
            {
                ["0.weight"] = Random(3, 3), ["0.bias"] = Random(3),
                ["1.weight"] = Random(3), ["1.bias"] = Random(3), ["1.running_mean"] = Random(3), ["1.running_var"] = Tensor.FromSingle(variance, 3),
                ["3.weight"] = Random(2, 3), ["3.bias"] = Random(2),
            };
        }

        [Fact]
        public void A_negative_running_variance_is_refused_at_load_naming_the_tensor_and_position()
        {
            var e = Assert.Throws<ParameterBindingException>(() => Interpreter<float>.FromTensors(BatchNormNet, BatchNormTensors([0.5f, -0.25f, 1f])));
            ParameterBindingProblem problem = Assert.Single(e.Problems);
            Assert.Equal(ParameterBindingProblemKind.OutOfRange, problem.Kind);
            Assert.Equal("1.running_var", problem.Name);
            Assert.StartsWith("1.running_var: holds -0.25 at [1]; it must not be negative", problem.Message);

            // Zero (and −0) is a variance; the binder's constraint is on the parameter's shape.
            Interpreter<float>.FromTensors(BatchNormNet, BatchNormTensors([0f, -0f, 1f]));
            var shapes = new[] { new ParameterShape("v", 2) { NonNegative = true } };
            Assert.Throws<ParameterBindingException>(() => ParameterBinder.Bind<double>(new Dictionary<string, Tensor> { ["v"] = Tensor.FromDouble([1, -1e-300], 2) }, shapes));
            Assert.Single(ParameterBinder.Check(new Dictionary<string, Tensor> { ["v"] = Tensor.FromSingle([-1f, 2f], 2) }, shapes));

            // The interpreter's array constructor checks it too.
            float[][] arrays = BatchNormNet.Parameters.Select(p => BatchNormTensors([0.5f, -0.25f, 1f])[p.Name].ToSingle()).ToArray();
            Assert.Contains("'1.running_var' holds -0.25 at [1]", Assert.Throws<ArgumentException>(() => new Interpreter<float>(BatchNormNet, arrays)).Message);
        }

        [Fact]
        public void A_generated_network_refuses_a_negative_running_variance()
        {
            var tensors = EveryLayer64.ParameterShapes.ToDictionary(p => p.Name, p => Tensor.FromDouble(Enumerable.Repeat(0.5, (int)p.ElementCount).ToArray(), p.Dimensions));
            tensors["bn.running_var"] = Tensor.FromDouble([0.5, -0.5, 0.5], 3);
            var e = Assert.Throws<ParameterBindingException>(() => EveryLayer64.FromTensors(tensors));
            Assert.Equal(ParameterBindingProblemKind.OutOfRange, Assert.Single(e.Problems).Kind);
        }

        /// <summary>The MLP with its first layer's weights scaled so far (finite, up to about 1e28) that the logits overflow float32.</summary>
        private static Dictionary<string, Tensor> Diverged()
        {
            var tensors = new Dictionary<string, Tensor>(SafeTensors.Read(Fixture.Path("mlp.weights.safetensors")));
            tensors["0.weight"] = Tensor.FromSingle(tensors["0.weight"].ToSingle().Select(w => w * 6.8e28f).ToArray(), 16, 8);
            tensors["2.weight"] = Tensor.FromSingle(tensors["2.weight"].ToSingle().Select(w => w * 6.8e28f).ToArray(), 12, 16);
            return tensors;
        }

        [Fact]
        public void The_interpreter_reports_logits_and_maps_that_overflow_instead_of_returning_them()
        {
            var net = Interpreter<float>.FromTensors(CaptumMlp.Architecture, Diverged());
            float[] x = Inputs(1, CaptumMlp.InputSize, 8)[0];
            var e = Assert.Throws<NonFiniteResultException>(() => net.Forward(x));
            Assert.Equal("the logits", e.What);
            Assert.Contains("computed from finite inputs and weights", e.Message);
            Assert.Throws<NonFiniteResultException>(() => net.Backward(x, 1, BackwardRule.Saliency));
            Assert.Throws<NonFiniteResultException>(() => new RuleMap<float>(net).Attribute(x, Target.Class(1)));
        }

        [Fact]
        public void A_generated_network_reports_logits_that_overflow_instead_of_an_all_zero_map()
        {
            CaptumMlp net = CaptumMlp.FromTensors(Diverged());
            float[] x = Inputs(1, CaptumMlp.InputSize, 8)[0];
            Assert.Throws<NonFiniteResultException>(() => net.Forward(x));
            Assert.Throws<NonFiniteResultException>(() => net.Saliency(x, 1));
        }

        [Fact]
        public void The_interpreter_refuses_a_NaN_input_or_seed_by_name()
        {
            var net = Interpreter<float>.FromTensors(CaptumMlp.Architecture, SafeTensors.Read(Fixture.Path("mlp.weights.safetensors")));
            float[] x = Inputs(1, CaptumMlp.InputSize, 8)[0];
            x[5] = float.NaN;
            var e = Assert.Throws<ArgumentException>(() => net.Backward(x, 1, BackwardRule.GuidedBackprop));
            Assert.Equal("input", e.ParamName);
            Assert.Contains("input holds NaN at index 5", e.Message);
            Assert.DoesNotContain("CheckFinite", e.Message); // the interpreter has no such switch
            Assert.Equal("input", Assert.Throws<ArgumentException>(() => net.Forward(x)).ParamName);
            x[5] = 0;
            Assert.Equal("seed", Assert.Throws<ArgumentException>(() => net.Backward(x, [0, float.PositiveInfinity, 0, 0], BackwardRule.Saliency)).ParamName);
        }

        [Fact]
        public void Integrated_gradients_refuses_NaN_weights_and_names_a_NaN_baseline_as_the_baseline()
        {
            var ig = new IntegratedGradients<float>(Mlp());
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => ig.SetPoints([0.25, 0.75], [0.5, double.NaN]));
            Assert.Equal("weights", e.ParamName);
            Assert.Contains("weights[1] is NaN", e.Message);
            Assert.Throws<ArgumentOutOfRangeException>(() => ig.SetPoints([0.5], [double.PositiveInfinity]));

            float[] baseline = new float[CaptumMlp.InputSize];
            baseline[3] = float.NaN;
            var b = Assert.Throws<ArgumentException>(() => ig.Baseline = baseline);
            Assert.Equal("Baseline", b.ParamName);
            Assert.Contains("Baseline holds NaN at index 3", b.Message);
            Assert.Null(ig.Baseline); // refused, not half set
        }

        [Fact]
        public void Guard_FiniteResult_names_what_held_the_value_and_where()
        {
            Guard.FiniteResult<double>([1, -2, 0], "the map");
            var e = Assert.Throws<NonFiniteResultException>(() => Guard.FiniteResult<float>([1, float.NegativeInfinity], "the map"));
            Assert.Equal(1, e.Index);
            Assert.StartsWith("the map hold -infinity at index 1", e.Message);
        }
    }
}
