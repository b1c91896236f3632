namespace Relucent.Samples.TorchVision;

/// <summary>torchvision's VGG-11 (<c>torchvision.models.vgg11</c>): 1, 1, 2, 2, 2 convolutions per stage.</summary>
[Saliency, DeconvNet, GuidedBackprop]
public partial class Vgg11
{
    static readonly Network Spec = Vggs.Vgg(Net.Input(3, 224, 224), 1, 1, 2, 2, 2, batchNorm: false);
}

/// <summary>torchvision's VGG-11 with BatchNorm (<c>torchvision.models.vgg11_bn</c>).</summary>
[Saliency, DeconvNet, GuidedBackprop]
public partial class Vgg11BN
{
    static readonly Network Spec = Vggs.Vgg(Net.Input(3, 224, 224), 1, 1, 2, 2, 2, batchNorm: true);
}

/// <summary>torchvision's VGG-13 (<c>torchvision.models.vgg13</c>): 2, 2, 2, 2, 2 convolutions per stage.</summary>
[Saliency, DeconvNet, GuidedBackprop]
public partial class Vgg13
{
    static readonly Network Spec = Vggs.Vgg(Net.Input(3, 224, 224), 2, 2, 2, 2, 2, batchNorm: false);
}

/// <summary>torchvision's VGG-13 with BatchNorm (<c>torchvision.models.vgg13_bn</c>).</summary>
[Saliency, DeconvNet, GuidedBackprop]
public partial class Vgg13BN
{
    static readonly Network Spec = Vggs.Vgg(Net.Input(3, 224, 224), 2, 2, 2, 2, 2, batchNorm: true);
}

/// <summary>torchvision's VGG-16 (<c>torchvision.models.vgg16</c>): 2, 2, 3, 3, 3 convolutions per stage.</summary>
[Saliency, DeconvNet, GuidedBackprop]
public partial class Vgg16
{
    static readonly Network Spec = Vggs.Vgg(Net.Input(3, 224, 224), 2, 2, 3, 3, 3, batchNorm: false);
}

/// <summary>torchvision's VGG-16 with BatchNorm (<c>torchvision.models.vgg16_bn</c>).</summary>
[Saliency, DeconvNet, GuidedBackprop]
public partial class Vgg16BN
{
    static readonly Network Spec = Vggs.Vgg(Net.Input(3, 224, 224), 2, 2, 3, 3, 3, batchNorm: true);
}

/// <summary>torchvision's VGG-19 (<c>torchvision.models.vgg19</c>): 2, 2, 4, 4, 4 convolutions per stage.</summary>
[Saliency, DeconvNet, GuidedBackprop]
public partial class Vgg19
{
    static readonly Network Spec = Vggs.Vgg(Net.Input(3, 224, 224), 2, 2, 4, 4, 4, batchNorm: false);
}

/// <summary>torchvision's VGG-19 with BatchNorm (<c>torchvision.models.vgg19_bn</c>).</summary>
[Saliency, DeconvNet, GuidedBackprop]
public partial class Vgg19BN
{
    static readonly Network Spec = Vggs.Vgg(Net.Input(3, 224, 224), 2, 2, 4, 4, 4, batchNorm: true);
}

/// <summary>torchvision's AlexNet (<c>torchvision.models.alexnet</c>, the "one weird trick" variant torchvision ships).</summary>
[Saliency, DeconvNet, GuidedBackprop]
public partial class AlexNet
{
    static readonly Network Spec = Vggs.AlexNet(Net.Input(3, 224, 224));
}

/// <summary>Vgg11 computing in float64: the same declaration under <c>[DoublePrecision]</c>.</summary>
[Saliency, DeconvNet, GuidedBackprop, DoublePrecision]
public partial class Vgg11Double
{
    static readonly Network Spec = Vggs.Vgg(Net.Input(3, 224, 224), 1, 1, 2, 2, 2, batchNorm: false);
}

/// <summary>Vgg11BN computing in float64: the same declaration under <c>[DoublePrecision]</c>.</summary>
[Saliency, DeconvNet, GuidedBackprop, DoublePrecision]
public partial class Vgg11BNDouble
{
    static readonly Network Spec = Vggs.Vgg(Net.Input(3, 224, 224), 1, 1, 2, 2, 2, batchNorm: true);
}

/// <summary>Vgg13 computing in float64: the same declaration under <c>[DoublePrecision]</c>.</summary>
[Saliency, DeconvNet, GuidedBackprop, DoublePrecision]
public partial class Vgg13Double
{
    static readonly Network Spec = Vggs.Vgg(Net.Input(3, 224, 224), 2, 2, 2, 2, 2, batchNorm: false);
}

/// <summary>Vgg13BN computing in float64: the same declaration under <c>[DoublePrecision]</c>.</summary>
[Saliency, DeconvNet, GuidedBackprop, DoublePrecision]
public partial class Vgg13BNDouble
{
    static readonly Network Spec = Vggs.Vgg(Net.Input(3, 224, 224), 2, 2, 2, 2, 2, batchNorm: true);
}

/// <summary>Vgg16 computing in float64: the same declaration under <c>[DoublePrecision]</c>.</summary>
[Saliency, DeconvNet, GuidedBackprop, DoublePrecision]
public partial class Vgg16Double
{
    static readonly Network Spec = Vggs.Vgg(Net.Input(3, 224, 224), 2, 2, 3, 3, 3, batchNorm: false);
}

/// <summary>Vgg16BN computing in float64: the same declaration under <c>[DoublePrecision]</c>.</summary>
[Saliency, DeconvNet, GuidedBackprop, DoublePrecision]
public partial class Vgg16BNDouble
{
    static readonly Network Spec = Vggs.Vgg(Net.Input(3, 224, 224), 2, 2, 3, 3, 3, batchNorm: true);
}

/// <summary>Vgg19 computing in float64: the same declaration under <c>[DoublePrecision]</c>.</summary>
[Saliency, DeconvNet, GuidedBackprop, DoublePrecision]
public partial class Vgg19Double
{
    static readonly Network Spec = Vggs.Vgg(Net.Input(3, 224, 224), 2, 2, 4, 4, 4, batchNorm: false);
}

/// <summary>Vgg19BN computing in float64: the same declaration under <c>[DoublePrecision]</c>.</summary>
[Saliency, DeconvNet, GuidedBackprop, DoublePrecision]
public partial class Vgg19BNDouble
{
    static readonly Network Spec = Vggs.Vgg(Net.Input(3, 224, 224), 2, 2, 4, 4, 4, batchNorm: true);
}

/// <summary>AlexNet computing in float64: the same declaration under <c>[DoublePrecision]</c>.</summary>
[Saliency, DeconvNet, GuidedBackprop, DoublePrecision]
public partial class AlexNetDouble
{
    static readonly Network Spec = Vggs.AlexNet(Net.Input(3, 224, 224));
}

/// <summary>
/// torchvision's VGG and AlexNet (torchvision/models/vgg.py, alexnet.py): <c>features</c>, an <c>avgpool</c> to a fixed
/// size, a <c>classifier</c>. Each layer is named by its index in torchvision's <c>nn.Sequential</c>s (<c>features.3</c>,
/// <c>classifier.6</c>), so <c>model.state_dict()</c> loads unchanged.
/// </summary>
public static class Vggs
{
    /// <summary>
    /// A VGG with <paramref name="convs1"/>…<paramref name="convs5"/> 3×3 convolutions in its five stages, each stage
    /// ending in a 2×2 max pool; every convolution followed by a BatchNorm when <paramref name="batchNorm"/>, then a ReLU.
    /// </summary>
    public static Network Vgg(Network b, int convs1, int convs2, int convs3, int convs4, int convs5, bool batchNorm,
        int width = 64, int hidden = 4096, int classes = 1000) => b
        .Then(n => Stage(n, 0, convs1, width, batchNorm))
        .Then(n => Stage(n, convs1 * (batchNorm ? 3 : 2) + 1, convs2, 2 * width, batchNorm))
        .Then(n => Stage(n, (convs1 + convs2) * (batchNorm ? 3 : 2) + 2, convs3, 4 * width, batchNorm))
        .Then(n => Stage(n, (convs1 + convs2 + convs3) * (batchNorm ? 3 : 2) + 3, convs4, 8 * width, batchNorm))
        .Then(n => Stage(n, (convs1 + convs2 + convs3 + convs4) * (batchNorm ? 3 : 2) + 4, convs5, 8 * width, batchNorm))
        .AdaptiveAvgPool(7, name: "avgpool").Flatten()
        .Dense(hidden, name: "classifier.0").ReLU(name: "classifier.1").Dropout(0.5, name: "classifier.2")
        .Dense(hidden, name: "classifier.3").ReLU(name: "classifier.4").Dropout(0.5, name: "classifier.5")
        .Dense(classes, name: "classifier.6");

    /// <summary>AlexNet: five convolutions (widths <paramref name="width"/>·1, 3, 6, 4, 4), three overlapping 3×3 max pools.</summary>
    public static Network AlexNet(Network b, int width = 64, int hidden = 4096, int classes = 1000) => b
        .Conv2D(width, kernel: 11, stride: 4, padding: 2, name: "features.0").ReLU(name: "features.1").MaxPool(3, stride: 2, name: "features.2")
        .Conv2D(3 * width, kernel: 5, padding: 2, name: "features.3").ReLU(name: "features.4").MaxPool(3, stride: 2, name: "features.5")
        .Conv2D(6 * width, kernel: 3, padding: 1, name: "features.6").ReLU(name: "features.7")
        .Conv2D(4 * width, kernel: 3, padding: 1, name: "features.8").ReLU(name: "features.9")
        .Conv2D(4 * width, kernel: 3, padding: 1, name: "features.10").ReLU(name: "features.11").MaxPool(3, stride: 2, name: "features.12")
        .AdaptiveAvgPool(6, name: "avgpool").Flatten()
        .Dropout(0.5, name: "classifier.0").Dense(hidden, name: "classifier.1").ReLU(name: "classifier.2")
        .Dropout(0.5, name: "classifier.3").Dense(hidden, name: "classifier.4").ReLU(name: "classifier.5")
        .Dense(classes, name: "classifier.6");

    // One stage of `features`, its first layer at index `first`: convolution [BatchNorm] ReLU, `convs` times, then "M".
    static Network Stage(Network b, int first, int convs, int width, bool batchNorm) => b
        .Repeat(convs, (n, i) => Convolution(n, first + i * (batchNorm ? 3 : 2), width, batchNorm))
        .MaxPool(2, name: $"features.{first + convs * (batchNorm ? 3 : 2)}");

    static Network Convolution(Network b, int index, int width, bool batchNorm) => b
        .Conv2D(width, kernel: 3, padding: 1, name: $"features.{index}")
        .Then(batchNorm ? n => n.BatchNorm(name: $"features.{index + 1}") : n => n)
        .ReLU(name: $"features.{index + (batchNorm ? 2 : 1)}");
}
