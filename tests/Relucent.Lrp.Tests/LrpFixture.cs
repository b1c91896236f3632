using System.Numerics;
using Relucent.Testing;

namespace Relucent.Lrp.Tests;

/// <summary>
/// Reads the LRP fixtures (Fixtures/lrp, written by <c>tests/References/run.sh lrp</c> from Zennit 1.0.0's rules) and names
/// their runs: <c>relevance.{composite}.target{t}</c> (or <c>.seed</c>) is the relevance at the input.
/// </summary>
public sealed class LrpFixture : CaptumFixtures
{
    private LrpFixture()
    {
    }

    /// <summary>The composites by Zennit's registry names, as the fixtures' tensor names spell them.</summary>
    public static readonly IReadOnlyDictionary<string, BackwardRule> Composites = new Dictionary<string, BackwardRule>
    {
        ["epsilon_plus"] = BackwardRule.EpsilonPlus,
        ["epsilon_plus_flat"] = BackwardRule.EpsilonPlusFlat,
        ["epsilon_alpha2_beta1"] = BackwardRule.EpsilonAlpha2Beta1,
        ["epsilon_alpha2_beta1_flat"] = BackwardRule.EpsilonAlpha2Beta1Flat,
        ["epsilon_gamma_box"] = BackwardRule.EpsilonGammaBox,
    };

    public static string File(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", "lrp", name);

    public static SafeTensorsFile StateDict(string network) => SafeTensors.Read(File(network + ".safetensors"));

    public static SafeTensorsFile Runs(string network) => SafeTensors.Read(File(network + ".cases.safetensors"));

    /// <summary>One run: its name, its composite, its seed at the output and the relevance Zennit gives at the input.</summary>
    public sealed record Run(string Name, BackwardRule Composite, double[] Seed, double[] Expected);

    /// <summary>The runs of <paramref name="network"/>'s fixture under the five composites (per-layer rules and Zennit's defect left out).</summary>
    public static IReadOnlyList<Run> RunsOf(string network, int outputs, IReadOnlyDictionary<string, BackwardRule>? composites = null) =>
        RunsOf(Runs(network), outputs, composites);

    /// <summary>The runs in <paramref name="cases"/> under <paramref name="composites"/> (by Zennit's name; the five composites by default).</summary>
    public static IReadOnlyList<Run> RunsOf(SafeTensorsFile cases, int outputs, IReadOnlyDictionary<string, BackwardRule>? composites = null)
    {
        composites ??= Composites;
        var runs = new List<Run>();
        foreach ((string name, Tensor tensor) in cases.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            string[] parts = name.Split('.');
            if (parts.Length != 3 || parts[0] != "relevance" || !composites.TryGetValue(parts[1], out BackwardRule rule)) continue;
            double[] seed = parts[2] == "seed" ? cases["seed"].ToDouble() : OneHot(outputs, int.Parse(parts[2]["target".Length..], System.Globalization.CultureInfo.InvariantCulture));
            runs.Add(new Run(name, rule, seed, tensor.ToDouble()));
        }
        Assert.NotEmpty(runs);
        return runs;
    }

    public static double[] OneHot(int size, int target)
    {
        var seed = new double[size];
        seed[target] = 1;
        return seed;
    }

    /// <summary>The map <paramref name="explainer"/> gives under <paramref name="rule"/> from <paramref name="seed"/>, in double.</summary>
    public static double[] Explain<T>(IExplainer<T> explainer, BackwardRule rule, double[] input, double[] seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var result = new T[explainer.InputSize];
        explainer.Explain(rule, input.Select(T.CreateChecked).ToArray(), seed.Select(T.CreateChecked).ToArray(), result, explainer.CreateWorkspace());
        return result.Select(double.CreateChecked).ToArray();
    }
}
