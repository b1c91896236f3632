using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Relucent.References.Models;

/// <summary>
/// torchvision.models.MobileNetV2 (mobilenetv2.py): features = [Conv2dNormActivation(3, 32, stride 2), 17
/// InvertedResidual blocks (each a `conv` Sequential: expand 1×1 + ReLU6 when t ≠ 1, depthwise 3×3 + ReLU6,
/// linear 1×1 + BatchNorm; the input added when stride 1 and widths agree), Conv2dNormActivation(320, 1280, 1×1)],
/// then adaptive_avg_pool2d(1), flatten, classifier (Dropout, Linear). Offers "features.N" outputs.
/// </summary>
public sealed class MobileNetV2 : ReferenceModel
{
    /// <summary>torchvision's inverted_residual_setting: t (expansion), c (channels), n (blocks), s (first stride).</summary>
    private static readonly int[][] Setting = {
        new[] { 1, 16, 1, 1 }, new[] { 6, 24, 2, 2 }, new[] { 6, 32, 3, 2 }, new[] { 6, 64, 4, 2 },
        new[] { 6, 96, 3, 1 }, new[] { 6, 160, 3, 2 }, new[] { 6, 320, 1, 1 },
    };

    private readonly Modules.Sequential features, classifier;

    public MobileNetV2(int classes, int divisor) : base("mobilenet_v2", divisor)
    {
        long input = Narrow(32);
        features = Sequential();
        features.append(ConvNormReLU6(3, input, 3, 2, 1));
        foreach (var row in Setting)
        {
            long output = Narrow(row[1]);
            for (int i = 0; i < row[2]; i++)
            {
                features.append(new InvertedResidual(this, input, output, i == 0 ? row[3] : 1, row[0]));
                input = output;
            }
        }
        long last = Narrow(1280);
        features.append(ConvNormReLU6(input, last, 1, 1, 1));
        classifier = Sequential(Dropout(0.2), Linear(last, classes));
        register_module("features", features);
        register_module("classifier", classifier);
    }

    /// <summary>torchvision.ops.Conv2dNormActivation: Conv2d (no bias, padding (k−1)/2) then BatchNorm2d then ReLU6, named 0, 1, 2.</summary>
    private Modules.Sequential ConvNormReLU6(long inChannels, long outChannels, long kernel, long stride, long groups) =>
        Sequential(
            Conv2d(inChannels, outChannels, kernel, stride: stride, padding: (kernel - 1) / 2, groups: groups, bias: false),
            BatchNorm2d(outChannels),
            new Rectifier(Probe, six: true));

    public override Tensor forward(Tensor input)
    {
        var x = RunKeeping("features", features, input);
        x = functional.adaptive_avg_pool2d(x, new long[] { 1, 1 }).flatten(1);
        return classifier.call(x);
    }

    private sealed class InvertedResidual : nn.Module<Tensor, Tensor>
    {
        private readonly Modules.Sequential conv;
        private readonly bool residual;

        public InvertedResidual(MobileNetV2 net, long input, long output, long stride, int expansion) : base("InvertedResidual")
        {
            long hidden = input * expansion;
            residual = stride == 1 && input == output;
            conv = Sequential();
            if (expansion != 1) conv.append(net.ConvNormReLU6(input, hidden, 1, 1, 1));
            conv.append(net.ConvNormReLU6(hidden, hidden, 3, stride, hidden));
            conv.append(Conv2d(hidden, output, 1, bias: false));
            conv.append(BatchNorm2d(output));
            register_module("conv", conv);
        }

        public override Tensor forward(Tensor x) => residual ? x + conv.call(x) : conv.call(x);
    }
}
