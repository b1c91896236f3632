using Relucent.Kernels;

namespace Relucent.Benchmarks;

/// <summary>
/// The convolution, pooling and dense layers of torchvision's ResNet-18, ResNet-50, VGG-11-BN, AlexNet, MobileNetV2 and
/// GoogLeNet at 3×224×224 (1000 classes), each distinct geometry once with the number of times the network runs it, so
/// the kernels can be timed at the sizes that matter before the networks are declarable in the DSL.
/// </summary>
public static class ZooLayers
{
    /// <summary>One layer geometry and how many times a network runs it.</summary>
    public abstract record Layer(string Name, int Count)
    {
        /// <summary>Multiply-adds of one forward call (the input gradient does as many).</summary>
        public abstract long MultiplyAdds { get; }
    }

    public sealed record Conv(string Name, ConvolutionGeometry G, int Count = 1) : Layer(Name, Count)
    {
        public override long MultiplyAdds => (long)G.OutputSize * G.GroupChannels * G.Kernel * G.Kernel;
    }

    public sealed record MaxPool(string Name, PoolGeometry G, int Count = 1) : Layer(Name, Count)
    {
        public override long MultiplyAdds => 0;
    }

    public sealed record AdaptiveAvg(string Name, AdaptivePoolGeometry G, int Count = 1) : Layer(Name, Count)
    {
        public override long MultiplyAdds => 0;
    }

    public sealed record Dense(string Name, int Inputs, int Outputs, int Count = 1) : Layer(Name, Count)
    {
        public override long MultiplyAdds => (long)Inputs * Outputs;
    }

    private static Conv C(string name, int c, int side, int f, int k, int s, int p, int count = 1, int groups = 1) =>
        new(name, new ConvolutionGeometry(c, side, side, f, k, s, p, p, p, p, groups), count);

    private static MaxPool Max(string name, int c, int side, int k, int s, int p = 0, bool ceil = false) =>
        new(name, new PoolGeometry(c, side, side, k, s, p, p, p, p, ceil));

    private static AdaptiveAvg Avg(string name, int c, int side, int output) => new(name, new AdaptivePoolGeometry(c, side, side, output, output));

    public static readonly (string Name, Layer[] Layers)[] Networks =
    {
        ("resnet18", new Layer[]
        {
            C("conv1 7×7 s2", 3, 224, 64, 7, 2, 3), Max("maxpool 3 s2 p1", 64, 112, 3, 2, 1),
            C("layer1 3×3", 64, 56, 64, 3, 1, 1, count: 4),
            C("layer2.0 3×3 s2", 64, 56, 128, 3, 2, 1), C("layer2 3×3", 128, 28, 128, 3, 1, 1, count: 3), C("layer2.0 downsample 1×1 s2", 64, 56, 128, 1, 2, 0),
            C("layer3.0 3×3 s2", 128, 28, 256, 3, 2, 1), C("layer3 3×3", 256, 14, 256, 3, 1, 1, count: 3), C("layer3.0 downsample 1×1 s2", 128, 28, 256, 1, 2, 0),
            C("layer4.0 3×3 s2", 256, 14, 512, 3, 2, 1), C("layer4 3×3", 512, 7, 512, 3, 1, 1, count: 3), C("layer4.0 downsample 1×1 s2", 256, 14, 512, 1, 2, 0),
            Avg("avgpool", 512, 7, 1), new Dense("fc", 512, 1000),
        }),
        ("resnet50", new Layer[]
        {
            C("conv1 7×7 s2", 3, 224, 64, 7, 2, 3), Max("maxpool 3 s2 p1", 64, 112, 3, 2, 1),
            C("layer1.0 1×1 64→64", 64, 56, 64, 1, 1, 0), C("layer1 3×3", 64, 56, 64, 3, 1, 1, count: 3), C("layer1 1×1 64→256", 64, 56, 256, 1, 1, 0, count: 4),
            C("layer1 1×1 256→64", 256, 56, 64, 1, 1, 0, count: 2),
            C("layer2.0 1×1 256→128", 256, 56, 128, 1, 1, 0), C("layer2.0 3×3 s2", 128, 56, 128, 3, 2, 1), C("layer2 1×1 128→512", 128, 28, 512, 1, 1, 0, count: 4),
            C("layer2.0 downsample 1×1 s2", 256, 56, 512, 1, 2, 0), C("layer2 1×1 512→128", 512, 28, 128, 1, 1, 0, count: 3), C("layer2 3×3", 128, 28, 128, 3, 1, 1, count: 3),
            C("layer3.0 1×1 512→256", 512, 28, 256, 1, 1, 0), C("layer3.0 3×3 s2", 256, 28, 256, 3, 2, 1), C("layer3 1×1 256→1024", 256, 14, 1024, 1, 1, 0, count: 6),
            C("layer3.0 downsample 1×1 s2", 512, 28, 1024, 1, 2, 0), C("layer3 1×1 1024→256", 1024, 14, 256, 1, 1, 0, count: 5), C("layer3 3×3", 256, 14, 256, 3, 1, 1, count: 5),
            C("layer4.0 1×1 1024→512", 1024, 14, 512, 1, 1, 0), C("layer4.0 3×3 s2", 512, 14, 512, 3, 2, 1), C("layer4 1×1 512→2048", 512, 7, 2048, 1, 1, 0, count: 3),
            C("layer4.0 downsample 1×1 s2", 1024, 14, 2048, 1, 2, 0), C("layer4 1×1 2048→512", 2048, 7, 512, 1, 1, 0, count: 2), C("layer4 3×3", 512, 7, 512, 3, 1, 1, count: 2),
            Avg("avgpool", 2048, 7, 1), new Dense("fc", 2048, 1000),
        }),
        ("vgg11_bn", new Layer[]
        {
            C("conv 3→64", 3, 224, 64, 3, 1, 1), Max("pool1", 64, 224, 2, 2),
            C("conv 64→128", 64, 112, 128, 3, 1, 1), Max("pool2", 128, 112, 2, 2),
            C("conv 128→256", 128, 56, 256, 3, 1, 1), C("conv 256→256", 256, 56, 256, 3, 1, 1), Max("pool3", 256, 56, 2, 2),
            C("conv 256→512", 256, 28, 512, 3, 1, 1), C("conv 512→512 @28", 512, 28, 512, 3, 1, 1), Max("pool4", 512, 28, 2, 2),
            C("conv 512→512 @14", 512, 14, 512, 3, 1, 1, count: 2), Max("pool5", 512, 14, 2, 2),
            Avg("avgpool 7→7", 512, 7, 7), new Dense("fc1", 25088, 4096), new Dense("fc2", 4096, 4096), new Dense("fc3", 4096, 1000),
        }),
        ("alexnet", new Layer[]
        {
            C("conv1 11×11 s4", 3, 224, 64, 11, 4, 2), Max("pool1 3 s2", 64, 55, 3, 2),
            C("conv2 5×5", 64, 27, 192, 5, 1, 2), Max("pool2 3 s2", 192, 27, 3, 2),
            C("conv3 3×3", 192, 13, 384, 3, 1, 1), C("conv4 3×3", 384, 13, 256, 3, 1, 1), C("conv5 3×3", 256, 13, 256, 3, 1, 1), Max("pool3 3 s2", 256, 13, 3, 2),
            Avg("avgpool 6→6", 256, 6, 6), new Dense("fc1", 9216, 4096), new Dense("fc2", 4096, 4096), new Dense("fc3", 4096, 1000),
        }),
        ("mobilenet_v2", MobileNetV2()),
        ("googlenet", GoogLeNet()),
    };

    private static Layer[] MobileNetV2()
    {
        var layers = new List<Layer> { C("features.0 3×3 s2", 3, 224, 32, 3, 2, 1) };
        int channels = 32, side = 112, block = 1;
        foreach (var (t, c, n, s) in new[] { (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1) })
        {
            for (int i = 0; i < n; i++, block++)
            {
                int stride = i == 0 ? s : 1, hidden = channels * t;
                if (t != 1) layers.Add(C($"block{block} expand 1×1 {channels}→{hidden}", channels, side, hidden, 1, 1, 0));
                layers.Add(C($"block{block} depthwise 3×3 s{stride} ×{hidden}", hidden, side, hidden, 3, stride, 1, groups: hidden));
                side = (side + 2 - 3) / stride + 1;
                layers.Add(C($"block{block} project 1×1 {hidden}→{c}", hidden, side, c, 1, 1, 0));
                channels = c;
            }
        }
        layers.Add(C("features.18 1×1 320→1280", 320, 7, 1280, 1, 1, 0));
        layers.Add(Avg("avgpool", 1280, 7, 1));
        layers.Add(new Dense("classifier", 1280, 1000));
        return layers.ToArray();
    }

    private static Layer[] GoogLeNet()
    {
        var layers = new List<Layer>
        {
            C("conv1 7×7 s2", 3, 224, 64, 7, 2, 3), Max("maxpool1 3 s2 ceil", 64, 112, 3, 2, ceil: true),
            C("conv2 1×1", 64, 56, 64, 1, 1, 0), C("conv3 3×3", 64, 56, 192, 3, 1, 1), Max("maxpool2 3 s2 ceil", 192, 56, 3, 2, ceil: true),
        };
        void Inception(string name, int side, int input, int ch1, int ch3r, int ch3, int ch5r, int ch5, int pool)
        {
            layers.Add(C($"{name} 1×1 →{ch1}", input, side, ch1, 1, 1, 0));
            layers.Add(C($"{name} 1×1 →{ch3r}", input, side, ch3r, 1, 1, 0));
            layers.Add(C($"{name} 3×3 {ch3r}→{ch3}", ch3r, side, ch3, 3, 1, 1));
            layers.Add(C($"{name} 1×1 →{ch5r}", input, side, ch5r, 1, 1, 0));
            layers.Add(C($"{name} 3×3 {ch5r}→{ch5}", ch5r, side, ch5, 3, 1, 1)); // torchvision's "5×5" branch is 3×3
            layers.Add(Max($"{name} pool 3 s1 p1 ceil", input, side, 3, 1, 1, ceil: true));
            layers.Add(C($"{name} pool 1×1 →{pool}", input, side, pool, 1, 1, 0));
        }
        Inception("3a", 28, 192, 64, 96, 128, 16, 32, 32);
        Inception("3b", 28, 256, 128, 128, 192, 32, 96, 64);
        layers.Add(Max("maxpool3 3 s2 ceil", 480, 28, 3, 2, ceil: true));
        Inception("4a", 14, 480, 192, 96, 208, 16, 48, 64);
        Inception("4b", 14, 512, 160, 112, 224, 24, 64, 64);
        Inception("4c", 14, 512, 128, 128, 256, 24, 64, 64);
        Inception("4d", 14, 512, 112, 144, 288, 32, 64, 64);
        Inception("4e", 14, 528, 256, 160, 320, 32, 128, 128);
        layers.Add(Max("maxpool4 2 s2 ceil", 832, 14, 2, 2, ceil: true));
        Inception("5a", 7, 832, 256, 160, 320, 32, 128, 128);
        Inception("5b", 7, 832, 384, 192, 384, 48, 128, 128);
        layers.Add(Avg("avgpool", 1024, 7, 1));
        layers.Add(new Dense("fc", 1024, 1000));
        return layers.ToArray();
    }
}
