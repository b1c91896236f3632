using Relucent.Attribution;

namespace Relucent.Samples.Photographs;

/// <summary>
/// One column of the picture: a method that explains the similarity score <c>sᵀ·f(x)</c> of a photograph <c>x</c>
/// (<c>s</c> the other photograph's embedding) as a heat plane of 224 × 224 values. Adding a method is adding a column
/// to <see cref="Standard"/>; a layer method such as Grad-CAM returns its map upsampled to the photograph.
/// </summary>
/// <param name="Title">What the README's caption calls the column.</param>
/// <param name="Heat">The plane, from the network, the network's input and the target.</param>
public sealed record SimilarityColumn(string Title, Func<IExplainer<float>, float[], Target, float[]> Heat)
{
    /// <summary>Saliency, DeconvNet, GuidedBackprop and integrated gradients (over <paramref name="steps"/> points from the mean image).</summary>
    public static IReadOnlyList<SimilarityColumn> Standard(int steps) => new[]
    {
        Rule("Saliency", BackwardRule.Saliency),
        Rule("DeconvNet", BackwardRule.DeconvNet),
        Rule("GuidedBackprop", BackwardRule.GuidedBackprop),
        new SimilarityColumn("integrated gradients", (net, x, target) =>
            Plane(new IntegratedGradients<float>(net) { Steps = steps }.Attribute(x, target))),
    };

    private static SimilarityColumn Rule(string title, BackwardRule rule) =>
        new(title, (net, x, target) => Plane(net.Explain(rule, x, target)));

    /// <summary>An input map (3 × 224 × 224) as one plane: the largest magnitude over the channels at each pixel.</summary>
    public static float[] Plane(float[] map) => map.Abs().ReduceChannels(ChannelReduction.Max, 3, Photograph.Side, Photograph.Side);
}
