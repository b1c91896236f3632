using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Relucent.References.Models;

/// <summary>
/// torchvision.models.GoogLeNet (googlenet.py) with aux_logits=False, transform_input=False: BasicConv2d (conv without
/// bias, bn with eps 0.001, relu) stem, ceil-mode max pools, nine Inception blocks (four branches concatenated along
/// channels; branch3's "5×5" is torchvision's 3×3), avgpool, dropout, fc. Offers every top-level module's output.
/// </summary>
public sealed class GoogLeNet : ReferenceModel
{
    private readonly List<(string Name, nn.Module<Tensor, Tensor> Module)> trunk = new();
    private readonly Modules.Linear fc;

    public GoogLeNet(int classes, int divisor) : base("googlenet", divisor)
    {
        Add("conv1", new BasicConv2d(Probe, 3, Narrow(64), 7, 2, 3));
        Add("maxpool1", MaxPool2d(3, stride: 2, ceil_mode: true));
        Add("conv2", new BasicConv2d(Probe, Narrow(64), Narrow(64), 1, 1, 0));
        Add("conv3", new BasicConv2d(Probe, Narrow(64), Narrow(192), 3, 1, 1));
        Add("maxpool2", MaxPool2d(3, stride: 2, ceil_mode: true));
        long channels = Narrow(192);
        channels = AddInception("inception3a", channels, 64, 96, 128, 16, 32, 32);
        channels = AddInception("inception3b", channels, 128, 128, 192, 32, 96, 64);
        Add("maxpool3", MaxPool2d(3, stride: 2, ceil_mode: true));
        channels = AddInception("inception4a", channels, 192, 96, 208, 16, 48, 64);
        channels = AddInception("inception4b", channels, 160, 112, 224, 24, 64, 64);
        channels = AddInception("inception4c", channels, 128, 128, 256, 24, 64, 64);
        channels = AddInception("inception4d", channels, 112, 144, 288, 32, 64, 64);
        channels = AddInception("inception4e", channels, 256, 160, 320, 32, 128, 128);
        Add("maxpool4", MaxPool2d(2, stride: 2, ceil_mode: true));
        channels = AddInception("inception5a", channels, 256, 160, 320, 32, 128, 128);
        channels = AddInception("inception5b", channels, 384, 192, 384, 48, 128, 128);
        Add("avgpool", AdaptiveAvgPool2d(1));
        Add("dropout", Dropout(0.2));
        fc = Linear(channels, classes);
        register_module("fc", fc);
    }

    private void Add(string name, nn.Module<Tensor, Tensor> module)
    {
        trunk.Add((name, module));
        register_module(name, module);
    }

    private long AddInception(string name, long inChannels, int ch1x1, int ch3x3red, int ch3x3, int ch5x5red, int ch5x5, int poolProj)
    {
        var block = new Inception(this, inChannels, Narrow(ch1x1), Narrow(ch3x3red), Narrow(ch3x3), Narrow(ch5x5red), Narrow(ch5x5), Narrow(poolProj));
        Add(name, block);
        return Narrow(ch1x1) + Narrow(ch3x3) + Narrow(ch5x5) + Narrow(poolProj);
    }

    public override Tensor forward(Tensor input)
    {
        var x = input;
        foreach (var (name, module) in trunk)
        {
            x = Probe.Keep(name, module.call(x));
            if (name == "avgpool") x = x.flatten(1);
        }
        return fc.call(x);
    }

    private sealed class BasicConv2d : nn.Module<Tensor, Tensor>
    {
        private readonly Modules.Conv2d conv;
        private readonly Modules.BatchNorm2d bn;
        private readonly Rectifier relu;

        public BasicConv2d(Probe probe, long inChannels, long outChannels, long kernel, long stride, long padding) : base("BasicConv2d")
        {
            conv = Conv2d(inChannels, outChannels, kernel, stride: stride, padding: padding, bias: false);
            bn = BatchNorm2d(outChannels, eps: 0.001);
            relu = new Rectifier(probe);
            register_module("conv", conv);
            register_module("bn", bn);
        }

        public override Tensor forward(Tensor x) => relu.call(bn.call(conv.call(x)));
    }

    private sealed class Inception : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> branch1;
        private readonly Modules.Sequential branch2, branch3, branch4;

        public Inception(GoogLeNet net, long inChannels, long ch1x1, long ch3x3red, long ch3x3, long ch5x5red, long ch5x5, long poolProj) : base("Inception")
        {
            var p = net.Probe;
            branch1 = new BasicConv2d(p, inChannels, ch1x1, 1, 1, 0);
            branch2 = Sequential(new BasicConv2d(p, inChannels, ch3x3red, 1, 1, 0), new BasicConv2d(p, ch3x3red, ch3x3, 3, 1, 1));
            // torchvision: "Here, kernel_size=3 instead of kernel_size=5 is a known bug" (kept for its weights).
            branch3 = Sequential(new BasicConv2d(p, inChannels, ch5x5red, 1, 1, 0), new BasicConv2d(p, ch5x5red, ch5x5, 3, 1, 1));
            branch4 = Sequential(MaxPool2d(3, stride: 1, padding: 1, ceil_mode: true), new BasicConv2d(p, inChannels, poolProj, 1, 1, 0));
            register_module("branch1", branch1);
            register_module("branch2", branch2);
            register_module("branch3", branch3);
            register_module("branch4", branch4);
        }

        public override Tensor forward(Tensor x) =>
            torch.cat(new[] { branch1.call(x), branch2.call(x), branch3.call(x), branch4.call(x) }, 1);
    }
}
