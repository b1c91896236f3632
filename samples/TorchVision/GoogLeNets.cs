namespace Relucent.Samples.TorchVision;

/// <summary>torchvision's GoogLeNet (<c>torchvision.models.googlenet</c> with <c>aux_logits=False, transform_input=False</c>).</summary>
[Saliency, DeconvNet, GuidedBackprop]
public partial class GoogLeNet
{
    static readonly Network Spec = GoogLeNets.GoogLeNet(Net.Input(3, 224, 224));
}

/// <summary>GoogLeNet computing in float64: the same declaration under <c>[DoublePrecision]</c>.</summary>
[Saliency, DeconvNet, GuidedBackprop, DoublePrecision]
public partial class GoogLeNetDouble
{
    static readonly Network Spec = GoogLeNets.GoogLeNet(Net.Input(3, 224, 224));
}

/// <summary>
/// torchvision's GoogLeNet (torchvision/models/googlenet.py) without its auxiliary classifiers (they are not in the
/// state_dict of <c>aux_logits=False</c> and do not change the logits in eval mode), written once: nine Inception
/// blocks of four branches concatenated along the channels, ceil-mode max pools. Every name is torchvision's.
/// </summary>
public static class GoogLeNets
{
    /// <summary>
    /// GoogLeNet with torchvision's channel counts, each <c>c</c> made <c>⌈c / <paramref name="divisor"/>⌉</c>
    /// (1: torchvision's widths; the tests declare narrow copies).
    /// </summary>
    public static Network GoogLeNet(Network b, int classes = 1000, int divisor = 1) => b
        .Then(n => BasicConv(n, "conv1", 64, kernel: 7, stride: 2, padding: 3, divisor))
        .MaxPool(3, stride: 2, ceilMode: true, name: "maxpool1")
        .Then(n => BasicConv(n, "conv2", 64, kernel: 1, stride: 1, padding: 0, divisor))
        .Then(n => BasicConv(n, "conv3", 192, kernel: 3, stride: 1, padding: 1, divisor))
        .MaxPool(3, stride: 2, ceilMode: true, name: "maxpool2")
        //                                  1×1 3×3 reduce, 3×3 "5×5" reduce, "5×5" pool projection
        .Then(n => Inception(n, "inception3a", 64, 96, 128, 16, 32, 32, divisor))
        .Then(n => Inception(n, "inception3b", 128, 128, 192, 32, 96, 64, divisor))
        .MaxPool(3, stride: 2, ceilMode: true, name: "maxpool3")
        .Then(n => Inception(n, "inception4a", 192, 96, 208, 16, 48, 64, divisor))
        .Then(n => Inception(n, "inception4b", 160, 112, 224, 24, 64, 64, divisor))
        .Then(n => Inception(n, "inception4c", 128, 128, 256, 24, 64, 64, divisor))
        .Then(n => Inception(n, "inception4d", 112, 144, 288, 32, 64, 64, divisor))
        .Then(n => Inception(n, "inception4e", 256, 160, 320, 32, 128, 128, divisor))
        .MaxPool(2, stride: 2, ceilMode: true, name: "maxpool4")
        .Then(n => Inception(n, "inception5a", 256, 160, 320, 32, 128, 128, divisor))
        .Then(n => Inception(n, "inception5b", 384, 192, 384, 48, 128, 128, divisor))
        .AdaptiveAvgPool(1, name: "avgpool").Flatten().Dropout(0.2, name: "dropout").Dense(classes, name: "fc");

    // Four branches, concatenated: 1×1; 1×1 then 3×3; 1×1 then 3×3 (torchvision's "5×5", a known bug kept for its
    // weights); a 3×3 max pool then 1×1.
    static Network Inception(Network b, string name, int ch1x1, int ch3x3red, int ch3x3, int ch5x5red, int ch5x5, int poolProj, int divisor) => b
        .Concat(
            c => BasicConv(c, "branch1", ch1x1, kernel: 1, stride: 1, padding: 0, divisor),
            c => BasicConv(c, "branch2.0", ch3x3red, kernel: 1, stride: 1, padding: 0, divisor)
                .Then(n => BasicConv(n, "branch2.1", ch3x3, kernel: 3, stride: 1, padding: 1, divisor)),
            c => BasicConv(c, "branch3.0", ch5x5red, kernel: 1, stride: 1, padding: 0, divisor)
                .Then(n => BasicConv(n, "branch3.1", ch5x5, kernel: 3, stride: 1, padding: 1, divisor)),
            c => c.MaxPool(3, stride: 1, padding: 1, ceilMode: true, name: "branch4.0")
                .Then(n => BasicConv(n, "branch4.1", poolProj, kernel: 1, stride: 1, padding: 0, divisor)),
            name: name);

    // torchvision's BasicConv2d: a convolution without bias, BatchNorm with eps 0.001, ReLU.
    static Network BasicConv(Network b, string name, int filters, int kernel, int stride, int padding, int divisor) => b
        .Conv2D((filters + divisor - 1) / divisor, kernel: kernel, stride: stride, padding: padding, bias: false, name: $"{name}.conv")
        .BatchNorm(eps: 0.001, name: $"{name}.bn").ReLU();
}
