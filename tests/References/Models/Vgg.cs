using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Relucent.References.Models;

/// <summary>
/// torchvision.models.VGG (vgg.py): features (3×3 convolutions with bias, optional BatchNorm, ReLU, 2×2 max pools),
/// avgpool = AdaptiveAvgPool2d((7, 7)), classifier (Linear, ReLU, Dropout, Linear, ReLU, Dropout, Linear).
/// </summary>
public sealed class Vgg : FeaturesClassifierModel
{
    /// <summary>torchvision's cfgs: channel counts, 0 for "M" (a max pool).</summary>
    public static readonly IReadOnlyDictionary<int, int[]> Configurations = new Dictionary<int, int[]> {
        [11] = new[] { 64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0 },
        [13] = new[] { 64, 64, 0, 128, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0 },
        [16] = new[] { 64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0 },
        [19] = new[] { 64, 64, 0, 128, 128, 0, 256, 256, 256, 256, 0, 512, 512, 512, 512, 0, 512, 512, 512, 512, 0 },
    };

    /// <param name="hiddenDivisor">Divides the classifier's 4096 hidden units (its first Linear dominates the weights).</param>
    public Vgg(int depth, bool batchNorm, int classes, int divisor, int hiddenDivisor) : base($"vgg{depth}{(batchNorm ? "_bn" : "")}", divisor)
    {
        var features = Sequential();
        long inChannels = 3;
        foreach (int c in Configurations[depth])
        {
            if (c == 0) { features.append(MaxPool2d(2, stride: 2)); continue; }
            long outChannels = Narrow(c);
            features.append(Conv2d(inChannels, outChannels, 3, padding: 1));
            if (batchNorm) features.append(BatchNorm2d(outChannels));
            features.append(new Rectifier(Probe));
            inChannels = outChannels;
        }
        long hidden = Math.Max(1, (4096 + hiddenDivisor - 1) / hiddenDivisor);
        Register(features, 7, Sequential(
            Linear(inChannels * 7 * 7, hidden), new Rectifier(Probe), Dropout(0.5),
            Linear(hidden, hidden), new Rectifier(Probe), Dropout(0.5),
            Linear(hidden, classes)));
    }
}

/// <summary>
/// torchvision.models.AlexNet (alexnet.py): features (11×11 stride 4 padding 2, overlapping 3×3 stride 2 max pools),
/// avgpool = AdaptiveAvgPool2d((6, 6)), classifier (Dropout, Linear, ReLU, Dropout, Linear, ReLU, Linear).
/// </summary>
public sealed class AlexNet : FeaturesClassifierModel
{
    public AlexNet(int classes, int divisor, int hiddenDivisor) : base("alexnet", divisor)
    {
        long c1 = Narrow(64), c2 = Narrow(192), c3 = Narrow(384), c4 = Narrow(256), c5 = Narrow(256);
        var features = Sequential(
            Conv2d(3, c1, 11, stride: 4, padding: 2), new Rectifier(Probe), MaxPool2d(3, stride: 2),
            Conv2d(c1, c2, 5, padding: 2), new Rectifier(Probe), MaxPool2d(3, stride: 2),
            Conv2d(c2, c3, 3, padding: 1), new Rectifier(Probe),
            Conv2d(c3, c4, 3, padding: 1), new Rectifier(Probe),
            Conv2d(c4, c5, 3, padding: 1), new Rectifier(Probe), MaxPool2d(3, stride: 2));
        long hidden = Math.Max(1, (4096 + hiddenDivisor - 1) / hiddenDivisor);
        Register(features, 6, Sequential(
            Dropout(0.5), Linear(c5 * 6 * 6, hidden), new Rectifier(Probe),
            Dropout(0.5), Linear(hidden, hidden), new Rectifier(Probe),
            Linear(hidden, classes)));
    }
}

/// <summary>
/// The layout torchvision's VGG and AlexNet share: features, avgpool = AdaptiveAvgPool2d((n, n)), flatten,
/// classifier. Offers "features.N", "avgpool" and "classifier.N" outputs.
/// </summary>
public abstract class FeaturesClassifierModel : ReferenceModel
{
    private Modules.Sequential? features, classifier;
    private Modules.AdaptiveAvgPool2d? avgpool;

    protected FeaturesClassifierModel(string name, int divisor) : base(name, divisor) { }

    /// <summary>Called once by the constructor, after building the Sequentials (their rectifiers need <see cref="ReferenceModel.Probe"/>).</summary>
    protected void Register(Modules.Sequential features, long pooledSize, Modules.Sequential classifier)
    {
        this.features = features;
        avgpool = AdaptiveAvgPool2d(new[] { pooledSize, pooledSize });
        this.classifier = classifier;
        register_module("features", features);
        register_module("avgpool", avgpool);
        register_module("classifier", classifier);
    }

    public override Tensor forward(Tensor input)
    {
        var x = RunKeeping("features", features!, input);
        x = Probe.Keep("avgpool", avgpool!.call(x)).flatten(1);
        return RunKeeping("classifier", classifier!, x);
    }
}
