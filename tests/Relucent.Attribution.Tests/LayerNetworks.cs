using Relucent;

// Networks with named layers for the layer attribution tests, declared as a user declares them.
namespace Relucent.Attribution.Tests;

/// <summary>A small residual CNN with named layers at every depth: a stem, a block's inner layers, the block, a strided stage, a flattened vector.</summary>
[Saliency, DeconvNet, GuidedBackprop, DoublePrecision]
public partial class CamNet64
{
    static readonly Network Spec = CamNets.Layers(Net.Input(3, 12, 10));
}

/// <summary>The same network in float32.</summary>
[Saliency, DeconvNet, GuidedBackprop]
public partial class CamNet
{
    static readonly Network Spec = CamNets.Layers(Net.Input(3, 12, 10));
}

/// <summary>The same network with the gradient only: Guided Grad-CAM is refused.</summary>
[Saliency, DoublePrecision]
public partial class CamNetGradientOnly64
{
    static readonly Network Spec = CamNets.Layers(Net.Input(3, 12, 10));
}

/// <summary>
/// A network small enough to compute by hand: a 1×1×2 input, a 1×1 convolution to two channels, a named ReLU, one dense
/// output. The gradient at the ReLU's output is the dense weights, its activation the convolution's positive part.
/// </summary>
[Saliency, DeconvNet, GuidedBackprop, DoublePrecision]
public partial class TinyCam64
{
    static readonly Network Spec = Net.Input(1, 1, 2).Conv2D(2, kernel: 1).ReLU(name: "act").Flatten().Dense(1);
}

/// <summary>The CAM networks' layers, declared once for the three classes above.</summary>
public static class CamNets
{
    public static Network Layers(Network b) => b
        .Conv2D(4, kernel: 3, padding: 1).ReLU(name: "stem")
        .Residual(r => r.Conv2D(4, kernel: 3, padding: 1, name: "conv1").ReLU(name: "act").Conv2D(4, kernel: 3, padding: 1), name: "block").ReLU(name: "layer1")
        .Conv2D(6, kernel: 3, stride: 2, padding: 1).ReLU(name: "layer2")
        .Flatten(name: "flat").Dense(5, name: "fc");
}
