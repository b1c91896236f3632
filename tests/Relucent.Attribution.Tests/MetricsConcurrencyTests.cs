using Relucent.Metrics;

namespace Relucent.Attribution.Tests;

/// <summary>
/// The metrics keep no buffers between calls (each call makes its own workspace, or its own networks), so threads may
/// share one network while computing them: the curves are the same bits as one thread's.
/// </summary>
public class MetricsConcurrencyTests
{
    [Fact]
    public void Curves_computed_by_threads_sharing_one_network_equal_the_sequential_ones()
    {
        CaptumLeNet net = CaptumLeNet.Load(Fixture.Path("lenet.weights.safetensors"));
        float[] x = Fixture.Row<float>(Fixture.Cases("lenet")["inputs"], 0);
        float[][] maps = Enumerable.Range(0, 4).Select(target => net.Saliency(x, target)).ToArray();
        var options = new PerturbationOptions { PixelsPerStep = 8 };
        double[][] Curves(int target) =>
        [
            [.. Faithfulness.Deletion<float>(net, x, target, maps[target], options).Scores],
            [.. Faithfulness.Insertion<float>(net, x, target, maps[target], options).Scores],
        ];

        double[][][] sequential = Enumerable.Range(0, 4).Select(Curves).ToArray();
        var concurrent = new double[4][][];
        var errors = new Exception?[4]; // an exception escaping a thread would end the test process
        using var start = new Barrier(4);
        Thread[] threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            try
            {
                for (int round = 0; round < 5; round++) concurrent[t] = Curves(t);
            }
            catch (Exception e)
            {
                errors[t] = e;
            }
        })).ToArray();
        foreach (Thread thread in threads) thread.Start();
        foreach (Thread thread in threads) thread.Join();

        Assert.All(errors, Assert.Null);
        for (int t = 0; t < 4; t++)
        {
            Assert.True(sequential[t][0].Length > 2);
            Assert.Equal(sequential[t][0], concurrent[t][0]);
            Assert.Equal(sequential[t][1], concurrent[t][1]);
        }
    }
}
