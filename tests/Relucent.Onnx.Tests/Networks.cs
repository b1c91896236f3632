using Relucent;

// The Captum fixture MLP declared by hand, as a user would; the generator compiles it, and the tests load the ONNX
// export's weights into it. The fixture LeNet is the one every test project shares, Relucent.Testing.CaptumLeNet
// (tests/Shared/CaptumLeNet.cs).
namespace Relucent.Onnx.Tests;

/// <summary>The fixture MLP: nn.Sequential(Linear(8, 16), ReLU, Linear(16, 12), ReLU, Linear(12, 4)).</summary>
[Saliency]
public partial class Mlp
{
    static readonly Network Spec = Net.Input(8).Dense(16).ReLU().Dense(12).ReLU().Dense(4);
}
