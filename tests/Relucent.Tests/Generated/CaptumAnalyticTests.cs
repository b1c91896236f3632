namespace Relucent.Tests.Generated;

/// <summary>
/// Captum's hand-computed case (tests test_simple_input_conv_gb / test_simple_input_conv_deconv): a 3×3 all-ones
/// convolution with biases (−50, −75), ReLU, Flatten, Dense rows [1,1,1,1,1,−1,−1,−1], ReLU; input 0..15, target 0.
/// </summary>
public class CaptumAnalyticTests
{
    private static readonly float[] Input = Enumerable.Range(0, 16).Select(i => (float)i).ToArray();

    private static CaptumAnalyticConv Network()
    {
        float[] row = { 1, 1, 1, 1, 1, -1, -1, -1 };
        return CaptumAnalyticConv.FromTensors(new Dictionary<string, Tensor>
        {
            ["0.weight"] = Tensor.FromSingle(Enumerable.Repeat(1f, 18).ToArray(), 2, 1, 3, 3),
            ["0.bias"] = Tensor.FromSingle(new float[] { -50, -75 }, 2),
            ["3.weight"] = Tensor.FromSingle(Enumerable.Range(0, 4).SelectMany(_ => row).ToArray(), 4, 8),
            ["3.bias"] = Tensor.FromSingle(new float[4], 4),
        });
    }

    [Fact]
    public void Saliency_matches_captum() =>
        Assert.Equal(new float[] { 0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 0 }, Network().Saliency(Input, target: 0));

    [Fact]
    public void DeconvNet_matches_captum() =>
        Assert.Equal(new float[] { 2, 3, 3, 1, 3, 5, 5, 2, 3, 5, 5, 2, 1, 2, 2, 1 }, Network().DeconvNet(Input, target: 0));

    [Fact]
    public void GuidedBackprop_matches_captum() =>
        Assert.Equal(new float[] { 0, 1, 1, 1, 1, 3, 3, 2, 1, 3, 3, 2, 1, 2, 2, 1 }, Network().GuidedBackprop(Input, target: 0));
}
