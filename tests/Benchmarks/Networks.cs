using Relucent;

// The four networks of the performance comparison (issue 5), declared as a user declares them; the same
// architectures as /work/shared/anchors/torchsharp/Program.cs builds in libtorch.
namespace Relucent.Benchmarks;

/// <summary>mlp 8→16→12→4.</summary>
[Saliency, DeconvNet, GuidedBackprop]
public partial class Mlp
{
    static readonly Network Spec = Net.Input(8)
        .Dense(16).ReLU()
        .Dense(12).ReLU()
        .Dense(4);
}

/// <summary>A small VGG on 3×32×32.</summary>
[Saliency, DeconvNet, GuidedBackprop]
public partial class Vgg
{
    static readonly Network Spec = Net.Input(3, 32, 32)
        .Conv2D(16, kernel: 3, padding: 1).ReLU()
        .Conv2D(16, kernel: 3, padding: 1).ReLU()
        .MaxPool(2)
        .Conv2D(32, kernel: 3, padding: 1).ReLU()
        .Conv2D(32, kernel: 3, padding: 1).ReLU()
        .MaxPool(2)
        .Flatten()
        .Dense(64).ReLU()
        .Dense(10);
}

/// <summary>The Keras/PyTorch MNIST example CNN on 1×28×28.</summary>
[Saliency, DeconvNet, GuidedBackprop]
public partial class MnistCnn
{
    static readonly Network Spec = Net.Input(1, 28, 28)
        .Conv2D(32, kernel: 3).ReLU()
        .Conv2D(64, kernel: 3).ReLU()
        .MaxPool(2)
        .Flatten()
        .Dense(128).ReLU()
        .Dense(10);
}
