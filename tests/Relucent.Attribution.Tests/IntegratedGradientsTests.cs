namespace Relucent.Attribution.Tests;

public class IntegratedGradientsTests
{
    public static readonly TheoryData<Quadrature> Quadratures = new()
    {
        Quadrature.GaussLegendre, Quadrature.Trapezoid, Quadrature.RiemannLeft, Quadrature.RiemannRight, Quadrature.RiemannMiddle,
    };

    [Theory]
    [MemberData(nameof(Quadratures))]
    public void On_a_linear_model_it_is_input_minus_baseline_times_the_weights(Quadrature quadrature)
    {
        (Linear64 net, double[] w) = Models.Linear64();
        double[] x = Models.Values(6, 42, 3);
        double[] baseline = Models.Values(6, 43, 1);
        foreach (int target in new[] { 0, 2 })
        {
            foreach (int steps in new[] { 2, 7, 50 })
            {
                var ig = new IntegratedGradients<double>(net) { Quadrature = quadrature, Steps = steps, Baseline = baseline };
                double[] map = ig.Attribute(x, target);
                for (int i = 0; i < 6; i++)
                {
                    double expected = (x[i] - baseline[i]) * w[target * 6 + i];
                    Assert.True(Math.Abs(map[i] - expected) <= 1e-14 * Math.Max(1, Math.Abs(expected)),
                        $"{quadrature}, {steps} steps, target {target}, feature {i}: {map[i]:R} vs (x − b)·w = {expected:R}");
                }
            }
        }
    }

    [Fact]
    public void On_a_linear_model_in_float32_it_is_exact_within_float_rounding()
    {
        (Linear net, double[] w) = Models.Linear32();
        float[] x = Models.Values(6, 42, 3).Select(v => (float)v).ToArray();
        float[] map = net.IntegratedGradients(x, 1); // zero baseline by default
        for (int i = 0; i < 6; i++)
        {
            double expected = x[i] * (double)(float)w[6 + i];
            Assert.True(Math.Abs(map[i] - expected) <= 4e-7 * Math.Max(1, Math.Abs(expected)), $"feature {i}: {map[i]:R} vs {expected:R}");
        }
    }

    [Fact]
    public void Captums_trapezoid_on_a_linear_model_is_short_by_one_step()
    {
        // Documented quirk: Captum's weights sum to 1 − 1/n.
        (Linear64 net, double[] w) = Models.Linear64();
        double[] x = Models.Values(6, 42, 3);
        double[] map = new IntegratedGradients<double>(net) { Quadrature = Quadrature.CaptumTrapezoid, Steps = 10 }.Attribute(x, 0);
        for (int i = 0; i < 6; i++) Assert.Equal(x[i] * w[i] * 0.9, map[i], 1e-14);
    }

    [Theory]
    [MemberData(nameof(Quadratures))]
    public void The_completeness_gap_shrinks_as_steps_grow(Quadrature quadrature)
    {
        Smooth64 net = Models.Smooth();
        double[] x = Models.Values(8, 5, 2);
        var ig = new IntegratedGradients<double>(net) { Quadrature = quadrature };
        var map = new double[8];
        double previous = double.PositiveInfinity;
        var gaps = new List<double>();
        foreach (int steps in new[] { 2, 4, 16, 64, 256 })
        {
            ig.Steps = steps;
            Completeness c = ig.AttributeWithCompleteness(x, 2, map);
            Assert.Equal(map.Sum(), c.AttributionSum, 1e-12);
            double gap = Math.Abs(c.Gap);
            gaps.Add(gap);
            Assert.True(gap < previous || gap < 1e-13, $"{quadrature}: the gap grew from {previous:E3} to {gap:E3} at {steps} steps; gaps {string.Join(", ", gaps.Select(g => g.ToString("E2")))}");
            previous = gap;
        }

        Assert.True(previous < 1e-2 * Math.Abs(ig.AttributeWithCompleteness(x, 2, map).OutputDifference), $"{quadrature}: gap {previous:E3} at 256 steps");
    }

    [Fact]
    public void Gauss_legendre_points_and_weights_are_numpys_leggauss_on_0_1()
    {
        // numpy.polynomial.legendre.leggauss(3): nodes ±√(3/5), 0; weights 5/9, 8/9, 5/9; halved and moved to [0, 1].
        (double[] alphas, double[] weights) = QuadratureRule.Compute(Quadrature.GaussLegendre, 3);
        double r = Math.Sqrt(0.6);
        Assert.Equal(new[] { (1 - r) / 2, 0.5, (1 + r) / 2 }, alphas, (a, b) => Math.Abs(a - b) < 1e-15);
        Assert.Equal(new[] { 5.0 / 18, 8.0 / 18, 5.0 / 18 }, weights, (a, b) => Math.Abs(a - b) < 1e-15);

        // 50 points integrate polynomials up to degree 99 exactly: ∫₀¹ α^k dα = 1/(k+1).
        (alphas, weights) = QuadratureRule.Compute(Quadrature.GaussLegendre, 50);
        Assert.Equal(1.0, weights.Sum(), 1e-14);
        foreach (int k in new[] { 1, 10, 57, 99 })
        {
            double integral = alphas.Zip(weights, (a, w) => w * Math.Pow(a, k)).Sum();
            Assert.True(Math.Abs(integral - 1.0 / (k + 1)) < 1e-14, $"∫α^{k}: {integral:R}");
        }
    }

    [Fact]
    public void Any_rule_of_the_network_may_be_integrated_and_an_absent_one_is_refused()
    {
        Mlp64 net = Mlp64.Load(Fixture.Path("mlp.weights.safetensors"));
        double[] x = Fixture.Row<float>(Fixture.Cases("mlp")["inputs"], 0).Select(v => (double)v).ToArray();
        double[] saliency = new IntegratedGradients<double>(net).Attribute(x, 1);
        double[] guided = new IntegratedGradients<double>(net, BackwardRule.GuidedBackprop).Attribute(x, 1);
        double[] deconv = net.IntegratedGradients(x, 1, rule: BackwardRule.DeconvNet);
        Assert.NotEqual(saliency, guided);
        Assert.NotEqual(saliency, deconv);
        Assert.Throws<ArgumentException>(() => new IntegratedGradients<double>(Models.Smooth(), BackwardRule.GuidedBackprop));
    }

    [Fact]
    public void A_seed_target_is_the_weighted_sum_of_class_targets()
    {
        Mlp64 net = Mlp64.Load(Fixture.Path("mlp.weights.safetensors"));
        double[] x = Fixture.Row<float>(Fixture.Cases("mlp")["inputs"], 2).Select(v => (double)v).ToArray();
        var ig = new IntegratedGradients<double>(net);
        double[] a = ig.Attribute(x, 0), b = ig.Attribute(x, 3);
        double[] seeded = ig.Attribute(x, Target.Seed(0.5, 0, 0, -2));
        for (int i = 0; i < 8; i++) Assert.Equal(0.5 * a[i] - 2 * b[i], seeded[i], 1e-12);
        Assert.Throws<ArgumentException>(() => ig.Attribute(x, Target.Seed(1, 2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ig.Attribute(x, 4));
        Assert.Throws<ArgumentException>(() => ig.Attribute(x, default(Target)));
    }
}
