using System.Numerics;
using Xunit.Abstractions;

namespace Relucent.Attribution.Tests;

/// <summary>
/// Gradient × input and integrated gradients against PyTorch 2.11 + Captum 0.8.0 (Fixtures/captum): all four examples
/// at once through the batch API with one target each, to 1e-5 of each map's largest magnitude in float32 and 1e-9 in
/// float64 (integrated gradients: 6e-8 with exact quadrature weights, as Captum rounds its weights to float32; 1e-12
/// with Captum's rounded weights). The agreement reached is written to the test output.
/// </summary>
public class CaptumFixtureTests(ITestOutputHelper output)
{
    public static readonly TheoryData<string, bool> Models = new()
    {
        { "mlp", false }, { "mlp", true }, { "lenet", false }, { "lenet", true },
    };

    private static IExplainer<float> Network32(string model) =>
        model == "mlp" ? Mlp.Load(Fixture.Path("mlp.weights.safetensors")) : CaptumLeNet.Load(Fixture.Path("lenet.weights.safetensors"));

    private static IExplainer<double> Network64(string model) =>
        model == "mlp" ? Mlp64.Load(Fixture.Path("mlp.weights.safetensors")) : CaptumLeNet64.Load(Fixture.Path("lenet.weights.safetensors"));

    [Theory]
    [MemberData(nameof(Models))]
    public void Gradient_times_input_matches_captum(string model, bool float64)
    {
        if (float64) Check(model, Network64(model), n => new GradientTimesInput<double>(n), "input_x_gradient", 1e-9);
        else Check(model, Network32(model), n => new GradientTimesInput<float>(n), "input_x_gradient", 1e-5);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Integrated_gradients_gauss_legendre_matches_captum(string model, bool float64)
    {
        // The defaults are Captum's: zero baseline, 50 steps, Gauss–Legendre.
        // Captum rounds its weights to float32 even in float64 (see IntegratedGradients.SetPoints): exact weights agree to
        // that rounding, ~6e-8 at worst; Captum_float64_integrated_gradients_are_reproduced_with_its_float32_weights goes further.
        if (float64) Check(model, Network64(model), n => new IntegratedGradients<double>(n), "integrated_gradients_gausslegendre50", 6e-8);
        else Check(model, Network32(model), n => new IntegratedGradients<float>(n), "integrated_gradients_gausslegendre50", 1e-5);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Integrated_gradients_captum_trapezoid_matches_captum(string model, bool float64)
    {
        if (float64)
        {
            Check(model, Network64(model), n => new IntegratedGradients<double>(n) { Quadrature = Quadrature.CaptumTrapezoid }, "integrated_gradients_trapezoid50", 6e-8);
        }
        else
        {
            Check(model, Network32(model), n => new IntegratedGradients<float>(n) { Quadrature = Quadrature.CaptumTrapezoid }, "integrated_gradients_trapezoid50", 1e-5);
        }
    }

    [Theory]
    [InlineData("mlp")]
    [InlineData("lenet")]
    public void Textbook_trapezoid_is_captums_scaled_by_n_over_n_minus_1(string model)
    {
        // Captum's riemann_trapezoid weighs its 50 points by 1/50 (ends halved), the textbook rule by 1/49: the fixture
        // times 50/49 is the textbook rule's result, and the fixture itself is not (2% off).
        IExplainer<double> net = Network64(model);
        SafeTensorsFile cases = Fixture.Cases(model);
        double[] inputs = cases["inputs"].ToDouble();
        Target[] targets = Target.Classes(cases["targets"].ToInt64().Select(t => (int)t).ToArray());
        double[] captum = cases["integrated_gradients_trapezoid50"].ToDouble();
        double[] textbook = new IntegratedGradients<double>(net) { Quadrature = Quadrature.Trapezoid }.AttributeBatch(inputs, targets);
        double[] scaled = captum.Select(v => v * 50 / 49).ToArray();
        double error = Fixture.Close<double>(scaled, textbook, 6e-8, model + " trapezoid × 50/49");
        Assert.True(Fixture.RelativeError<double>(captum, textbook) > 1e-3, "the textbook trapezoid rule should differ from Captum's by 2%");
        output.WriteLine($"{model}: textbook trapezoid vs Captum's × 50/49: {error:E2}");
    }

    [Theory]
    [InlineData("mlp", Quadrature.GaussLegendre, "integrated_gradients_gausslegendre50")]
    [InlineData("lenet", Quadrature.GaussLegendre, "integrated_gradients_gausslegendre50")]
    [InlineData("mlp", Quadrature.CaptumTrapezoid, "integrated_gradients_trapezoid50")]
    [InlineData("lenet", Quadrature.CaptumTrapezoid, "integrated_gradients_trapezoid50")]
    public void Captum_float64_integrated_gradients_are_reproduced_with_its_float32_weights(string model, Quadrature quadrature, string key)
    {
        // Captum: scaled_grads = grad * torch.tensor(step_sizes), a float32 tensor under PyTorch's default dtype.
        (double[] alphas, double[] weights) = QuadratureRule.Compute(quadrature, 50);
        double[] rounded = weights.Select(w => (double)(float)w).ToArray();
        Check(model, Network64(model), n =>
        {
            var ig = new IntegratedGradients<double>(n);
            ig.SetPoints(alphas, rounded);
            return ig;
        }, key, 1e-12);
    }

    private void Check<T>(string model, IExplainer<T> net, Func<IExplainer<T>, IAttribution<T>> method, string key, double tolerance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        SafeTensorsFile cases = Fixture.Cases(model);
        T[] inputs = cases["inputs"].ToArray<float>().Select(v => T.CreateTruncating(v)).ToArray();
        Target[] targets = Target.Classes(cases["targets"].ToInt64().Select(t => (int)t).ToArray());
        double[] expected = cases[key].ToDouble();
        T[] actual = method(net).AttributeBatch(inputs, targets);
        int size = net.InputSize;
        double worst = 0;
        for (int n = 0; n < targets.Length; n++)
        {
            worst = Math.Max(worst, Fixture.Close<T>(expected.AsSpan(n * size, size), actual.AsSpan(n * size, size), tolerance, $"{model} {key} example {n} ({typeof(T).Name})"));
        }

        output.WriteLine($"{model} {key} {typeof(T).Name}: largest error {worst:E2} of each map's largest magnitude");
    }
}
