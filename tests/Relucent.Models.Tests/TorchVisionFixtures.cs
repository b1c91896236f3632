using System.Text.RegularExpressions;

namespace Relucent.Models.Tests;

/// <summary>
/// The libtorch references in Fixtures/torchvision (written by tests/References, see the README there): each narrow
/// model's state_dict as <c>safetensors.torch.save_file</c> writes it, and its cases (input, logits, maps, layer
/// activations and gradients), all float64.
/// </summary>
public static partial class TorchVisionFixtures
{
    public static string Path(string file) => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", "torchvision", file);

    /// <summary>The state_dict, <c>num_batches_tracked</c> (I64) included.</summary>
    public static SafeTensorsFile StateDict(string model) => SafeTensors.Read(Path(model + ".safetensors"));

    public static SafeTensorsFile Cases(string model) => SafeTensors.Read(Path(model + ".cases.safetensors"));

    /// <summary>Every map of a case file: its rule, its target and its tensor name (<c>saliency.0.target9</c>).</summary>
    public static IEnumerable<(BackwardRule Rule, int Target, string Name)> Maps(SafeTensorsFile cases) =>
        cases.Keys.Select(k => (Key: k, Match: MapName().Match(k))).Where(m => m.Match.Success).OrderBy(m => m.Key, StringComparer.Ordinal)
            .Select(m => (Rule(m.Match.Groups[1].Value), int.Parse(m.Match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), m.Key));

    /// <summary>Every layer gradient of a case file: its target and torchvision's module name (<c>gradient.0.target9.layer2.0</c>).</summary>
    public static IEnumerable<(int Target, string Layer)> LayerGradients(SafeTensorsFile cases) =>
        cases.Keys.Select(k => GradientName().Match(k)).Where(m => m.Success).OrderBy(m => m.Value, StringComparer.Ordinal)
            .Select(m => (int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), m.Groups[2].Value));

    /// <summary>A one-hot seed: the logit of class <paramref name="target"/>.</summary>
    public static T[] OneHot<T>(int size, int target) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var seed = new T[size];
        seed[target] = T.One;
        return seed;
    }

    private static BackwardRule Rule(string name) => name switch
    {
        "saliency" => BackwardRule.Saliency,
        "deconvnet" => BackwardRule.DeconvNet,
        "guidedbackprop" => BackwardRule.GuidedBackprop,
        _ => throw new ArgumentException(name),
    };

    [GeneratedRegex(@"^(saliency|deconvnet|guidedbackprop)\.0\.target(\d+)$")]
    private static partial Regex MapName();

    [GeneratedRegex(@"^gradient\.0\.target(\d+)\.(.+)$")]
    private static partial Regex GradientName();
}
