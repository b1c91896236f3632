namespace Relucent.Samples.TorchVision;

/// <summary>torchvision's MobileNetV2 (<c>torchvision.models.mobilenet_v2</c>): depthwise convolutions, ReLU6, inverted residuals.</summary>
[Saliency, DeconvNet, GuidedBackprop]
public partial class MobileNetV2
{
    static readonly Network Spec = MobileNets.MobileNetV2(Net.Input(3, 224, 224));
}

/// <summary>MobileNetV2 computing in float64: the same declaration under <c>[DoublePrecision]</c>.</summary>
[Saliency, DeconvNet, GuidedBackprop, DoublePrecision]
public partial class MobileNetV2Double
{
    static readonly Network Spec = MobileNets.MobileNetV2(Net.Input(3, 224, 224));
}

/// <summary>
/// torchvision's MobileNetV2 (torchvision/models/mobilenetv2.py), written once: <c>features</c> (a stem, 17 inverted
/// residual blocks, a 1×1 convolution to 1280 channels), a global average, a <c>classifier</c>. Every name is torchvision's.
/// At ReLU6 the rules act on <c>0 &lt; x &lt; 6</c> (README, "The rules"): the plain gradient where Captum's and
/// Zennit's hooks, made for <c>nn.ReLU</c>, leave every ReLU6 untouched.
/// </summary>
public static class MobileNets
{
    /// <summary>
    /// MobileNetV2, one <c>Stage</c> per row of torchvision's <c>inverted_residual_setting</c>. Every channel count
    /// <c>c</c> is <c>⌈c / <paramref name="divisor"/>⌉</c>: 1 gives torchvision's widths (the tests declare narrow copies).
    /// </summary>
    public static Network MobileNetV2(Network b, int classes = 1000, int divisor = 1) => b
        .Then(n => ConvBNReLU6(n, "features.0", (32 + divisor - 1) / divisor, kernel: 3, stride: 2, groups: 1))
        //                first  t  input output blocks stride (torchvision's t, c, n, s)
        .Then(n => Stage(n, 1, 1, 32, 16, 1, 1, divisor))
        .Then(n => Stage(n, 2, 6, 16, 24, 2, 2, divisor))
        .Then(n => Stage(n, 4, 6, 24, 32, 3, 2, divisor))
        .Then(n => Stage(n, 7, 6, 32, 64, 4, 2, divisor))
        .Then(n => Stage(n, 11, 6, 64, 96, 3, 1, divisor))
        .Then(n => Stage(n, 14, 6, 96, 160, 3, 2, divisor))
        .Then(n => Stage(n, 17, 6, 160, 320, 1, 1, divisor))
        .Then(n => ConvBNReLU6(n, "features.18", (1280 + divisor - 1) / divisor, kernel: 1, stride: 1, groups: 1))
        .AdaptiveAvgPool(1).Flatten()
        .Dropout(0.2, name: "classifier.0").Dense(classes, name: "classifier.1");

    // Blocks features.{first}, features.{first + 1}, ...: the first one strides and widens, the others keep the shape.
    static Network Stage(Network b, int first, int expansion, int input, int output, int blocks, int stride, int divisor) => b
        .Then(n => InvertedResidual(n, first, (input + divisor - 1) / divisor, (output + divisor - 1) / divisor, stride, expansion))
        .Repeat(blocks - 1, (n, i) => InvertedResidual(n, first + 1 + i, (output + divisor - 1) / divisor, (output + divisor - 1) / divisor, 1, expansion));

    // The input is added back when the block keeps the shape (stride 1, as many channels out as in).
    static Network InvertedResidual(Network b, int index, int input, int output, int stride, int expansion) => b
        .Then(stride == 1 && input == output
            ? n => n.Residual(r => Conv(r, "", input, output, stride, expansion), name: $"features.{index}")
            : n => Conv(n, $"features.{index}.", input, output, stride, expansion));

    // The block's `conv` Sequential: a 1×1 expansion (unless t = 1), a depthwise 3×3, a linear 1×1 projection.
    static Network Conv(Network b, string prefix, int input, int output, int stride, int expansion) => b
        .Then(expansion != 1 ? n => ConvBNReLU6(n, $"{prefix}conv.0", input * expansion, kernel: 1, stride: 1, groups: 1) : n => n)
        .Then(n => ConvBNReLU6(n, $"{prefix}conv.{(expansion != 1 ? 1 : 0)}", input * expansion, kernel: 3, stride: stride, groups: input * expansion))
        .Conv2D(output, kernel: 1, bias: false, name: $"{prefix}conv.{(expansion != 1 ? 2 : 1)}")
        .BatchNorm(name: $"{prefix}conv.{(expansion != 1 ? 3 : 2)}");

    // torchvision.ops.Conv2dNormActivation: a convolution without bias, padded to keep the size, BatchNorm, ReLU6.
    static Network ConvBNReLU6(Network b, string name, int filters, int kernel, int stride, int groups) => b
        .Conv2D(filters, kernel: kernel, stride: stride, padding: (kernel - 1) / 2, groups: groups, bias: false, name: $"{name}.0")
        .BatchNorm(name: $"{name}.1").ReLU6(name: $"{name}.2");
}
