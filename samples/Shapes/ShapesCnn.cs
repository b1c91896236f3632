using Relucent;

namespace Relucent.Samples.Shapes
{
    /// <summary>
    /// The CNN of the Shapes sample: 3×32×32 colour images → logits of circle, square, triangle, cross. Shared, as this
    /// very file, by samples/Shapes (which trains it and saves its weights) and samples/Explain (which loads them).
    /// LRP under Zennit's EpsilonGammaBox composite takes the pixels' range, [0, 1], as the first layer's box.
    /// </summary>
    [Saliency, DeconvNet, GuidedBackprop, EpsilonGammaBox(0, 1)]
    public partial class ShapesCnn
    {
        static readonly Network Spec = Net.Input(channels: 3, height: 32, width: 32)
            .Conv2D(8, kernel: 3, padding: 1, name: "conv1").ReLU().MaxPool(2)
            .Conv2D(16, kernel: 3, padding: 1, name: "conv2").ReLU().MaxPool(2)
            .Conv2D(32, kernel: 3, padding: 1, name: "conv3").ReLU(name: "relu3").MaxPool(2)
            .Flatten()
            .Dense(32, name: "fc1").ReLU()
            .Dense(4, name: "fc2");

        /// <summary>The last convolution's rectified output (32×8×8), where Grad-CAM looks: the name changes no parameter's.</summary>
        public const string CamLayer = "relu3";

        /// <summary>The class names, in logit order.</summary>
        public static readonly string[] Classes = { "circle", "square", "triangle", "cross" };
    }
}
