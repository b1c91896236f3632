namespace Relucent.Tests.Generated;

/// <summary>
/// The generated code against PyTorch 2.11 + Captum 0.8.0 (Fixtures/captum): logits and every map, to 1e-5 of
/// each map's largest magnitude in float32 and 1e-9 in float64.
/// </summary>
public class CaptumFixtureTests
{
    public static readonly TheoryData<int> Examples = new() { 0, 1, 2, 3 };

    [Theory]
    [MemberData(nameof(Examples))]
    public void Mlp_matches_captum_in_float32(int example)
    {
        var net = CaptumMlp.Load(Fixture.Path("mlp.weights.safetensors"));
        Check("mlp", example, 1e-5, x => net.Forward(x), (x, t) => net.Saliency(x, t), (x, t) => net.DeconvNet(x, t), (x, t) => net.GuidedBackprop(x, t));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Mlp_matches_captum_in_float64(int example)
    {
        var net = CaptumMlp64.Load(Fixture.Path("mlp.weights.safetensors"));
        Check64("mlp", example, x => net.Forward(x), (x, t) => net.Saliency(x, t), (x, t) => net.DeconvNet(x, t), (x, t) => net.GuidedBackprop(x, t));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void LeNet_matches_captum_in_float32(int example)
    {
        var net = CaptumLeNet.Load(Fixture.Path("lenet.weights.safetensors"));
        Check("lenet", example, 1e-5, x => net.Forward(x), (x, t) => net.Saliency(x, t), (x, t) => net.DeconvNet(x, t), (x, t) => net.GuidedBackprop(x, t));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void LeNet_matches_captum_in_float64(int example)
    {
        var net = CaptumLeNet64.Load(Fixture.Path("lenet.weights.safetensors"));
        Check64("lenet", example, x => net.Forward(x), (x, t) => net.Saliency(x, t), (x, t) => net.DeconvNet(x, t), (x, t) => net.GuidedBackprop(x, t));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void LeNet_abs_channel_max_and_input_x_gradient_match_captum(int example)
    {
        var net = CaptumLeNet.Load(Fixture.Path("lenet.weights.safetensors"));
        SafeTensorsFile cases = Fixture.Cases("lenet");
        float[] x = Fixture.Row<float>(cases["inputs"], example);
        int target = (int)cases["targets"].ToInt64()[example];
        double[] saliency = Fixture.ToDouble(net.Saliency(x, target));

        double[] abs = saliency.Select(Math.Abs).ToArray();
        Fixture.Close(Fixture.Row<double>(cases["saliency_abs"], example), abs, 1e-5, "saliency_abs");
        // One input channel: the max over channels of |gradient| is |gradient| itself, laid out [H, W].
        Fixture.Close(Fixture.Row<double>(cases["saliency_channel_max"], example), abs, 1e-5, "saliency_channel_max");
        double[] inputTimesGradient = saliency.Select((g, i) => g * x[i]).ToArray();
        Fixture.Close(Fixture.Row<double>(cases["input_x_gradient"], example), inputTimesGradient, 1e-5, "input_x_gradient");
    }

    private static void Check(string model, int example, double tolerance, Func<float[], float[]> forward,
        Func<float[], int, float[]> saliency, Func<float[], int, float[]> deconvnet, Func<float[], int, float[]> guided)
    {
        SafeTensorsFile cases = Fixture.Cases(model);
        float[] x = Fixture.Row<float>(cases["inputs"], example);
        int target = (int)cases["targets"].ToInt64()[example];
        Fixture.Close(Fixture.Row<double>(cases["logits"], example), Fixture.ToDouble(forward(x)), tolerance, model + " logits");
        Fixture.Close(Fixture.Row<double>(cases["saliency"], example), Fixture.ToDouble(saliency(x, target)), tolerance, model + " saliency");
        Fixture.Close(Fixture.Row<double>(cases["deconvnet"], example), Fixture.ToDouble(deconvnet(x, target)), tolerance, model + " deconvnet");
        Fixture.Close(Fixture.Row<double>(cases["guided_backprop"], example), Fixture.ToDouble(guided(x, target)), tolerance, model + " guided_backprop");
    }

    private static void Check64(string model, int example, Func<double[], double[]> forward,
        Func<double[], int, double[]> saliency, Func<double[], int, double[]> deconvnet, Func<double[], int, double[]> guided)
    {
        SafeTensorsFile cases = Fixture.Cases(model);
        double[] x = Fixture.Row<double>(cases["inputs"], example);
        int target = (int)cases["targets"].ToInt64()[example];
        Fixture.Close(Fixture.Row<double>(cases["logits"], example), forward(x), 1e-9, model + " logits");
        Fixture.Close(Fixture.Row<double>(cases["saliency"], example), saliency(x, target), 1e-9, model + " saliency");
        Fixture.Close(Fixture.Row<double>(cases["deconvnet"], example), deconvnet(x, target), 1e-9, model + " deconvnet");
        Fixture.Close(Fixture.Row<double>(cases["guided_backprop"], example), guided(x, target), 1e-9, model + " guided_backprop");
    }
}
