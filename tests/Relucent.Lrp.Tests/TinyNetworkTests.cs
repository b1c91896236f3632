using System.Numerics;

namespace Relucent.Lrp.Tests;

/// <summary>
/// The fixtures' tiny networks, one rule or layer kind each, under every composite their fixture runs: the generated
/// methods agree with Zennit 1.0.0's numbers (float64 to 1e-7 of the largest magnitude, float32 to 5e-3), and the
/// interpreter agrees with the generated code bit for bit (they call the same kernels on the same values).
/// </summary>
public sealed class TinyNetworkTests
{
    // Each fixture with its float64 and float32 classes (the latter where declared) and the interpreter's box for EpsilonGammaBox.
    // Composites: the fixture's runs this class gives (by Zennit's name), when not the five composites.
    private sealed record Case(string Fixture, Func<IReadOnlyDictionary<string, Tensor>, IExplainer<double>> Double,
        Func<IReadOnlyDictionary<string, Tensor>, IExplainer<float>>? Single, (double Low, double High)? Box = null,
        IReadOnlyDictionary<string, BackwardRule>? Composites = null)
    {
        public string Key => Composites == null ? Fixture : Fixture + "+rule";
    }

    // The gamma fixture's per-layer run: Conv2D(..., rule: LrpRule.Gamma(0.25)) under EpsilonPlus.
    private static readonly Dictionary<string, BackwardRule> PerLayerGamma = new() { ["epsilon_plus_gamma"] = BackwardRule.EpsilonPlus };

    private static readonly Case[] Cases =
    {
        new("handexample", t => HandExample.FromTensors(t), null),
        new("epsilon", t => EpsilonNet.FromTensors(t), t => EpsilonNetSingle.FromTensors(t)),
        new("epsilon_zero", t => EpsilonZeroNet.FromTensors(t), null),
        new("zplus", t => ZPlusNet.FromTensors(t), t => ZPlusNetSingle.FromTensors(t)),
        new("alphabeta", t => AlphaBetaNet.FromTensors(t), t => AlphaBetaNetSingle.FromTensors(t)),
        new("flat", t => FlatNet.FromTensors(t), null),
        new("flat_dense", t => FlatDenseNet.FromTensors(t), null),
        new("zbox", t => ZBoxNet.FromTensors(t), null, (-2, 3)),
        new("gamma", t => GammaNet.FromTensors(t), t => GammaNetSingle.FromTensors(t), (-2, 3)),
        new("gamma", t => GammaRuleNet.FromTensors(t), t => GammaRuleNetSingle.FromTensors(t), null, PerLayerGamma),
        new("avgpool", t => AvgPoolNet.FromTensors(t), null),
        new("adaptive_avgpool", t => AdaptiveAvgPoolNet.FromTensors(t), null),
        new("residual", t => ResidualNet.FromTensors(t), t => ResidualNetSingle.FromTensors(t)),
    };

    public static TheoryData<string> Fixtures() => new(Cases.Select(c => c.Key));

    public static TheoryData<string> SingleFixtures() => new(Cases.Where(c => c.Single != null).Select(c => c.Key));

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Float64_agrees_with_Zennit_to_1e7_of_the_largest_relevance(string key)
    {
        Case c = Cases.Single(x => x.Key == key);
        AgreesWithZennit(c.Double(LrpFixture.StateDict(c.Fixture)), c, 1e-7);
    }

    [Theory]
    [MemberData(nameof(SingleFixtures))]
    public void Float32_agrees_with_Zennit_to_5e3_of_the_largest_relevance(string key)
    {
        Case c = Cases.Single(x => x.Key == key);
        AgreesWithZennit(c.Single!(LrpFixture.StateDict(c.Fixture)), c, 5e-3);
    }

    private static void AgreesWithZennit<T>(IExplainer<T> net, Case c, double tolerance) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double[] input = LrpFixture.Runs(c.Fixture)["input"].ToDouble();
        foreach (LrpFixture.Run run in LrpFixture.RunsOf(c.Fixture, net.OutputSize, c.Composites))
        {
            LrpFixture.Close(run.Expected, LrpFixture.Explain(net, run.Composite, input, run.Seed), tolerance, $"{c.Key} {run.Name} ({typeof(T).Name})");
        }
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void The_interpreter_agrees_with_the_generated_code_bit_for_bit(string key)
    {
        Case c = Cases.Single(x => x.Key == key);
        SafeTensorsFile weights = LrpFixture.StateDict(c.Fixture);
        IExplainer<double> net = c.Double(weights);
        Interpreter<double> interpreter = Interpreter<double>.FromTensors(net.Architecture, weights);
        if (c.Box is (double low, double high)) interpreter = interpreter.WithLrpBox(low, high);
        double[] input = LrpFixture.Runs(c.Fixture)["input"].ToDouble();
        foreach (LrpFixture.Run run in LrpFixture.RunsOf(c.Fixture, net.OutputSize, c.Composites))
        {
            Assert.Equal(LrpFixture.Explain(net, run.Composite, input, run.Seed), interpreter.Backward(input, run.Seed, run.Composite));
        }
        if (c.Single == null) return;
        IExplainer<float> single = c.Single(weights);
        Interpreter<float> singleInterpreter = Interpreter<float>.FromTensors(single.Architecture, weights);
        if (c.Box is (double l, double h)) singleInterpreter = singleInterpreter.WithLrpBox(l, h);
        float[] x = input.Select(v => (float)v).ToArray();
        foreach (LrpFixture.Run run in LrpFixture.RunsOf(c.Fixture, single.OutputSize, c.Composites))
        {
            float[] seed = run.Seed.Select(v => (float)v).ToArray();
            var generated = new float[single.InputSize];
            single.Explain(run.Composite, x, seed, generated, single.CreateWorkspace());
            Assert.Equal(generated, singleInterpreter.Backward(x, seed, run.Composite));
        }
    }
}
