using Relucent.Training;

namespace Relucent.Training.Tests;

/// <summary>The mini-batch trainer: deterministic for a seed, bit-identical for any number of workers, and it learns.</summary>
public class TrainerTests
{
    private static (float[] X, int[] Y) RandomImages(int count, int seed)
    {
        var random = new Random(seed);
        var x = new float[count * TinyCnn.InputSize];
        for (int i = 0; i < x.Length; i++) x[i] = (float)random.NextDouble();
        int[] y = Enumerable.Range(0, count).Select(_ => random.Next(3)).ToArray();
        return (x, y);
    }

    private static (TinyCnn Net, EpochResult Result) OneEpoch(int workers, int seed, int shards = 8)
    {
        TinyCnn net = TinyCnn.FromTensors(Init.PyTorchDefault(TinyCnn.ParameterShapes, seed));
        (float[] x, int[] y) = RandomImages(100, 11);
        var trainer = new Trainer<float>(net, new Adam<float>(net, 0.01), new TrainerOptions { BatchSize = 24, Workers = workers, Seed = seed, Shards = shards });
        EpochResult result = trainer.TrainEpoch(x, y);
        return (net, result);
    }

    private static void SameParameters(ITrainable<float> a, ITrainable<float> b)
    {
        for (int p = 0; p < a.ParameterStorage.Count; p++)
        {
            // Bit for bit: compare the raw bits, not values within a tolerance.
            Assert.Equal(a.ParameterStorage[p].Select(BitConverter.SingleToInt32Bits), b.ParameterStorage[p].Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_parameters_after_an_epoch()
    {
        (TinyCnn a, EpochResult ra) = OneEpoch(workers: 1, seed: 3);
        (TinyCnn b, EpochResult rb) = OneEpoch(workers: 1, seed: 3);
        SameParameters(a, b);
        Assert.Equal(ra.Loss, rb.Loss);
        (TinyCnn c, _) = OneEpoch(workers: 1, seed: 4);
        Assert.NotEqual(a.ParameterStorage[0], ((ITrainable<float>)c).ParameterStorage[0]);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(8)]
    public void Any_number_of_workers_gives_bit_identical_parameters(int workers)
    {
        (TinyCnn one, EpochResult r1) = OneEpoch(workers: 1, seed: 5);
        (TinyCnn many, EpochResult rn) = OneEpoch(workers, seed: 5);
        SameParameters(one, many);
        Assert.Equal(r1.Loss, rn.Loss);
        Assert.Equal(r1.Accuracy, rn.Accuracy);
    }

    [Fact]
    public void The_update_is_the_batch_mean_gradient()
    {
        // One batch holding every example, SGD with lr 1: the step equals the mean of the per-example loss gradients.
        TinyCnn net = TinyCnn.FromTensors(Init.PyTorchDefault(TinyCnn.ParameterShapes, 2));
        TinyCnn reference = TinyCnn.FromTensors(net.ToTensors());
        (float[] x, int[] y) = RandomImages(10, 12);
        var trainer = new Trainer<float>(net, new Sgd<float>(net, 1.0), new TrainerOptions { BatchSize = 10, Workers = 2, Shuffle = false });
        EpochResult result = trainer.TrainEpoch(x, y);

        float[][] sum = reference.CreateGradients();
        var logits = new float[3];
        var seed = new float[3];
        var workspace = new TinyCnn.Workspace();
        double loss = 0;
        for (int n = 0; n < 10; n++)
        {
            ReadOnlySpan<float> xn = x.AsSpan(n * TinyCnn.InputSize, TinyCnn.InputSize);
            reference.Forward(xn, logits, workspace);
            loss += CrossEntropy.LossAndGradient<float>(logits, y[n], seed, 0.1);
            reference.AccumulateGradients(xn, seed, sum, workspace);
        }

        Assert.Equal(loss / 10, result.Loss, 1e-12);
        ITrainable<float> before = reference, after = net;
        for (int p = 0; p < sum.Length; p++)
        {
            for (int i = 0; i < sum[p].Length; i++) Assert.Equal(before.ParameterStorage[p][i] - sum[p][i], after.ParameterStorage[p][i], 1e-5f);
        }
    }

    [Fact]
    public void A_small_network_learns_a_separable_problem()
    {
        static (float[] X, int[] Y) Blobs(int count, int seed)
        {
            var random = new Random(seed);
            var x = new float[count * 2];
            var y = new int[count];
            for (int n = 0; n < count; n++)
            {
                // Two classes either side of the line x₀ + 2x₁ = 0.5, with a margin of 0.2.
                double a, b;
                do
                {
                    a = random.NextDouble() * 4 - 2;
                    b = random.NextDouble() * 4 - 2;
                }
                while (Math.Abs(a + 2 * b - 0.5) < 0.2 * Math.Sqrt(5));
                x[2 * n] = (float)a;
                x[2 * n + 1] = (float)b;
                y[n] = a + 2 * b > 0.5 ? 1 : 0;
            }

            return (x, y);
        }

        (float[] trainX, int[] trainY) = Blobs(400, 1);
        (float[] testX, int[] testY) = Blobs(200, 2);
        ToyNet net = ToyNet.FromTensors(Init.PyTorchDefault(ToyNet.ParameterShapes, 0));
        double before = Trainer.Evaluate(net, testX, testY).Accuracy;
        var trainer = new Trainer<float>(net, new Adam<float>(net, 0.01), new TrainerOptions { BatchSize = 20, Workers = 2 });
        IReadOnlyList<EpochResult> epochs = trainer.Train(trainX, trainY, epochs: 30);
        Evaluation after = Trainer.Evaluate(net, testX, testY);
        Assert.True(after.Accuracy >= 0.97, $"test accuracy {after.Accuracy:P1} (from {before:P1}), last training loss {epochs[^1].Loss:F4}");
        Assert.True(epochs[^1].Loss < epochs[0].Loss / 3, $"loss {epochs[0].Loss:F4} → {epochs[^1].Loss:F4}");
        Assert.Equal(30, trainer.Epochs);

        // Plain SGD with momentum learns it too.
        ToyNet sgdNet = ToyNet.FromTensors(Init.PyTorchDefault(ToyNet.ParameterShapes, 0));
        new Trainer<float>(sgdNet, new Sgd<float>(sgdNet, 0.05) { Momentum = 0.9 }, new TrainerOptions { BatchSize = 20 }).Train(trainX, trainY, 30);
        Assert.True(Trainer.Evaluate(sgdNet, testX, testY).Accuracy >= 0.97);
    }

    [Fact]
    public void Progress_is_reported_after_every_batch()
    {
        TinyCnn net = TinyCnn.FromTensors(Init.PyTorchDefault(TinyCnn.ParameterShapes, 1));
        (float[] x, int[] y) = RandomImages(50, 3);
        var seen = new List<BatchProgress>();
        var trainer = new Trainer<float>(net, new Adam<float>(net), new TrainerOptions { BatchSize = 16 });
        EpochResult result = trainer.TrainEpoch(x, y, seen.Add);
        Assert.Equal(new[] { 1, 2, 3, 4 }, seen.Select(p => p.Batch));
        Assert.All(seen, p => Assert.Equal(4, p.Batches));
        Assert.Equal(result.Loss, seen[^1].Loss, 1e-12);
        Assert.Equal(50, result.Examples);
    }

    [Fact]
    public void Evaluation_does_not_depend_on_the_workers()
    {
        TinyCnn net = TinyCnn.FromTensors(Init.PyTorchDefault(TinyCnn.ParameterShapes, 1));
        (float[] x, int[] y) = RandomImages(37, 4);
        Evaluation one = Trainer.Evaluate(net, x, y, workers: 1), three = Trainer.Evaluate(net, x, y, workers: 3);
        Assert.Equal(one.Loss, three.Loss);
        Assert.Equal(one.Predictions, three.Predictions);
    }

    [Fact]
    public void Bad_examples_and_settings_are_refused()
    {
        TinyCnn net = TinyCnn.FromTensors(Init.PyTorchDefault(TinyCnn.ParameterShapes, 1));
        TinyCnn other = TinyCnn.FromTensors(Init.PyTorchDefault(TinyCnn.ParameterShapes, 2));
        var trainer = new Trainer<float>(net, new Adam<float>(net));
        Assert.Throws<ArgumentException>(() => trainer.TrainEpoch(new float[TinyCnn.InputSize * 2], new[] { 0 }));
        Assert.Throws<ArgumentException>(() => trainer.TrainEpoch(new float[TinyCnn.InputSize], new[] { 3 }));
        Assert.Throws<ArgumentException>(() => trainer.TrainEpoch(new float[TinyCnn.InputSize + 1], new[] { 0 }));
        Assert.Throws<ArgumentException>(() => new Trainer<float>(net, new Adam<float>(other)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer<float>(net, new Adam<float>(net), new TrainerOptions { BatchSize = 0 }));
    }
}
