using Relucent;

// The Captum fixture networks declared by hand, as a user would; the generator compiles them, and the tests
// load the ONNX exports' weights into them.
namespace Relucent.Onnx.Tests;

/// <summary>The fixture MLP: nn.Sequential(Linear(8, 16), ReLU, Linear(16, 12), ReLU, Linear(12, 4)).</summary>
[Saliency]
public partial class Mlp
{
    static readonly Network Spec = Net.Input(8).Dense(16).ReLU().Dense(12).ReLU().Dense(4);
}

/// <summary>The fixture LeNet on 1×12×12 images.</summary>
[Saliency]
public partial class LeNet
{
    static readonly Network Spec = Net.Input(1, 12, 12).Conv2D(4, kernel: 3, padding: 1).ReLU().MaxPool(2).Conv2D(8, kernel: 3).ReLU().MaxPool(2).Flatten().Dense(16).ReLU().Dense(5);
}
