using TorchSharp;
using static TorchSharp.torch;

namespace Relucent.References.Models;

/// <summary>One torchvision model: its constructor here (any width) and TorchVision 0.107's own (full width).</summary>
public sealed record ZooEntry(string Name, Func<int, int, int, ReferenceModel> Mine, Func<int, nn.Module<Tensor, Tensor>> TorchVision)
{
    /// <summary>Builds the model written here: classes, channel divisor, divisor of VGG's and AlexNet's 4096 hidden units.</summary>
    public ReferenceModel Build(int classes, int divisor, int hiddenDivisor = 1) => Mine(classes, divisor, hiddenDivisor);
}

/// <summary>Every full-size model the issues name (14 and 19), by torchvision's constructor name.</summary>
public static class Zoo
{
    public static readonly IReadOnlyList<ZooEntry> All = new List<ZooEntry> {
        new("resnet18", (c, d, h) => new ResNet("resnet18", false, new[] { 2, 2, 2, 2 }, c, d), c => torchvision.models.resnet18(c)),
        new("resnet34", (c, d, h) => new ResNet("resnet34", false, new[] { 3, 4, 6, 3 }, c, d), c => torchvision.models.resnet34(c)),
        new("resnet50", (c, d, h) => new ResNet("resnet50", true, new[] { 3, 4, 6, 3 }, c, d), c => torchvision.models.resnet50(c)),
        new("resnet101", (c, d, h) => new ResNet("resnet101", true, new[] { 3, 4, 23, 3 }, c, d), c => torchvision.models.resnet101(c)),
        new("resnet152", (c, d, h) => new ResNet("resnet152", true, new[] { 3, 8, 36, 3 }, c, d), c => torchvision.models.resnet152(c)),
        new("vgg11", (c, d, h) => new Vgg(11, false, c, d, h), c => torchvision.models.vgg11(c)),
        new("vgg11_bn", (c, d, h) => new Vgg(11, true, c, d, h), c => torchvision.models.vgg11_bn(c)),
        new("vgg13", (c, d, h) => new Vgg(13, false, c, d, h), c => torchvision.models.vgg13(c)),
        new("vgg13_bn", (c, d, h) => new Vgg(13, true, c, d, h), c => torchvision.models.vgg13_bn(c)),
        new("vgg16", (c, d, h) => new Vgg(16, false, c, d, h), c => torchvision.models.vgg16(c)),
        new("vgg16_bn", (c, d, h) => new Vgg(16, true, c, d, h), c => torchvision.models.vgg16_bn(c)),
        new("vgg19", (c, d, h) => new Vgg(19, false, c, d, h), c => torchvision.models.vgg19(c)),
        new("vgg19_bn", (c, d, h) => new Vgg(19, true, c, d, h), c => torchvision.models.vgg19_bn(c)),
        new("alexnet", (c, d, h) => new AlexNet(c, d, h), c => torchvision.models.alexnet(c)),
        new("mobilenet_v2", (c, d, h) => new MobileNetV2(c, d), c => torchvision.models.mobilenet_v2(c)),
        new("googlenet", (c, d, h) => new GoogLeNet(c, d), c => torchvision.models.googlenet(c)),
    };

    public static ZooEntry Get(string name) =>
        All.FirstOrDefault(e => e.Name == name) ?? throw new ArgumentException($"no model '{name}'; known: {string.Join(", ", All.Select(e => e.Name))}");
}
