namespace Relucent.Lrp.Tests;

/// <summary>
/// The conservation report (<see cref="Interpreter{T}.Conservation"/>) against the fixtures' <c>sums</c>: for each
/// rule-bearing step in forward order, the relevance summed over its output and over its input, as Zennit's pass gives them.
/// </summary>
public sealed class ConservationTests
{
    [Theory]
    [InlineData("handexample", BackwardRule.EpsilonPlus, "epsilon_plus.target0")]
    [InlineData("epsilon_zero", BackwardRule.EpsilonPlus, "epsilon_plus.target0")]
    [InlineData("zplus", BackwardRule.EpsilonPlus, "epsilon_plus.target1")]
    [InlineData("alphabeta", BackwardRule.EpsilonAlpha2Beta1Flat, "epsilon_alpha2_beta1_flat.target2")]
    [InlineData("avgpool", BackwardRule.EpsilonPlus, "epsilon_plus.target0")]
    [InlineData("adaptive_avgpool", BackwardRule.EpsilonPlus, "epsilon_plus.target1")]
    [InlineData("residual", BackwardRule.EpsilonPlus, "epsilon_plus.target2")]
    [InlineData("gamma", BackwardRule.EpsilonGammaBox, "epsilon_gamma_box.target0")]
    public void Each_steps_sums_agree_with_Zennits(string fixture, BackwardRule composite, string run)
    {
        SafeTensorsFile cases = LrpFixture.Runs(fixture), weights = LrpFixture.StateDict(fixture);
        Network network = Architectures[fixture];
        Interpreter<double> interpreter = Interpreter<double>.FromTensors(network, weights).WithLrpBox(-2, 3);
        int target = int.Parse(run[(run.LastIndexOf("target", StringComparison.Ordinal) + "target".Length)..], System.Globalization.CultureInfo.InvariantCulture);
        LrpReport report = interpreter.Conservation(cases["input"].ToDouble(), LrpFixture.OneHot(interpreter.OutputSize, target), composite);

        double[] expected = cases["sums." + run].ToDouble();
        Assert.Equal(expected.Length / 2, report.Steps.Count);
        LrpFixture.Close(expected, report.Steps.SelectMany(s => new[] { s.Output, s.Input }).ToArray(), 1e-7, $"{fixture} sums.{run}");
        Assert.Equal(1, report.Output);
        Assert.Equal(cases["relevance." + run].ToDouble().Sum(), report.Input, 1e-9);
        // What the steps absorbed is all that was lost between output and input (ReLU, max pooling and flattening conserve).
        Assert.Equal(report.Output - report.Input, report.AbsorbedByAffineLayers + report.AbsorbedByNormSteps, 1e-9);
        Assert.Contains("absorbed", report.ToString(), StringComparison.Ordinal);
    }

    private static readonly Dictionary<string, Network> Architectures = new()
    {
        ["handexample"] = HandExample.Architecture,
        ["epsilon_zero"] = EpsilonZeroNet.Architecture,
        ["zplus"] = ZPlusNet.Architecture,
        ["alphabeta"] = AlphaBetaNet.Architecture,
        ["avgpool"] = AvgPoolNet.Architecture,
        ["adaptive_avgpool"] = AdaptiveAvgPoolNet.Architecture,
        ["residual"] = ResidualNet.Architecture,
        ["gamma"] = GammaNet.Architecture,
    };

    [Fact]
    public void A_gradient_rule_has_no_conservation_report()
    {
        Interpreter<double> interpreter = Interpreter<double>.FromTensors(HandExample.Architecture, LrpFixture.StateDict("handexample"));
        var error = Assert.Throws<ArgumentException>(() => interpreter.Conservation(new double[] { 1, 2 }, new double[] { 1 }, BackwardRule.Saliency));
        Assert.Contains("not an LRP composite", error.Message, StringComparison.Ordinal);
    }
}
