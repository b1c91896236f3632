namespace Relucent.Samples.TorchVision;

/// <summary>torchvision's ResNet-18 (<c>torchvision.models.resnet18</c>): BasicBlocks, 2, 2, 2, 2 per stage.</summary>
[Saliency, DeconvNet, GuidedBackprop]
public partial class ResNet18
{
    static readonly Network Spec = ResNets.WithBasicBlocks(Net.Input(3, 224, 224), 2, 2, 2, 2);
}

/// <summary>torchvision's ResNet-34 (<c>torchvision.models.resnet34</c>): BasicBlocks, 3, 4, 6, 3 per stage.</summary>
[Saliency, DeconvNet, GuidedBackprop]
public partial class ResNet34
{
    static readonly Network Spec = ResNets.WithBasicBlocks(Net.Input(3, 224, 224), 3, 4, 6, 3);
}

/// <summary>torchvision's ResNet-50 (<c>torchvision.models.resnet50</c>): Bottlenecks, 3, 4, 6, 3 per stage.</summary>
[Saliency, DeconvNet, GuidedBackprop]
public partial class ResNet50
{
    static readonly Network Spec = ResNets.WithBottlenecks(Net.Input(3, 224, 224), 3, 4, 6, 3);
}

/// <summary>torchvision's ResNet-101 (<c>torchvision.models.resnet101</c>): Bottlenecks, 3, 4, 23, 3 per stage.</summary>
[Saliency, DeconvNet, GuidedBackprop]
public partial class ResNet101
{
    static readonly Network Spec = ResNets.WithBottlenecks(Net.Input(3, 224, 224), 3, 4, 23, 3);
}

/// <summary>torchvision's ResNet-152 (<c>torchvision.models.resnet152</c>): Bottlenecks, 3, 8, 36, 3 per stage.</summary>
[Saliency, DeconvNet, GuidedBackprop]
public partial class ResNet152
{
    static readonly Network Spec = ResNets.WithBottlenecks(Net.Input(3, 224, 224), 3, 8, 36, 3);
}

/// <summary>ResNet18 computing in float64: the same declaration under <c>[DoublePrecision]</c>.</summary>
[Saliency, DeconvNet, GuidedBackprop, DoublePrecision]
public partial class ResNet18Double
{
    static readonly Network Spec = ResNets.WithBasicBlocks(Net.Input(3, 224, 224), 2, 2, 2, 2);
}

/// <summary>ResNet34 computing in float64: the same declaration under <c>[DoublePrecision]</c>.</summary>
[Saliency, DeconvNet, GuidedBackprop, DoublePrecision]
public partial class ResNet34Double
{
    static readonly Network Spec = ResNets.WithBasicBlocks(Net.Input(3, 224, 224), 3, 4, 6, 3);
}

/// <summary>ResNet50 computing in float64: the same declaration under <c>[DoublePrecision]</c>.</summary>
[Saliency, DeconvNet, GuidedBackprop, DoublePrecision]
public partial class ResNet50Double
{
    static readonly Network Spec = ResNets.WithBottlenecks(Net.Input(3, 224, 224), 3, 4, 6, 3);
}

/// <summary>ResNet101 computing in float64: the same declaration under <c>[DoublePrecision]</c>.</summary>
[Saliency, DeconvNet, GuidedBackprop, DoublePrecision]
public partial class ResNet101Double
{
    static readonly Network Spec = ResNets.WithBottlenecks(Net.Input(3, 224, 224), 3, 4, 23, 3);
}

/// <summary>ResNet152 computing in float64: the same declaration under <c>[DoublePrecision]</c>.</summary>
[Saliency, DeconvNet, GuidedBackprop, DoublePrecision]
public partial class ResNet152Double
{
    static readonly Network Spec = ResNets.WithBottlenecks(Net.Input(3, 224, 224), 3, 8, 36, 3);
}

/// <summary>
/// torchvision's ResNets (torchvision/models/resnet.py), written once: a stem, four stages of residual blocks, a head.
/// Every name is torchvision's, so <c>model.state_dict()</c> loads unchanged.
/// </summary>
public static class ResNets
{
    /// <summary>ResNet-18 and -34: BasicBlocks (two 3×3 convolutions), stage widths <paramref name="width"/>·1, 2, 4, 8.</summary>
    public static Network WithBasicBlocks(Network b, int blocks1, int blocks2, int blocks3, int blocks4, int width = 64, int classes = 1000) => b
        .Then(n => Stem(n, width))
        .Then(n => BasicStage(n, "layer1", width, blocks1, stride: 1))
        .Then(n => BasicStage(n, "layer2", 2 * width, blocks2, stride: 2))
        .Then(n => BasicStage(n, "layer3", 4 * width, blocks3, stride: 2))
        .Then(n => BasicStage(n, "layer4", 8 * width, blocks4, stride: 2))
        .AdaptiveAvgPool(1, name: "avgpool").Flatten().Dense(classes, name: "fc");

    /// <summary>ResNet-50, -101 and -152: Bottlenecks (1×1, 3×3, 1×1 four times wider), the same stages.</summary>
    public static Network WithBottlenecks(Network b, int blocks1, int blocks2, int blocks3, int blocks4, int width = 64, int classes = 1000) => b
        .Then(n => Stem(n, width))
        .Then(n => BottleneckStage(n, "layer1", width, blocks1, stride: 1))
        .Then(n => BottleneckStage(n, "layer2", 2 * width, blocks2, stride: 2))
        .Then(n => BottleneckStage(n, "layer3", 4 * width, blocks3, stride: 2))
        .Then(n => BottleneckStage(n, "layer4", 8 * width, blocks4, stride: 2))
        .AdaptiveAvgPool(1, name: "avgpool").Flatten().Dense(classes, name: "fc");

    static Network Stem(Network b, int width) => b
        .Conv2D(width, kernel: 7, stride: 2, padding: 3, bias: false, name: "conv1").BatchNorm(name: "bn1").ReLU(name: "relu")
        .MaxPool(3, stride: 2, padding: 1, name: "maxpool");

    // A stage's first block projects its input (downsample) when the stride or the width changes. The ReLU after each
    // sum is the block's last step in torchvision, so its output is the block's (`layer2.0`), named `layer2.0.relu`.
    static Network BasicStage(Network b, string name, int width, int blocks, int stride) => b
        .Residual(r => BasicBlock(r, width, stride), shortcut: stride != 1 ? s => Downsample(s, width, stride) : null, name: $"{name}.0")
        .ReLU(name: $"{name}.0.relu")
        .Repeat(blocks - 1, (n, i) => n.Residual(r => BasicBlock(r, width, 1), name: $"{name}.{i + 1}").ReLU(name: $"{name}.{i + 1}.relu"));

    static Network BottleneckStage(Network b, string name, int width, int blocks, int stride) => b
        .Residual(r => Bottleneck(r, width, stride), shortcut: s => Downsample(s, 4 * width, stride), name: $"{name}.0")
        .ReLU(name: $"{name}.0.relu")
        .Repeat(blocks - 1, (n, i) => n.Residual(r => Bottleneck(r, width, 1), name: $"{name}.{i + 1}").ReLU(name: $"{name}.{i + 1}.relu"));

    static Network BasicBlock(Network b, int width, int stride) => b
        .Conv2D(width, kernel: 3, stride: stride, padding: 1, bias: false, name: "conv1").BatchNorm(name: "bn1").ReLU()
        .Conv2D(width, kernel: 3, padding: 1, bias: false, name: "conv2").BatchNorm(name: "bn2");

    // torchvision (v1.5) strides the 3×3 convolution, not the first 1×1.
    static Network Bottleneck(Network b, int width, int stride) => b
        .Conv2D(width, kernel: 1, bias: false, name: "conv1").BatchNorm(name: "bn1").ReLU()
        .Conv2D(width, kernel: 3, stride: stride, padding: 1, bias: false, name: "conv2").BatchNorm(name: "bn2").ReLU()
        .Conv2D(4 * width, kernel: 1, bias: false, name: "conv3").BatchNorm(name: "bn3");

    static Network Downsample(Network b, int filters, int stride) => b.Conv2D(filters, kernel: 1, stride: stride, bias: false).BatchNorm();
}
