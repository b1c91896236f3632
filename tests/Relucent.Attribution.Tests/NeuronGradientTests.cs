namespace Relucent.Attribution.Tests;

/// <summary>The input map of one hidden unit: the gradient against central differences, the rules against the interpreter.</summary>
public class NeuronGradientTests
{
    [Theory]
    [InlineData("stem")]
    [InlineData("block")]
    [InlineData("layer2")]
    [InlineData("fc")]
    public void The_gradient_of_a_unit_is_its_activations_central_difference(string layer)
    {
        CamNet64 net = LayerModels.Cam64();
        double[] x = LayerModels.Input(3);
        var neuron = new NeuronGradient<double>(net, layer);
        var activation = new LayerActivation<double>(net, layer);
        double[] a = activation.Attribute(x);
        int unit = Array.IndexOf(a, a.Max()); // a unit that is on, so its gradient is not zero
        double[] map = neuron.Attribute(x, unit);
        Assert.Contains(map, v => v != 0);
        var expected = new double[x.Length];
        const double epsilon = 1e-6;
        for (int i = 0; i < x.Length; i++)
        {
            double[] plus = (double[])x.Clone(), minus = (double[])x.Clone();
            plus[i] += epsilon;
            minus[i] -= epsilon;
            expected[i] = (activation.Attribute(plus)[unit] - activation.Attribute(minus)[unit]) / (2 * epsilon);
        }

        Fixture.Close<double>(expected, map, 1e-6, $"neuron gradient of {layer}[{unit}]");
    }

    [Theory]
    [InlineData(BackwardRule.DeconvNet)]
    [InlineData(BackwardRule.GuidedBackprop)]
    public void Every_rule_starts_at_the_unit_as_the_interpreter_does(BackwardRule rule)
    {
        CamNet64 net = LayerModels.Cam64();
        Interpreter<double> interpreter = LayerModels.CamInterpreter();
        double[] x = LayerModels.Input(5);
        var neuron = new NeuronGradient<double>(net, "layer1", rule);
        Target unit = neuron.Unit(2, 5, 7);
        Assert.Equal((2 * 12 + 5) * 10 + 7, unit.ClassIndex);
        var seed = new double[480];
        seed[unit.ClassIndex] = 1;
        double[] expected = interpreter.ExplainFrom(rule, "layer1", x, seed);
        Assert.Equal(expected, neuron.Attribute(x, unit));
        Assert.Contains(expected, v => v != 0);

        // A seed at the layer is any signal there.
        double[] signal = Enumerable.Range(0, 480).Select(i => Math.Cos(i)).ToArray();
        Assert.Equal(interpreter.ExplainFrom(rule, "layer1", x, signal), neuron.Attribute(x, Target.Seed(signal)));
    }

    [Fact]
    public void Layers_inside_blocks_and_units_outside_the_layer_are_refused_by_name()
    {
        CamNet64 net = LayerModels.Cam64();
        var e = Assert.Throws<ArgumentException>(() => new NeuronGradient<double>(net, "block.act"));
        Assert.Contains("NeuronGradient<double>: layer 'block.act' (layer 2.1) lies inside a block", e.Message);
        var neuron = new NeuronGradient<double>(net, "layer2");
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => neuron.Attribute(LayerModels.Input(), 180, new double[360]));
        Assert.Contains("target is unit 180, but layer 'layer2' has 180 units (shape [6, 6, 5], 0 to 179)", range.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => neuron.Unit(6, 0, 0));
        e = Assert.Throws<ArgumentException>(() => neuron.Attribute(LayerModels.Input(), Target.Seed(1.0, 2.0), new double[360]));
        Assert.Contains("seed has 2 values but layer 'layer2' has 180 units", e.Message);
    }
}
