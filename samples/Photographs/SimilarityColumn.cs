using Relucent.Attribution;

namespace Relucent.Samples.Photographs;

/// <summary>
/// One column of the picture: a method that explains the similarity score <c>sᵀ·f(x)</c> of a photograph <c>x</c>
/// (<c>s</c> the other photograph's embedding) as a square heat plane: 224 × 224 values for an input map, the layer's
/// h × w for a class activation map (the grid enlarges it). Adding a method is adding a column to <see cref="Standard"/>.
/// </summary>
/// <param name="Title">What the README's caption calls the column.</param>
/// <param name="Heat">The plane, from the network, the network's input and the target.</param>
public sealed record SimilarityColumn(string Title, Func<ILayerExplainer<float>, float[], Target, float[]> Heat)
{
    /// <summary>
    /// Saliency, DeconvNet, GuidedBackprop, integrated gradients (over <paramref name="steps"/> points from the mean image),
    /// LRP under Zennit's EpsilonPlusFlat composite and Grad-CAM at <see cref="ResNet18.CamLayer"/>.
    /// </summary>
    public static IReadOnlyList<SimilarityColumn> Standard(int steps) => new[]
    {
        Rule("Saliency", BackwardRule.Saliency),
        Rule("DeconvNet", BackwardRule.DeconvNet),
        Rule("GuidedBackprop", BackwardRule.GuidedBackprop),
        new SimilarityColumn("integrated gradients", (net, x, target) =>
            Plane(new IntegratedGradients<float>(net) { Steps = steps }.Attribute(x, target))),
        new SimilarityColumn("EpsilonPlusFlat", (net, x, target) => RelevancePlane(net.Explain(BackwardRule.EpsilonPlusFlat, x, target))),
        GradCamAt(ResNet18.CamLayer),
    };

    private static SimilarityColumn Rule(string title, BackwardRule rule) =>
        new(title, (net, x, target) => Plane(net.Explain(rule, x, target)));

    /// <summary>
    /// Grad-CAM at <paramref name="layer"/>, at the layer's resolution, its positive part (pytorch-grad-cam's and Captum's
    /// pictures). Bound to the network on first use: the method keeps its buffers and workspace between calls.
    /// </summary>
    private static SimilarityColumn GradCamAt(string layer)
    {
        GradCam<float>? gradCam = null;
        return new SimilarityColumn("Grad-CAM", (net, x, target) =>
        {
            if (gradCam == null || gradCam.Network != net) gradCam = new GradCam<float>(net, layer);
            return gradCam.Attribute(x, target).Relu();
        });
    }

    /// <summary>
    /// A relevance map (3 × 224 × 224) as one plane: each pixel's relevance summed over the channels (relevance adds up, as
    /// Zennit's pictures sum it), its magnitude.
    /// </summary>
    public static float[] RelevancePlane(float[] map) => map.ReduceChannels(ChannelReduction.Sum, 3, Photograph.Side, Photograph.Side).Abs();

    /// <summary>An input map (3 × 224 × 224) as one plane: the largest magnitude over the channels at each pixel.</summary>
    public static float[] Plane(float[] map) => map.Abs().ReduceChannels(ChannelReduction.Max, 3, Photograph.Side, Photograph.Side);
}
