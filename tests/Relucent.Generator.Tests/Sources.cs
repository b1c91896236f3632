namespace Relucent.Generator.Tests;

/// <summary>Declarations used across the generator tests, written as a user would write them.</summary>
public static class Sources
{
    public const string Seed = """
        using Relucent;

        namespace Demo;

        [Saliency, DeconvNet, GuidedBackprop]
        public partial class SeedNetwork
        {
            static readonly Network Spec = Net.Input(channels: 1, height: 2, width: 2).ReLU();
        }
        """;

    public const string Mlp = """
        using Relucent;

        namespace Demo;

        [Saliency, DeconvNet, GuidedBackprop]
        public partial class Mlp
        {
            static readonly Network Spec = Net.Input(8)
                .Dense(16).ReLU()
                .Dense(12).ReLU()
                .Dense(4);
        }
        """;

    public const string LeNet = """
        using Relucent;

        namespace Demo;

        [Saliency, DeconvNet, GuidedBackprop]
        public partial class LeNet
        {
            static readonly Network Spec = Net.Input(channels: 1, height: 12, width: 12)
                .Conv2D(4, kernel: 3, padding: 1).ReLU().MaxPool(2)
                .Conv2D(8, kernel: 3).ReLU().MaxPool(2)
                .Flatten()
                .Dense(16).ReLU()
                .Dense(5);
        }
        """;

    public const string ResidualDouble = """
        using Relucent;

        namespace Demo;

        [DeconvNet, DoublePrecision]
        public partial class TinyResNet
        {
            static Network Spec => Net.Input(2, 6, 6)
                .Conv2D(4, kernel: 3, padding: 1, name: "stem").BatchNorm(name: "bn").ReLU()
                .Residual(b => b.Conv2D(4, kernel: 3, padding: 1, bias: false, name: "conv1").ReLU().Dropout(0.1).Conv2D(4, kernel: 3, padding: 1, name: "conv2"), name: "block")
                .ReLU()
                .AvgPool(2, stride: 2)
                .Flatten()
                .Dense(3, name: "head")
                .Softmax();
        }
        """;

    /// <summary>LRP (issue 20): every composite, a BatchNorm merged into its convolution, max and average pools, a projection shortcut, a named layer.</summary>
    public const string Lrp = """
        using Relucent;

        namespace Demo;

        [Saliency, EpsilonPlus, EpsilonPlusFlat, EpsilonAlpha2Beta1, EpsilonAlpha2Beta1Flat, EpsilonGammaBox(-2.5, 3)]
        public partial class LrpNet
        {
            static readonly Network Spec = Net.Input(3, 8, 8)
                .Conv2D(4, kernel: 3, padding: 1, bias: false).BatchNorm().ReLU().MaxPool(2)
                .Residual(b => b.Conv2D(6, kernel: 3, stride: 2, padding: 1).ReLU().Conv2D(6, kernel: 3, padding: 1),
                          shortcut: s => s.Conv2D(6, kernel: 1, stride: 2), name: "block").ReLU()
                .AvgPool(2)
                .Flatten()
                .Dense(3);
        }
        """;

    /// <summary>The newer layers together: a projection shortcut, a concatenation, ReLU6, grouped and padded layers, a helper, named layers.</summary>
    public const string Blocks = """
        using Relucent;

        namespace Demo;

        [Saliency, GuidedBackprop]
        public partial class Blocks
        {
            static readonly Network Spec = Net.Input(3, 8, 8)
                .Conv2D(4, kernel: 3, stride: 2, padding: new Padding(top: 1, left: 1, bottom: 0, right: 0), bias: false, name: "conv1").BatchNorm(name: "bn1").ReLU()
                .Then(b => Block(b, "layer1", width: 6))
                .Concat(b => b.Conv2D(2, kernel: 1, name: "branch1"), b => b.Conv2D(4, kernel: 3, padding: 1, groups: 2).ReLU6(), name: "mix")
                .MaxPool(3, stride: 2, padding: 1, ceilMode: true).AdaptiveAvgPool(1, name: "avgpool").Flatten().Dense(3, name: "fc");

            static Network Block(Network b, string name, int width) => b
                .Residual(r => r.Conv2D(width, kernel: 3, padding: 1, bias: false, name: "conv1").ReLU().Conv2D(width, kernel: 3, padding: 1, bias: false, name: "conv2"),
                    shortcut: s => s.Conv2D(width, kernel: 1, bias: false), name: name + ".0")
                .ReLU(name: name);
        }
        """;

    /// <summary>
    /// Convolutions whose weights are kept transformed for Winograd: one with its BatchNorm merged in (transformed from the
    /// merged weight), one of its own, and a strided one that has none; a named ReLU whose rule the next convolution's kernel
    /// applies in the merged backward pass only.
    /// </summary>
    public const string Winograd = """
        using Relucent;

        namespace Demo;

        [Saliency, GuidedBackprop]
        public partial class WideBlock
        {
            static readonly Network Spec = Net.Input(8, 6, 6)
                .Conv2D(8, kernel: 3, padding: 1, bias: false, name: "conv1").BatchNorm(name: "bn1").ReLU(name: "relu1")
                .Conv2D(8, kernel: 3, padding: 1, name: "conv2").ReLU()
                .Conv2D(8, kernel: 3, stride: 2, padding: 1, name: "conv3")
                .Flatten().Dense(2, name: "fc");
        }
        """;

    /// <summary>
    /// A dense head split off for batches (DenseHeadSplit): a convolution with its BatchNorm merged in, then a head of
    /// 4.2 M weights (Flatten, Dense, a named ReLU, Dropout, Dense) that a batch runs once for all its examples.
    /// </summary>
    public const string DenseHead = """
        using Relucent;

        namespace Demo;

        [Saliency, DeconvNet]
        public partial class Classifier
        {
            static readonly Network Spec = Net.Input(3, 8, 8)
                .Conv2D(16, kernel: 3, padding: 1, name: "conv").BatchNorm(name: "bn").ReLU().MaxPool(2)
                .Flatten().Dense(16384, name: "fc1").ReLU(name: "relu1").Dropout(0.5).Dense(4, name: "fc2");
        }
        """;
}
