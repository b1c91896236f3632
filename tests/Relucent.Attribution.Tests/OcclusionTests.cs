namespace Relucent.Attribution.Tests;

/// <summary>
/// Occlusion against its definition written out plainly (Captum's: windows from index 0 by the stride until one reaches
/// the edge, cut there; each value the mean output drop of the windows covering it), through single forward calls.
/// </summary>
public class OcclusionTests
{
    [Fact]
    public void On_a_linear_model_a_one_value_window_is_the_weight_times_the_input_minus_the_baseline()
    {
        (Linear64 net, double[] w) = Models.Linear64();
        double[] x = { 0.5, -1, 2, 0.25, -0.75, 1.5 };
        using var occlusion = new Occlusion<double>(net, window: new[] { 1 }) { BaselineValue = 0.5 };
        double[] map = occlusion.Attribute(x, 2);
        for (int i = 0; i < 6; i++) Assert.Equal(w[12 + i] * (x[i] - 0.5), map[i], 14);
        Assert.Equal(6, occlusion.Perturbations);
    }

    public static TheoryData<int[], int[]?> Windows() => new()
    {
        { new[] { 3, 4, 4 }, new[] { 1, 2, 3 } },
        { new[] { 1, 5, 3 }, null },
        { new[] { 2, 12, 10 }, new[] { 1, 1, 1 } },
        { new[] { 3, 7, 4 }, new[] { 3, 7, 4 } },
    };

    [Theory]
    [MemberData(nameof(Windows))]
    public void Occlusion_is_the_plainly_written_definition_whatever_the_workers_and_batch_size(int[] window, int[]? strides)
    {
        CamNet64 net = LayerModels.Cam64();
        double[] x = LayerModels.Input(6);
        double[] baseline = LayerModels.Input(9).Select(v => 0.1 * v).ToArray();
        const int target = 3;
        double[] expected = Definition(net, x, baseline, target, window, strides ?? new[] { 1, 1, 1 });
        using var one = new Occlusion<double>(net, window, strides, workers: 1) { Baseline = baseline, PerturbationsPerBatch = 1 };
        using var two = new Occlusion<double>(net, window, strides, workers: 2) { Baseline = baseline, PerturbationsPerBatch = 7 };
        double[] map = one.Attribute(x, target);
        Fixture.Close<double>(expected, map, 1e-12, $"occlusion with window [{string.Join(", ", window)}]");
        Assert.Contains(map, v => v != 0);
        Assert.Equal(map, two.Attribute(x, target));
    }

    [Fact]
    public void Bad_windows_and_strides_are_refused_by_name()
    {
        CamNet64 net = LayerModels.Cam64();
        var e = Assert.Throws<ArgumentException>(() => new Occlusion<double>(net, new[] { 5, 5 }));
        Assert.Contains("The window has 2 sizes; the input [3, 12, 10] needs one per dimension (3)", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Occlusion<double>(net, new[] { 3, 13, 5 }));
        Assert.Contains("window[1] is 13; it must be 1 to 12", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Occlusion<double>(net, new[] { 3, 4, 4 }, new[] { 1, 5, 1 }));
        Assert.Contains("strides[1] is 5; it must be 1 to 4", e.Message);
        using var occlusion = new Occlusion<double>(net, new[] { 3, 4, 4 }, new[] { 1, 4, 4 }, workers: 1);
        Assert.Throws<ArgumentException>(() => occlusion.Baseline = new double[3]);
        Assert.Throws<ArgumentOutOfRangeException>(() => occlusion.BaselineValue = double.NaN);
        double[] x = LayerModels.Input();
        x[7] = double.NaN;
        e = Assert.Throws<ArgumentException>(() => occlusion.Attribute(x, 0));
        Assert.Contains("input holds NaN at index 7", e.Message);
    }

    [Fact]
    public void Occlusion_allocates_nothing_per_call_after_the_first()
    {
        CamNet net = LayerModels.Cam32();
        float[] x = LayerModels.Input().Select(v => (float)v).ToArray();
        using var occlusion = new Occlusion<float>(net, new[] { 3, 4, 4 }, new[] { 3, 2, 2 }, workers: 1);
        var result = new float[x.Length];
        occlusion.Attribute(x, 1, result);
        int call = 0;
        Assert.Equal(0, Allocations.LeastPerWindow(() => occlusion.Attribute(x, Target.Class(call++ % 5), result), calls: 3));
    }

    private static double[] Definition(CamNet64 net, double[] x, double[] baseline, int target, int[] window, int[] strides)
    {
        int[] dims = { 3, 12, 10 };
        double original = net.Forward(x)[target];
        var sum = new double[x.Length];
        var count = new int[x.Length];
        foreach (int c0 in Starts(dims[0], window[0], strides[0]))
        {
            foreach (int h0 in Starts(dims[1], window[1], strides[1]))
            {
                foreach (int w0 in Starts(dims[2], window[2], strides[2]))
                {
                    var inside = new List<int>();
                    for (int c = c0; c < Math.Min(c0 + window[0], dims[0]); c++)
                    {
                        for (int h = h0; h < Math.Min(h0 + window[1], dims[1]); h++)
                        {
                            for (int w = w0; w < Math.Min(w0 + window[2], dims[2]); w++) inside.Add((c * dims[1] + h) * dims[2] + w);
                        }
                    }

                    double[] occluded = (double[])x.Clone();
                    foreach (int i in inside) occluded[i] = baseline[i];
                    double drop = original - net.Forward(occluded)[target];
                    foreach (int i in inside)
                    {
                        sum[i] += drop;
                        count[i]++;
                    }
                }
            }
        }

        return sum.Select((s, i) => s / count[i]).ToArray();
    }

    // Window starts from 0 by the stride, the last being the first window that reaches the edge.
    private static IEnumerable<int> Starts(int size, int window, int stride)
    {
        for (int start = 0; ; start += stride)
        {
            yield return start;
            if (start + window >= size) yield break;
        }
    }
}
