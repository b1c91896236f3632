using Relucent;

// Networks declared as a user declares them; the generator runs on this project as an analyzer.
namespace Relucent.Training.Tests;

/// <summary>A small MLP in double precision: finite differences and hand-computed optimiser steps.</summary>
[Saliency, DeconvNet, GuidedBackprop, DoublePrecision]
public partial class Mlp64
{
    static readonly Network Spec = Net.Input(4).Dense(6).ReLU().Dense(3);
}

/// <summary>A convolution, batch normalisation and pooling in double precision: running statistics are not trained.</summary>
[Saliency, DeconvNet, GuidedBackprop, DoublePrecision]
public partial class NormCnn64
{
    static readonly Network Spec = Net.Input(2, 6, 6)
        .Conv2D(3, kernel: 3, padding: 1, name: "conv").BatchNorm(name: "bn").ReLU().MaxPool(2)
        .Flatten().Dense(3, name: "head");
}

/// <summary>A small CNN in float: training determinism over workers.</summary>
[Saliency, DeconvNet, GuidedBackprop]
public partial class TinyCnn
{
    static readonly Network Spec = Net.Input(1, 8, 8)
        .Conv2D(4, kernel: 3, padding: 1).ReLU().MaxPool(2)
        .Conv2D(6, kernel: 3, padding: 1).ReLU().MaxPool(2)
        .Flatten().Dense(8).ReLU().Dense(3);
}

/// <summary>A two-feature classifier for a separable toy problem.</summary>
[Saliency, DeconvNet, GuidedBackprop]
public partial class ToyNet
{
    static readonly Network Spec = Net.Input(2).Dense(16).ReLU().Dense(2);
}
