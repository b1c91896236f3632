using Relucent.Model;

namespace Relucent.Tests.Generated;

/// <summary>Seeded random parameters for any declared network, BatchNorm variances kept positive.</summary>
public static class RandomParameters
{
    public static Dictionary<string, Tensor> For(Network network, int seed)
    {
        var random = new Random(seed);
        var tensors = new Dictionary<string, Tensor>();
        foreach (ParameterInfo p in network.Parameters)
        {
            var values = new double[p.Size];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = p.Role == ParameterRole.RunningVar ? 0.5 + random.NextDouble() : random.NextDouble() * 2 - 1;
            }
            tensors[p.Name] = Tensor.FromDouble(values, p.Dimensions.ToArray());
        }
        return tensors;
    }

    public static double[] Input(int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => random.NextDouble() * 4 - 2).ToArray();
    }
}
