using Relucent;

namespace Relucent.Testing;

// The LeNet of the Captum fixtures (Fixtures/captum in the test projects), declared once and linked into every project
// that uses it; each project's generator writes its own code for it.

/// <summary>The Captum fixture LeNet on 1×12×12 inputs.</summary>
[Saliency, DeconvNet, GuidedBackprop]
public partial class CaptumLeNet
{
    static readonly Network Spec = Net.Input(channels: 1, height: 12, width: 12)
        .Conv2D(4, kernel: 3, padding: 1).ReLU().MaxPool(2)
        .Conv2D(8, kernel: 3).ReLU().MaxPool(2)
        .Flatten()
        .Dense(16).ReLU()
        .Dense(5);
}

/// <summary>The same LeNet in double precision.</summary>
[Saliency, DeconvNet, GuidedBackprop, DoublePrecision]
public partial class CaptumLeNet64
{
    static readonly Network Spec = Net.Input(channels: 1, height: 12, width: 12)
        .Conv2D(4, kernel: 3, padding: 1).ReLU().MaxPool(2)
        .Conv2D(8, kernel: 3).ReLU().MaxPool(2)
        .Flatten()
        .Dense(16).ReLU()
        .Dense(5);
}
