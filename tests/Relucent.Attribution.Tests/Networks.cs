using Relucent;

// Networks declared as a user declares them; the generator runs on this project as an analyzer.
namespace Relucent.Attribution.Tests;

/// <summary>The Captum fixture MLP (PyTorch nn.Sequential indices 0..4).</summary>
[Saliency, DeconvNet, GuidedBackprop]
public partial class Mlp
{
    static readonly Network Spec = Net.Input(8).Dense(16).ReLU().Dense(12).ReLU().Dense(4);
}

/// <summary>The MLP in double precision.</summary>
[Saliency, DeconvNet, GuidedBackprop, DoublePrecision]
public partial class Mlp64
{
    static readonly Network Spec = Net.Input(8).Dense(16).ReLU().Dense(12).ReLU().Dense(4);
}

#pragma warning disable RLC013 // no ReLU on purpose: linear and smooth models, where every rule is the gradient
/// <summary>A linear model <c>y = W·x + b</c>: integrated gradients is exactly <c>(x − b)·W[target]</c>.</summary>
[Saliency]
public partial class Linear
{
    static readonly Network Spec = Net.Input(6).Dense(3);
}

/// <summary>The linear model in double precision.</summary>
[Saliency, DoublePrecision]
public partial class Linear64
{
    static readonly Network Spec = Net.Input(6).Dense(3);
}

/// <summary>A linear model over a 2×2×3 image (flattened): a pixel is both channels of one position.</summary>
[Saliency, DoublePrecision]
public partial class LinearImage64
{
    static readonly Network Spec = Net.Input(2, 2, 3).Flatten().Dense(1);
}

/// <summary>A smooth network, whose path integral the quadratures approach at their textbook rates.</summary>
[Saliency, DoublePrecision]
public partial class Smooth64
{
    static readonly Network Spec = Net.Input(8).Dense(16).Tanh().Dense(4);
}
#pragma warning restore RLC013
