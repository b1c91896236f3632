namespace Relucent.Samples.TorchVision;

/// <summary>One model of this sample: torchvision's name for it and its generated classes in float32 and float64.</summary>
/// <param name="Name">torchvision's constructor name (<c>resnet50</c>, <c>vgg11_bn</c>).</param>
/// <param name="Architecture">The declared network (the same in both precisions).</param>
/// <param name="Single">Builds the float32 network from a state_dict's tensors (names and shapes checked first).</param>
/// <param name="Double">Builds the float64 (<c>[DoublePrecision]</c>) network from a state_dict's tensors.</param>
/// <param name="SingleShapes">The float32 class's <c>ParameterShapes</c>: every tensor it loads, in order.</param>
/// <param name="DoubleShapes">The float64 class's <c>ParameterShapes</c>.</param>
public sealed record TorchVisionModel(
    string Name,
    Network Architecture,
    Func<IReadOnlyDictionary<string, Tensor>, IExplainer<float>> Single,
    Func<IReadOnlyDictionary<string, Tensor>, IExplainer<double>> Double,
    IReadOnlyList<ParameterShape> SingleShapes,
    IReadOnlyList<ParameterShape> DoubleShapes);

/// <summary>Every model this sample declares, by torchvision's name: for the program, the tests and the benchmarks.</summary>
public static class TorchVisionModels
{
    /// <summary>The 16 models in torchvision's order of families.</summary>
    public static IReadOnlyList<TorchVisionModel> All { get; } =
    [
        new("resnet18", ResNet18.Architecture, ResNet18.FromTensors, ResNet18Double.FromTensors, ResNet18.ParameterShapes, ResNet18Double.ParameterShapes),
        new("resnet34", ResNet34.Architecture, ResNet34.FromTensors, ResNet34Double.FromTensors, ResNet34.ParameterShapes, ResNet34Double.ParameterShapes),
        new("resnet50", ResNet50.Architecture, ResNet50.FromTensors, ResNet50Double.FromTensors, ResNet50.ParameterShapes, ResNet50Double.ParameterShapes),
        new("resnet101", ResNet101.Architecture, ResNet101.FromTensors, ResNet101Double.FromTensors, ResNet101.ParameterShapes, ResNet101Double.ParameterShapes),
        new("resnet152", ResNet152.Architecture, ResNet152.FromTensors, ResNet152Double.FromTensors, ResNet152.ParameterShapes, ResNet152Double.ParameterShapes),
        new("vgg11", Vgg11.Architecture, Vgg11.FromTensors, Vgg11Double.FromTensors, Vgg11.ParameterShapes, Vgg11Double.ParameterShapes),
        new("vgg11_bn", Vgg11BN.Architecture, Vgg11BN.FromTensors, Vgg11BNDouble.FromTensors, Vgg11BN.ParameterShapes, Vgg11BNDouble.ParameterShapes),
        new("vgg13", Vgg13.Architecture, Vgg13.FromTensors, Vgg13Double.FromTensors, Vgg13.ParameterShapes, Vgg13Double.ParameterShapes),
        new("vgg13_bn", Vgg13BN.Architecture, Vgg13BN.FromTensors, Vgg13BNDouble.FromTensors, Vgg13BN.ParameterShapes, Vgg13BNDouble.ParameterShapes),
        new("vgg16", Vgg16.Architecture, Vgg16.FromTensors, Vgg16Double.FromTensors, Vgg16.ParameterShapes, Vgg16Double.ParameterShapes),
        new("vgg16_bn", Vgg16BN.Architecture, Vgg16BN.FromTensors, Vgg16BNDouble.FromTensors, Vgg16BN.ParameterShapes, Vgg16BNDouble.ParameterShapes),
        new("vgg19", Vgg19.Architecture, Vgg19.FromTensors, Vgg19Double.FromTensors, Vgg19.ParameterShapes, Vgg19Double.ParameterShapes),
        new("vgg19_bn", Vgg19BN.Architecture, Vgg19BN.FromTensors, Vgg19BNDouble.FromTensors, Vgg19BN.ParameterShapes, Vgg19BNDouble.ParameterShapes),
        new("alexnet", AlexNet.Architecture, AlexNet.FromTensors, AlexNetDouble.FromTensors, AlexNet.ParameterShapes, AlexNetDouble.ParameterShapes),
        new("mobilenet_v2", MobileNetV2.Architecture, MobileNetV2.FromTensors, MobileNetV2Double.FromTensors, MobileNetV2.ParameterShapes, MobileNetV2Double.ParameterShapes),
        new("googlenet", GoogLeNet.Architecture, GoogLeNet.FromTensors, GoogLeNetDouble.FromTensors, GoogLeNet.ParameterShapes, GoogLeNetDouble.ParameterShapes),
    ];

    /// <summary>The model torchvision calls <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No model has that name; the message lists them.</exception>
    public static TorchVisionModel Get(string name) =>
        All.FirstOrDefault(m => m.Name == name)
        ?? throw new ArgumentException($"no model '{name}'; the models are {string.Join(", ", All.Select(m => m.Name))}", nameof(name));
}
