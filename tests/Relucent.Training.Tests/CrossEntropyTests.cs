using Relucent.Training;

namespace Relucent.Training.Tests;

/// <summary>Softmax cross-entropy: its value, its gradient at the logits, its stability, and the loss gradient through a network.</summary>
public class CrossEntropyTests
{
    [Fact]
    public void Loss_is_minus_log_softmax_of_the_label()
    {
        double[] z = { 0.5, -1.25, 2.0, 0.0 };
        double sum = z.Sum(Math.Exp);
        for (int label = 0; label < z.Length; label++)
        {
            Assert.Equal(-Math.Log(Math.Exp(z[label]) / sum), CrossEntropy.Loss<double>(z, label), 1e-14);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void Gradient_matches_finite_differences(int label)
    {
        double[] z = { 0.3, -0.7, 1.9, 0.05, -2.2 };
        var gradient = new double[z.Length];
        double loss = CrossEntropy.LossAndGradient<double>(z, label, gradient);
        Assert.Equal(CrossEntropy.Loss<double>(z, label), loss, 1e-15);
        const double h = 1e-6;
        for (int j = 0; j < z.Length; j++)
        {
            double[] plus = (double[])z.Clone(), minus = (double[])z.Clone();
            plus[j] += h;
            minus[j] -= h;
            double numeric = (CrossEntropy.Loss<double>(plus, label) - CrossEntropy.Loss<double>(minus, label)) / (2 * h);
            Assert.Equal(numeric, gradient[j], 1e-9);
        }

        Assert.Equal(0, gradient.Sum(), 1e-15);
    }

    [Fact]
    public void Gradient_is_softmax_minus_one_hot_times_the_scale()
    {
        float[] z = { 1f, 2f, 3f };
        var gradient = new float[3];
        CrossEntropy.LossAndGradient<float>(z, 1, gradient, scale: 0.25);
        double sum = Math.Exp(1) + Math.Exp(2) + Math.Exp(3);
        Assert.Equal(0.25 * Math.Exp(1) / sum, gradient[0], 1e-7);
        Assert.Equal(0.25 * (Math.Exp(2) / sum - 1), gradient[1], 1e-7);
        Assert.Equal(0.25 * Math.Exp(3) / sum, gradient[2], 1e-7);
    }

    [Fact]
    public void Large_logits_neither_overflow_nor_lose_the_loss()
    {
        float[] z = { 1000f, 0f, -1000f };
        var gradient = new float[3];
        Assert.Equal(1000, CrossEntropy.LossAndGradient<float>(z, 1, gradient), 1e-9);
        Assert.Equal(new[] { 1f, -1f, 0f }, gradient);
        Assert.Equal(0, CrossEntropy.Loss<float>(z, 0), 1e-12);
        Assert.Equal(2000, CrossEntropy.Loss<double>(new double[] { 1000, 0, -1000 }, 2), 1e-9);
    }

    [Fact]
    public void Refuses_bad_labels_and_non_finite_logits()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CrossEntropy.Loss<double>(new double[] { 1, 2 }, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => CrossEntropy.Loss<double>(new double[] { 1, 2 }, -1));
        Assert.Throws<ArgumentException>(() => CrossEntropy.Loss<double>(new double[] { 1, double.NaN }, 0));
        Assert.Throws<ArgumentException>(() => CrossEntropy.LossAndGradient<double>(new double[] { 1, 2 }, 0, new double[3]));
    }

    [Fact]
    public void ArgMax_takes_the_first_of_ties()
    {
        Assert.Equal(1, CrossEntropy.ArgMax<float>(new[] { 0f, 2f, 2f, -1f }));
        Assert.Equal(0, CrossEntropy.ArgMax<double>(new[] { 5.0 }));
    }

    /// <summary>
    /// The seed softmax − one-hot through AccumulateGradients is ∂loss/∂parameters: compared with central differences
    /// of the cross-entropy of the network's logits, in double precision, for every trainable value.
    /// </summary>
    [Fact]
    public void Network_loss_gradient_matches_finite_differences()
    {
        NormCnn64 net = NormCnn64.FromTensors(Init.PyTorchDefault(NormCnn64.ParameterShapes, seed: 3, DType.F64));
        ITrainable<double> trainable = net;
        var random = new Random(4);
        double[] x = Enumerable.Range(0, NormCnn64.InputSize).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        const int label = 1;
        var workspace = new NormCnn64.Workspace();
        var logits = new double[NormCnn64.OutputSize];
        var seed = new double[NormCnn64.OutputSize];
        net.Forward(x, logits, workspace);
        CrossEntropy.LossAndGradient<double>(logits, label, seed);
        double[][] gradients = net.CreateGradients();
        net.AccumulateGradients(x, seed, gradients, workspace);

        const double h = 1e-6;
        int compared = 0;
        for (int p = 0; p < trainable.ParameterStorage.Count; p++)
        {
            if (!trainable.Trainable[p]) continue;
            double[] values = trainable.ParameterStorage[p];
            for (int j = 0; j < values.Length; j++)
            {
                double original = values[j];
                values[j] = original + h;
                net.ParametersChanged();
                net.Forward(x, logits, workspace);
                double plus = CrossEntropy.Loss<double>(logits, label);
                values[j] = original - h;
                net.ParametersChanged();
                net.Forward(x, logits, workspace);
                double minus = CrossEntropy.Loss<double>(logits, label);
                values[j] = original;
                net.ParametersChanged();
                double numeric = (plus - minus) / (2 * h);
                Assert.True(Math.Abs(numeric - gradients[p][j]) <= 1e-7 * Math.Max(1, Math.Abs(numeric)),
                    $"{NormCnn64.ParameterShapes[p].Name}[{j}]: finite difference {numeric}, AccumulateGradients {gradients[p][j]}");
                compared++;
            }
        }

        Assert.True(compared > 100);
        Assert.Contains(gradients, g => g.Any(v => v != 0));
    }
}
