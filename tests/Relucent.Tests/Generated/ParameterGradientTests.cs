namespace Relucent.Tests.Generated;

/// <summary>
/// The generated parameter gradients (training) are the true gradients: each trainable parameter value is nudged
/// in its own storage, and the central difference of Σ seed·output is compared with AccumulateGradients, in double
/// precision, on networks covering every layer type.
/// </summary>
public class ParameterGradientTests
{
    private const double Step = 1e-6;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Every_layer_types_parameter_gradients_match_finite_differences(int seed) =>
        Check(EveryLayer64.FromTensors(RandomParameters.For(EveryLayer64.Architecture, seed)), seed);

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public void Dense_networks_parameter_gradients_match_finite_differences(int seed) =>
        Check(SmoothDense64.FromTensors(RandomParameters.For(SmoothDense64.Architecture, seed)), seed);

    [Fact]
    public void Gradients_accumulate_over_calls()
    {
        var net = CaptumMlp64.Load(Fixture.Path("mlp.weights.safetensors"));
        double[] x = RandomParameters.Input(CaptumMlp64.InputSize, 5);
        double[] seed = { 1, -2, 0.5, 0 };
        double[][] once = net.CreateGradients(), twice = net.CreateGradients();
        net.AccumulateGradients(x, seed, once, new CaptumMlp64.Workspace());
        net.AccumulateGradients(x, seed, twice, new CaptumMlp64.Workspace());
        net.AccumulateGradients(x, seed, twice, new CaptumMlp64.Workspace());
        for (int p = 0; p < once.Length; p++) Assert.Equal(once[p].Select(v => 2 * v), twice[p]);
    }

    [Fact]
    public void Running_statistics_are_not_trained()
    {
        ITrainable<double> net = EveryLayer64.FromTensors(RandomParameters.For(EveryLayer64.Architecture, 1));
        string[] frozen = EveryLayer64.ParameterShapes.Where((p, i) => !net.Trainable[i]).Select(p => p.Name).ToArray();
        Assert.Equal(new[] { "bn.running_mean", "bn.running_var" }, frozen);
    }

    private static void Check<TNet>(TNet net, int seed) where TNet : ITrainable<double>
    {
        var random = new Random(seed);
        double[] x = RandomParameters.Input(net.InputSize, seed);
        double[] outputSeed = Enumerable.Range(0, net.OutputSize).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        double[][] gradients = net.CreateGradients();
        IWorkspace workspace = net.CreateWorkspace();
        net.AccumulateGradients(x, outputSeed, gradients, workspace);

        int checkedValues = 0;
        for (int p = 0; p < net.ParameterStorage.Count; p++)
        {
            if (!net.Trainable[p]) continue;
            double[] values = net.ParameterStorage[p];
            var numeric = new double[values.Length];
            for (int j = 0; j < values.Length; j++)
            {
                double original = values[j];
                values[j] = original + Step;
                net.ParametersChanged();
                double plus = Objective(net, x, outputSeed, workspace);
                values[j] = original - Step;
                net.ParametersChanged();
                double minus = Objective(net, x, outputSeed, workspace);
                values[j] = original;
                net.ParametersChanged();
                numeric[j] = (plus - minus) / (2 * Step);
                checkedValues++;
            }
            Fixture.Close(numeric, gradients[p], 1e-5, $"{net.Architecture.Parameters[p].Name} (seed {seed})");
        }
        Assert.True(gradients.Any(g => g.Any(v => v != 0)), "every gradient was zero: the check would pass too easily");
        Assert.True(checkedValues > 50);
    }

    private static double Objective(ITrainable<double> net, double[] x, double[] seed, IWorkspace workspace)
    {
        var output = new double[net.OutputSize];
        net.Forward(x, output, workspace);
        return output.Zip(seed, (o, s) => o * s).Sum();
    }
}
