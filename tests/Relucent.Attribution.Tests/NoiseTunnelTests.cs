namespace Relucent.Attribution.Tests;

public class NoiseTunnelTests
{
    private static (CaptumLeNet Net, float[] X, int Target) LeNetCase(int example = 0)
    {
        CaptumLeNet net = CaptumLeNet.Load(Fixture.Path("lenet.weights.safetensors"));
        SafeTensorsFile cases = Fixture.Cases("lenet");
        return (net, Fixture.Row<float>(cases["inputs"], example), (int)cases["targets"].ToInt64()[example]);
    }

    [Theory]
    [InlineData(BackwardRule.Saliency)]
    [InlineData(BackwardRule.GuidedBackprop)]
    public void With_zero_noise_smoothgrad_is_the_plain_map_squaregrad_its_square_and_vargrad_zero(BackwardRule rule)
    {
        (CaptumLeNet net, float[] x, int target) = LeNetCase();
        float[] plain = net.Explain(rule, x, target);
        Assert.Contains(plain, v => v != 0);
        foreach (NoiseLevel zero in new[] { NoiseLevel.Absolute(0), NoiseLevel.Relative(0) })
        {
            float[] smooth = new SmoothGrad<float>(net, rule) { Noise = zero, Samples = 5 }.Attribute(x, target);
            float[] square = new SquareGrad<float>(net, rule) { Noise = zero, Samples = 5 }.Attribute(x, target);
            float[] variance = new VarGrad<float>(net, rule) { Noise = zero, Samples = 5 }.Attribute(x, target);
            Assert.Equal(plain, smooth);
            Assert.Equal(plain.Select(v => (float)((double)v * v)).ToArray(), square);
            Assert.All(variance, v => Assert.Equal(0f, v));
        }
    }

    [Fact]
    public void The_same_seed_gives_identical_maps_and_another_seed_different_ones()
    {
        (CaptumLeNet net, float[] x, int target) = LeNetCase(1);
        var a = new SmoothGrad<float>(net) { Samples = 8, Seed = 11 };
        var b = new SmoothGrad<float>(net) { Samples = 8, Seed = 11 };
        float[] first = a.Attribute(x, target);
        _ = a.Attribute(x, (target + 1) % 5); // history does not matter: each call starts from the seed
        Assert.Equal(first, a.Attribute(x, target));
        Assert.Equal(first, b.Attribute(x, target));
        Assert.Equal(first, net.SmoothGrad(x, target, samples: 8, seed: 11));
        Assert.NotEqual(first, new SmoothGrad<float>(net) { Samples = 8, Seed = 12 }.Attribute(x, target));
        Assert.NotEqual(first, net.Explain(BackwardRule.Saliency, x, target));
    }

    [Fact]
    public void Box_muller_noise_has_mean_zero_and_unit_standard_deviation()
    {
        const int count = 200_000;
        var noise = new GaussianNoise(3);
        double sum = 0, squares = 0, fourth = 0;
        int beyondTwo = 0;
        for (int i = 0; i < count; i++)
        {
            double z = noise.Next();
            sum += z;
            squares += z * z;
            fourth += z * z * z * z;
            if (Math.Abs(z) > 2) beyondTwo++;
        }

        double mean = sum / count, variance = squares / count - mean * mean;
        // Standard errors: mean 1/√n ≈ 0.0022, variance √(2/n) ≈ 0.0032; allow about 4 of them.
        Assert.InRange(mean, -0.009, 0.009);
        Assert.InRange(variance, 0.987, 1.013);
        Assert.InRange(fourth / count, 2.9, 3.1); // the normal's kurtosis
        Assert.InRange(beyondTwo / (double)count, 0.0435, 0.0475); // P(|z| > 2) = 0.0455

        var scaled = new double[count];
        new GaussianNoise(4).Fill<double>(scaled, 5, 0.5);
        Assert.InRange(scaled.Average(), 4.99, 5.01);
        Assert.InRange(Math.Sqrt(scaled.Select(v => (v - 5) * (v - 5)).Average()), 0.495, 0.505);
    }

    [Theory]
    [InlineData(false, 0.3)]
    [InlineData(true, 0.1)]
    public void The_tunnels_noise_has_the_requested_standard_deviation(bool relative, double level)
    {
        // Gradient × input of a linear model is w ⊙ (x + ε): its VarGrad is w²σ², its SmoothGrad w ⊙ x (E[ε] = 0).
        (Linear64 net, double[] w) = Models.Linear64();
        double[] x = { 0.5, -1, 2, 0, 1.5, -0.5 }; // range 3
        double sigma = relative ? level * 3 : level;
        NoiseLevel noise = relative ? NoiseLevel.Relative(level) : NoiseLevel.Absolute(level);
        const int samples = 4000;
        double[] variance = new VarGrad<double>(new GradientTimesInput<double>(net)) { Noise = noise, Samples = samples, Seed = 5 }.Attribute(x, 1);
        double[] mean = new SmoothGrad<double>(new GradientTimesInput<double>(net)) { Noise = noise, Samples = samples, Seed = 5 }.Attribute(x, 1);
        for (int i = 0; i < 6; i++)
        {
            double wi = w[6 + i];
            double estimate = Math.Sqrt(variance[i] / (wi * wi));
            Assert.True(Math.Abs(estimate / sigma - 1) < 0.05, $"feature {i}: the noise's standard deviation is {estimate:F4}, expected σ = {sigma}");
            Assert.True(Math.Abs(mean[i] - wi * x[i]) < 5 * Math.Abs(wi) * sigma / Math.Sqrt(samples), $"feature {i}: mean {mean[i]:F4}, expected {wi * x[i]:F4}");
        }

        // The gradient of a linear model is constant: SmoothGrad of it is exactly the weights, whatever the noise.
        double[] smooth = net.SmoothGrad(x, 1, samples: 10, noise: noise);
        for (int i = 0; i < 6; i++) Assert.Equal(w[6 + i], smooth[i], 1e-15);
    }

    [Fact]
    public void Smoothgrad_runs_over_integrated_gradients_and_a_batch()
    {
        (CaptumLeNet net, float[] x, int target) = LeNetCase(2);
        var ig = new IntegratedGradients<float>(net) { Steps = 8 };
        var tunnel = new SmoothGrad<float>(ig) { Samples = 3, Noise = NoiseLevel.Absolute(0) };
        Assert.Equal(ig.Attribute(x, target), tunnel.Attribute(x, target));

        SafeTensorsFile cases = Fixture.Cases("lenet");
        float[] inputs = cases["inputs"].ToArray<float>();
        Target[] targets = Target.Classes(cases["targets"].ToInt64().Select(t => (int)t).ToArray());
        var smooth = new SmoothGrad<float>(net) { Samples = 4 };
        float[] batch = smooth.AttributeBatch(inputs, targets);
        for (int n = 0; n < 4; n++)
        {
            Assert.Equal(smooth.Attribute(inputs.AsSpan(n * 144, 144), targets[n]), batch.AsSpan(n * 144, 144).ToArray());
        }

        Assert.Throws<ArgumentException>(() => smooth.AttributeBatch(inputs, Target.Classes(1, 2)));
        Assert.Throws<ArgumentException>(() => smooth.AttributeBatch(inputs.AsSpan(0, 100), targets));
    }
}
