using Relucent.Training;

namespace Relucent.Training.Tests;

/// <summary>SGD and Adam against steps computed by hand, trainable parameters only, ParametersChanged called.</summary>
public class OptimizerTests
{
    // Every parameter of Mlp64 set to 'value': each element then follows the same scalar recurrence.
    private static Mlp64 Filled(double value) =>
        Mlp64.FromTensors(Mlp64.ParameterShapes.ToDictionary(p => p.Name, p => Tensor.FromDouble(Enumerable.Repeat(value, (int)p.ElementCount).ToArray(), p.Dimensions)));

    private static double[][] Gradients(ITrainable<double> net, double value)
    {
        double[][] g = net.CreateGradients();
        foreach (double[] a in g) Array.Fill(a, value);
        return g;
    }

    private static void AllEqual(ITrainable<double> net, double expected, double tolerance)
    {
        foreach (double[] values in net.ParameterStorage) Assert.All(values, v => Assert.Equal(expected, v, tolerance));
    }

    [Fact]
    public void Sgd_with_momentum_and_weight_decay_matches_hand_computed_steps()
    {
        Mlp64 net = Filled(1.0);
        var sgd = new Sgd<double>(net, learningRate: 0.1) { Momentum = 0.9, WeightDecay = 0.01 };
        // Step 1: g = 0.5 + 0.01·1 = 0.51; b = g = 0.51; p = 1 − 0.1·0.51 = 0.949.
        sgd.Step(Gradients(net, 0.5));
        AllEqual(net, 0.949, 1e-15);
        // Step 2: g = 0.5 + 0.01·0.949 = 0.50949; b = 0.9·0.51 + 0.50949 = 0.96849; p = 0.949 − 0.096849 = 0.852151.
        sgd.Step(Gradients(net, 0.5));
        AllEqual(net, 0.852151, 1e-15);
        Assert.Equal(2, sgd.Steps);
    }

    [Fact]
    public void Plain_sgd_is_p_minus_lr_times_g()
    {
        Mlp64 net = Filled(0.25);
        var sgd = new Sgd<double>(net, learningRate: 0.5);
        sgd.Step(Gradients(net, 0.1));
        AllEqual(net, 0.2, 1e-16);
        sgd.Step(Gradients(net, -0.3));
        AllEqual(net, 0.35, 1e-15);
    }

    [Fact]
    public void Nesterov_momentum_adds_mu_times_the_buffer()
    {
        Mlp64 net = Filled(1.0);
        var sgd = new Sgd<double>(net, learningRate: 0.1) { Momentum = 0.5, Nesterov = true };
        sgd.Step(Gradients(net, 1.0));            // b = 1, g = 1 + 0.5·1 = 1.5, p = 0.85
        AllEqual(net, 0.85, 1e-15);
        sgd.Step(Gradients(net, 1.0));            // b = 0.5 + 1 = 1.5, g = 1 + 0.75 = 1.75, p = 0.675
        AllEqual(net, 0.675, 1e-15);
    }

    [Fact]
    public void Adam_matches_hand_computed_steps_with_pytorch_defaults()
    {
        Mlp64 net = Filled(1.0);
        var adam = new Adam<double>(net, learningRate: 0.1);
        Assert.Equal((0.9, 0.999, 1e-8, 0.0), (adam.Beta1, adam.Beta2, adam.Epsilon, adam.WeightDecay));
        Assert.Equal(1e-3, new Adam<double>(net).LearningRate);

        // Step 1, g = 0.5: m = 0.05, v = 0.00025, m̂ = 0.5, v̂ = 0.25: p = 1 − 0.1·0.5/(0.5 + 1e-8).
        adam.Step(Gradients(net, 0.5));
        double p1 = 1 - 0.1 * 0.5 / (0.5 + 1e-8);
        AllEqual(net, p1, 1e-15);
        Assert.Equal(0.900000002, p1, 1e-15);

        // Step 2, g = −0.25: the textbook form m̂ / (√v̂ + eps) with bias corrections 1 − β^2.
        adam.Step(Gradients(net, -0.25));
        double m = 0.9 * 0.05 + 0.1 * -0.25, v = 0.999 * 0.00025 + 0.001 * 0.0625;
        double mHat = m / (1 - 0.9 * 0.9), vHat = v / (1 - 0.999 * 0.999);
        AllEqual(net, p1 - 0.1 * mHat / (Math.Sqrt(vHat) + 1e-8), 1e-14);
    }

    [Fact]
    public void Adam_weight_decay_is_added_to_the_gradient()
    {
        Mlp64 net = Filled(2.0);
        var adam = new Adam<double>(net, learningRate: 0.01) { WeightDecay = 0.1 };
        // g = −0.2 + 0.1·2 = 0: m = v = 0, the step is 0.
        adam.Step(Gradients(net, -0.2));
        AllEqual(net, 2.0, 0);
    }

    [Fact]
    public void Running_statistics_are_not_updated_and_the_network_sees_the_change()
    {
        NormCnn64 net = NormCnn64.FromTensors(Init.PyTorchDefault(NormCnn64.ParameterShapes, 1, DType.F64));
        ITrainable<double> trainable = net;
        double[][] before = trainable.ParameterStorage.Select(a => (double[])a.Clone()).ToArray();
        var adam = new Adam<double>(net, learningRate: 0.05);
        adam.Step(Gradients(net, 0.3));

        string[] names = NormCnn64.ParameterShapes.Select(p => p.Name).ToArray();
        for (int p = 0; p < names.Length; p++)
        {
            if (names[p] is "bn.running_mean" or "bn.running_var") Assert.Equal(before[p], trainable.ParameterStorage[p]);
            else Assert.All(trainable.ParameterStorage[p].Zip(before[p]), pair => Assert.NotEqual(pair.Second, pair.First));
        }

        // BatchNorm's folded scale was recomputed (ParametersChanged): the network computes what its parameters say.
        double[] x = Enumerable.Range(0, NormCnn64.InputSize).Select(i => Math.Sin(i)).ToArray();
        Assert.Equal(NormCnn64.FromTensors(net.ToTensors()).Forward(x), net.Forward(x));
    }

    [Fact]
    public void Gradients_of_another_shape_are_refused()
    {
        Mlp64 net = Filled(1.0);
        var sgd = new Sgd<double>(net, 0.1);
        Assert.Throws<ArgumentException>(() => sgd.Step(new double[3][]));
        double[][] g = net.CreateGradients();
        g[1] = new double[g[1].Length + 1];
        Assert.Throws<ArgumentException>(() => sgd.Step(g));
        Assert.Throws<ArgumentOutOfRangeException>(() => sgd.LearningRate = -1);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam<double>(net) { Beta2 = 1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd<double>(net, 0.1) { Momentum = double.NaN });
        AllEqual(net, 1.0, 0);
    }
}
