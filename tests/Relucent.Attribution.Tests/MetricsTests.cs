using Relucent.Metrics;

namespace Relucent.Attribution.Tests;

public class MetricsTests
{
    // f(x) = x₀ + … + x₅ (output 0 of the linear model).
    private static readonly double[] X = { 5, 1, 3, 2, 0, 0 };
    private static readonly double[] Map = { 0.5, 0.1, 0.3, 0.2, -1, -2 }; // order: 0, 2, 3, 1, 4, 5

    [Fact]
    public void Deletion_of_a_sum_model_is_known_by_hand()
    {
        FaithfulnessCurve curve = Faithfulness.Deletion(Models.SumOfInputs(), X, 0, Map);
        Assert.Equal(new[] { 0, 2, 3, 1, 4, 5 }, curve.Order);
        Assert.Equal(new double[] { 11, 6, 3, 1, 0, 0, 0 }, curve.Scores);
        Assert.Equal(new[] { 0, 1 / 6.0, 2 / 6.0, 3 / 6.0, 4 / 6.0, 5 / 6.0, 1 }, curve.Fractions);
        // Trapezoid over sixths: (11/2 + 6 + 3 + 1 + 0 + 0 + 0/2) / 6.
        Assert.Equal(15.5 / 6, curve.Area, 1e-14);
    }

    [Fact]
    public void Insertion_of_a_sum_model_is_known_by_hand()
    {
        FaithfulnessCurve curve = Faithfulness.Insertion(Models.SumOfInputs(), X, 0, Map);
        Assert.Equal(new double[] { 0, 5, 8, 10, 11, 11, 11 }, curve.Scores);
        Assert.Equal((0 / 2.0 + 5 + 8 + 10 + 11 + 11 + 11 / 2.0) / 6, curve.Area, 1e-14);
    }

    [Fact]
    public void Step_size_and_baseline_value_are_honoured()
    {
        var options = new PerturbationOptions { PixelsPerStep = 4, BaselineValue = 1 };
        FaithfulnessCurve deletion = Faithfulness.Deletion(Models.SumOfInputs(), X, 0, Map, options);
        // Step 1 sets x₀, x₂, x₃, x₁ to 1: 4 + 0 + 0 = 4; step 2 sets the rest to 1: 6.
        Assert.Equal(new double[] { 11, 4, 6 }, deletion.Scores);
        Assert.Equal(new[] { 0, 4 / 6.0, 1 }, deletion.Fractions);
        Assert.Equal(4 / 6.0 * (11 + 4) / 2 + 2 / 6.0 * (4 + 6) / 2, deletion.Area, 1e-14);

        FaithfulnessCurve insertion = Faithfulness.Insertion(Models.SumOfInputs(), X, 0, Map, options);
        Assert.Equal(new double[] { 6, 13, 11 }, insertion.Scores);

        double[] baseline = { 1, 1, 1, 1, 1, 10 };
        Assert.Equal(new double[] { 11, 4, 15 }, Faithfulness.Deletion(Models.SumOfInputs(), X, baseline, 0, Map, options).Scores);
    }

    [Fact]
    public void An_image_pixel_is_all_its_channels()
    {
        // f = Σ over a 2×2×3 image; pixel p has values at p and 6 + p.
        double[] x = { 1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60 };
        double[] pixelMap = { 0, 5, 1, 0, 0, 9 };           // order 5, 1, 2, 0, 3, 4
        FaithfulnessCurve curve = Faithfulness.Deletion(Models.SumImage(), x, 0, pixelMap, new PerturbationOptions { PixelsPerStep = 2 });
        Assert.Equal(new[] { 5, 1, 2, 0, 3, 4 }, curve.Order);
        Assert.Equal(new double[] { 231, 231 - 66 - 22, 231 - 66 - 22 - 33 - 11, 0 }, curve.Scores);

        // A map per value ranks pixels by the sum over channels: here the same order.
        double[] valueMap = { 0, 2, 1, 0, 0, 4, 0, 3, 0, 0, 0, 5 };
        Assert.Equal(curve.Scores, Faithfulness.Deletion(Models.SumImage(), x, 0, valueMap, new PerturbationOptions { PixelsPerStep = 2 }).Scores);
        Assert.Throws<ArgumentException>(() => Faithfulness.Deletion(Models.SumImage(), x, 0, new double[5]));
    }

    [Fact]
    public void A_softmax_score_reads_the_targets_probability()
    {
        // Outputs (Σx, 0, 0): the probability of class 0 is e^s / (e^s + 2).
        FaithfulnessCurve curve = Faithfulness.Deletion(Models.SumOfInputs(), X, 0, Map, new PerturbationOptions { Score = CurveScore.Softmax });
        double[] expected = new double[] { 11, 6, 3, 1, 0, 0, 0 }.Select(s => Math.Exp(s) / (Math.Exp(s) + 2)).ToArray();
        Assert.Equal(expected, curve.Scores, (a, b) => Math.Abs(a - b) < 1e-14);
    }

    [Fact]
    public void Pointing_game_and_mass_inside_a_mask()
    {
        double[] map = { 0.1, -3, 2, 0.5, 2, -0.5 };
        bool[] mask = { false, true, true, false, false, true };
        Assert.True(Localisation.PointingGame<double>(map, mask));                 // max 2 at index 2 (first of the tie)
        Assert.False(Localisation.PointingGame<double>(map, mask.Select(m => !m).ToArray()));
        Assert.Equal(2 / 4.6, Localisation.MassInside<double>(map, mask), 1e-14);   // positive: 0.1 + 2 + 0.5 + 2
        Assert.Equal(5.5 / 8.1, Localisation.MassInside<double>(map, mask, AttributionMass.Absolute), 1e-14);
        Assert.True(double.IsNaN(Localisation.MassInside<double>(new double[] { -1, -2 }, new[] { true, false })));
        Assert.Throws<ArgumentException>(() => Localisation.PointingGame<double>(map, new bool[3]));
    }

    [Fact]
    public void Spearman_rank_correlation_on_known_cases()
    {
        Assert.Equal(1, RankCorrelation.Spearman<double>(new double[] { 1, 2, 3, 4 }, new double[] { 10, 20, 30, 400 }), 14);
        Assert.Equal(-1, RankCorrelation.Spearman<double>(new double[] { 1, 2, 3, 4 }, new double[] { 4, 3, 2, 1 }), 14);
        // 1 − 6Σd²/(n(n²−1)) = 1 − 12/60.
        Assert.Equal(0.8, RankCorrelation.Spearman<double>(new double[] { 1, 2, 3, 4 }, new double[] { 1, 2, 4, 3 }), 14);
        // Ties take the average rank: ranks (1.5, 1.5, 3) and (1, 2, 3): scipy.stats.spearmanr gives √3/2.
        Assert.Equal(Math.Sqrt(3) / 2, RankCorrelation.Spearman<double>(new double[] { 1, 1, 2 }, new double[] { 1, 2, 3 }), 14);
        Assert.Equal(new[] { 2.5, 1, 2.5, 4 }, RankCorrelation.Ranks<double>(new double[] { 5, 0, 5, 9 }));
        Assert.True(double.IsNaN(RankCorrelation.Spearman<double>(new double[] { 1, 1, 1 }, new double[] { 1, 2, 3 })));
    }
}
