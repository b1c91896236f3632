namespace Relucent.Attribution.Tests;

/// <summary>Small models with parameters chosen in the tests, built through the generated <c>FromTensors</c>.</summary>
public static class Models
{
    /// <summary>Deterministic pseudo-random values in [−scale, scale].</summary>
    public static double[] Values(int count, int seed, double scale = 1)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => scale * (2 * random.NextDouble() - 1)).ToArray();
    }

    public static Dictionary<string, Tensor> DenseParameters(double[] weight, double[] bias, int outputs, int inputs) => new()
    {
        ["0.weight"] = Tensor.FromDouble(weight, outputs, inputs),
        ["0.bias"] = Tensor.FromDouble(bias, outputs),
    };

    /// <summary>The linear model y = W·x + b with W [3, 6] and b [3] from <paramref name="seed"/>.</summary>
    public static (Linear64 Net, double[] Weight) Linear64(int seed = 1)
    {
        double[] w = Values(18, seed), b = Values(3, seed + 100);
        return (Tests.Linear64.FromTensors(DenseParameters(w, b, 3, 6)), w);
    }

    /// <summary>The same linear model in float32.</summary>
    public static (Linear Net, double[] Weight) Linear32(int seed = 1)
    {
        double[] w = Values(18, seed), b = Values(3, seed + 100);
        return (Linear.FromTensors(DenseParameters(w, b, 3, 6)), w);
    }

    /// <summary>f(x) = Σ x over a 2×2×3 image (all weights 1, no bias).</summary>
    public static LinearImage64 SumImage() => LinearImage64.FromTensors(new Dictionary<string, Tensor>
    {
        ["1.weight"] = Tensor.FromDouble(Enumerable.Repeat(1.0, 12).ToArray(), 1, 12),
        ["1.bias"] = Tensor.FromDouble(new[] { 0.0 }, 1),
    });

    /// <summary>f(x) = Σ x over 6 features (output 0; the other two outputs are 0).</summary>
    public static Linear64 SumOfInputs()
    {
        var w = new double[18];
        for (int i = 0; i < 6; i++) w[i] = 1;
        return Tests.Linear64.FromTensors(DenseParameters(w, new double[3], 3, 6));
    }

    /// <summary>A smooth tanh network with random parameters.</summary>
    public static Smooth64 Smooth(int seed = 7) => Smooth64.FromTensors(new Dictionary<string, Tensor>
    {
        ["0.weight"] = Tensor.FromDouble(Values(128, seed, 0.8), 16, 8),
        ["0.bias"] = Tensor.FromDouble(Values(16, seed + 1, 0.3), 16),
        ["2.weight"] = Tensor.FromDouble(Values(64, seed + 2, 0.8), 4, 16),
        ["2.bias"] = Tensor.FromDouble(Values(4, seed + 3, 0.3), 4),
    });
}
