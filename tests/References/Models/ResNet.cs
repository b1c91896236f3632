using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Relucent.References.Models;

/// <summary>
/// torchvision.models.ResNet (resnet.py): conv1, bn1, relu, maxpool, layer1–layer4 of BasicBlock or Bottleneck
/// (a `downsample` projection when the stride or width changes), avgpool, fc. Offers "layerN" and "layerN.k" outputs.
/// </summary>
public sealed class ResNet : ReferenceModel
{
    private readonly Modules.Conv2d conv1;
    private readonly Modules.BatchNorm2d bn1;
    private readonly Rectifier relu;
    private readonly Modules.MaxPool2d maxpool;
    private readonly Modules.Sequential[] layers;
    private readonly Modules.AdaptiveAvgPool2d avgpool;
    private readonly Modules.Linear fc;

    /// <param name="bottleneck">Bottleneck blocks (expansion 4) instead of BasicBlock (expansion 1).</param>
    /// <param name="blocks">Blocks per layer: resnet18 {2,2,2,2}, resnet34 and resnet50 {3,4,6,3}, resnet101 {3,4,23,3}, resnet152 {3,8,36,3}.</param>
    public ResNet(string name, bool bottleneck, int[] blocks, int classes, int divisor) : base(name, divisor)
    {
        int expansion = bottleneck ? 4 : 1;
        long inPlanes = Narrow(64);
        conv1 = Conv2d(3, inPlanes, 7, stride: 2, padding: 3, bias: false);
        bn1 = BatchNorm2d(inPlanes);
        relu = new Rectifier(Probe);
        maxpool = MaxPool2d(3, stride: 2, padding: 1);
        register_module("conv1", conv1);
        register_module("bn1", bn1);
        register_module("relu", relu);
        register_module("maxpool", maxpool);
        layers = new Modules.Sequential[4];
        long[] planes = { 64, 128, 256, 512 };
        for (int l = 0; l < 4; l++)
        {
            var layer = Sequential();
            long p = Narrow(planes[l]);
            int stride = l == 0 ? 1 : 2;
            for (int b = 0; b < blocks[l]; b++)
            {
                int s = b == 0 ? stride : 1;
                Modules.Sequential? downsample = null;
                if (s != 1 || inPlanes != p * expansion)
                    downsample = Sequential(Conv2d(inPlanes, p * expansion, 1, stride: s, bias: false), BatchNorm2d(p * expansion));
                layer.append(bottleneck ? new Bottleneck(Probe, inPlanes, p, s, downsample) : new BasicBlock(Probe, inPlanes, p, s, downsample));
                inPlanes = p * expansion;
            }
            layers[l] = layer;
            register_module($"layer{l + 1}", layer);
        }
        avgpool = AdaptiveAvgPool2d(1);
        fc = Linear(inPlanes, classes);
        register_module("avgpool", avgpool);
        register_module("fc", fc);
    }

    public override Tensor forward(Tensor input)
    {
        var x = maxpool.call(relu.call(bn1.call(conv1.call(input))));
        Probe.Keep("maxpool", x);
        for (int l = 0; l < 4; l++)
            x = Probe.Keep($"layer{l + 1}", RunKeeping($"layer{l + 1}", layers[l], x));
        return fc.call(avgpool.call(x).flatten(1));
    }

    /// <summary>A residual block: relu(branch(x) + (downsample(x) or x)), `downsample` registered after the branch's modules.</summary>
    private abstract class Block : nn.Module<Tensor, Tensor>
    {
        protected readonly Rectifier relu;
        private readonly Modules.Sequential? downsample;

        protected Block(string name, Probe probe, Modules.Sequential? downsample) : base(name)
        {
            relu = new Rectifier(probe);
            this.downsample = downsample;
        }

        /// <summary>Registers the branch's modules in torchvision's order, then `downsample`.</summary>
        protected void Register(params (string Name, nn.Module Module)[] modules)
        {
            foreach (var (name, module) in modules) register_module(name, module);
            if (downsample is not null) register_module("downsample", downsample);
        }

        protected abstract Tensor Branch(Tensor x);

        public override Tensor forward(Tensor x) => relu.call(Branch(x) + (downsample is null ? x : downsample.call(x)));
    }

    private sealed class BasicBlock : Block
    {
        private readonly Modules.Conv2d conv1, conv2;
        private readonly Modules.BatchNorm2d bn1, bn2;

        public BasicBlock(Probe probe, long inPlanes, long planes, int stride, Modules.Sequential? downsample) : base("BasicBlock", probe, downsample)
        {
            conv1 = Conv2d(inPlanes, planes, 3, stride: stride, padding: 1, bias: false);
            bn1 = BatchNorm2d(planes);
            conv2 = Conv2d(planes, planes, 3, stride: 1, padding: 1, bias: false);
            bn2 = BatchNorm2d(planes);
            Register(("conv1", conv1), ("bn1", bn1), ("relu", relu), ("conv2", conv2), ("bn2", bn2));
        }

        protected override Tensor Branch(Tensor x) => bn2.call(conv2.call(relu.call(bn1.call(conv1.call(x)))));
    }

    private sealed class Bottleneck : Block
    {
        private readonly Modules.Conv2d conv1, conv2, conv3;
        private readonly Modules.BatchNorm2d bn1, bn2, bn3;

        public Bottleneck(Probe probe, long inPlanes, long planes, int stride, Modules.Sequential? downsample) : base("Bottleneck", probe, downsample)
        {
            // torchvision: width = planes · (base_width/64) · groups = planes; the 3×3 convolution carries the stride.
            conv1 = Conv2d(inPlanes, planes, 1, bias: false);
            bn1 = BatchNorm2d(planes);
            conv2 = Conv2d(planes, planes, 3, stride: stride, padding: 1, bias: false);
            bn2 = BatchNorm2d(planes);
            conv3 = Conv2d(planes, planes * 4, 1, bias: false);
            bn3 = BatchNorm2d(planes * 4);
            Register(("conv1", conv1), ("bn1", bn1), ("conv2", conv2), ("bn2", bn2), ("conv3", conv3), ("bn3", bn3), ("relu", relu));
        }

        protected override Tensor Branch(Tensor x)
        {
            var y = relu.call(bn1.call(conv1.call(x)));
            y = relu.call(bn2.call(conv2.call(y)));
            return bn3.call(conv3.call(y));
        }
    }
}
