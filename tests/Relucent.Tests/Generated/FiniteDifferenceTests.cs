using Relucent.Model;

namespace Relucent.Tests.Generated;

/// <summary>
/// The generated Saliency method is the true gradient: compared with central finite differences of the generated
/// Forward, in double precision, on networks covering every layer type (random parameters and inputs, several seeds).
/// </summary>
public class FiniteDifferenceTests
{
    private const double Step = 1e-6;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Saliency_of_a_dense_network_with_every_activation_is_the_gradient(int seed)
    {
        var net = SmoothDense64.FromTensors(RandomParameters.For(SmoothDense64.Architecture, seed));
        bool anyNonZero = false;
        for (int sample = 0; sample < 4; sample++)
        {
            // Several inputs: at one input every ReLU of the narrow layer may be dead, and its maps all zero.
            double[] x = RandomParameters.Input(SmoothDense64.InputSize, 100 * seed + sample);
            for (int target = 0; target < SmoothDense64.OutputSize; target++)
            {
                anyNonZero |= AssertGradient(x, net.Saliency(x, target), v => net.Forward(v)[target], $"seed {seed}, input {sample}, target {target}");
            }
        }
        Assert.True(anyNonZero, "every map was zero: the check would pass too easily");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Saliency_of_a_network_with_every_layer_type_is_the_gradient(int seed)
    {
        // Conv2D with stride 2 and padding, BatchNorm, a residual block, MaxPool with overlapping windows,
        // AvgPool whose window does not divide its input, Dropout, Sigmoid and Softmax.
        var net = EveryLayer64.FromTensors(RandomParameters.For(EveryLayer64.Architecture, seed));
        double[] x = RandomParameters.Input(EveryLayer64.InputSize, seed);
        bool anyNonZero = false;
        for (int target = 0; target < EveryLayer64.OutputSize; target++)
        {
            anyNonZero |= AssertGradient(x, net.Saliency(x, target), v => net.Forward(v)[target], $"seed {seed}, target {target}");
        }
        Assert.True(anyNonZero, "every map was zero: the check would pass too easily");
    }

    [Fact]
    public void The_captum_lenet_saliency_is_the_gradient()
    {
        var net = CaptumLeNet64.Load(Fixture.Path("lenet.weights.safetensors"));
        double[] x = RandomParameters.Input(CaptumLeNet64.InputSize, 7);
        Assert.True(AssertGradient(x, net.Saliency(x, 2), v => net.Forward(v)[2], "lenet"));
    }

    [Fact]
    public void Every_layer_type_agrees_with_the_interpreter_in_double_precision_for_every_rule()
    {
        Dictionary<string, Tensor> parameters = RandomParameters.For(EveryLayer64.Architecture, 11);
        var net = EveryLayer64.FromTensors(parameters);
        var interpreter = Interpreter<double>.FromTensors(EveryLayer64.Architecture, parameters);
        double[] x = RandomParameters.Input(EveryLayer64.InputSize, 11);
        // Within the rounding of the BatchNorm the maps merge into the convolution before it (see MergedRounding).
        MergedRounding.Agree(EveryLayer64.Architecture, interpreter.Backward(x, 1, BackwardRule.Saliency), net.Saliency(x, 1), "Saliency");
        MergedRounding.Agree(EveryLayer64.Architecture, interpreter.Backward(x, 1, BackwardRule.DeconvNet), net.DeconvNet(x, 1), "DeconvNet");
        MergedRounding.Agree(EveryLayer64.Architecture, interpreter.Backward(x, 1, BackwardRule.GuidedBackprop), net.GuidedBackprop(x, 1), "GuidedBackprop");
    }

    /// <summary>Asserts the map equals the numeric gradient; returns whether it is non-zero somewhere.</summary>
    private static bool AssertGradient(double[] x, double[] gradient, Func<double[], double> f, string what)
    {
        var numeric = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            double[] plus = (double[])x.Clone(), minus = (double[])x.Clone();
            plus[i] += Step;
            minus[i] -= Step;
            numeric[i] = (f(plus) - f(minus)) / (2 * Step);
        }
        Fixture.Close(numeric, gradient, 1e-5, what);
        return gradient.Any(g => g != 0);
    }
}
