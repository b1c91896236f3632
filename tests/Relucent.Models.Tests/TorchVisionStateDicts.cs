using System.Text.Json;

namespace Relucent.Models.Tests;

/// <summary>
/// torchvision-state-dicts.json (tests/References, from TorchVision 0.107's own constructors with 1000 classes): each
/// full-size model's state_dict entries as <c>[name, shape, dtype]</c> in PyTorch's order.
/// </summary>
public static class TorchVisionStateDicts
{
    /// <summary>One state_dict entry.</summary>
    public sealed record Entry(string Name, int[] Shape, DType DType)
    {
        public bool IsBatchCounter => Name.EndsWith(".num_batches_tracked", StringComparison.Ordinal);
    }

    private static readonly Lazy<IReadOnlyDictionary<string, Entry[]>> Models = new(() =>
    {
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(TorchVisionFixtures.Path("torchvision-state-dicts.json")));
        return json.RootElement.GetProperty("models").EnumerateObject().ToDictionary(
            model => model.Name,
            model => model.Value.EnumerateArray().Select(e => new Entry(
                e[0].GetString()!,
                e[1].EnumerateArray().Select(d => d.GetInt32()).ToArray(),
                e[2].GetString() switch { "F32" => DType.F32, "I64" => DType.I64, var other => throw new InvalidDataException($"dtype {other}") })).ToArray());
    });

    /// <summary>The models the file holds, by torchvision's name.</summary>
    public static IEnumerable<string> Names => Models.Value.Keys;

    /// <summary>The entries of <paramref name="model"/>'s state_dict, in order.</summary>
    public static IReadOnlyList<Entry> Of(string model) => Models.Value[model];

    /// <summary>
    /// A state_dict of <paramref name="model"/> with random values, as <c>safetensors.torch.save_file(model.state_dict())</c>
    /// writes it: every entry, <c>num_batches_tracked</c> as an I64 scalar. Weights are He-uniform (so activations stay
    /// of order one through 152 layers), BatchNorm statistics non-trivial, biases small.
    /// </summary>
    public static Dictionary<string, Tensor> Random(string model, int seed)
    {
        var random = new Random(seed);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (Entry e in Of(model))
        {
            if (e.DType == DType.I64)
            {
                tensors[e.Name] = Tensor.FromInt64([random.Next(0, 100_000)], e.Shape);
                continue;
            }
            long size = e.Shape.Aggregate(1L, (a, d) => a * d);
            var values = new float[size];
            (double low, double high) = e.Shape.Length > 1
                ? (-Math.Sqrt(6.0 * e.Shape[0] / size), Math.Sqrt(6.0 * e.Shape[0] / size)) // ±√(6 / fan_in)
                : e.Name.EndsWith(".running_var", StringComparison.Ordinal) ? (0.5, 1.5)
                : e.Name.EndsWith(".running_mean", StringComparison.Ordinal) ? (-0.2, 0.2)
                : IsBatchNormWeight(model, e.Name) ? (0.5, 1.5)
                : (-0.1, 0.1);
            for (long i = 0; i < size; i++) values[i] = (float)(low + (high - low) * random.NextDouble());
            tensors[e.Name] = Tensor.FromSingle(values, e.Shape);
        }
        return tensors;
    }

    // A BatchNorm's γ: a rank-1 weight beside a running_var.
    private static bool IsBatchNormWeight(string model, string name) =>
        name.EndsWith(".weight", StringComparison.Ordinal)
        && Of(model).Any(e => e.Name == name[..^".weight".Length] + ".running_var");
}
