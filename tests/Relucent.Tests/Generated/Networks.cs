using Relucent;

// Networks declared as a user declares them; the generator runs on this project as an analyzer,
// and the tests in this folder call what it wrote.
namespace Relucent.Tests.Generated;

/// <summary>The worked example: one ReLU on a 1×2×2 image.</summary>
[Saliency, DeconvNet, GuidedBackprop]
public partial class SeedNetwork
{
    static readonly Network Spec = Net.Input(channels: 1, height: 2, width: 2).ReLU();
}

/// <summary>The Captum fixture MLP (PyTorch nn.Sequential indices 0..4).</summary>
[Saliency, DeconvNet, GuidedBackprop]
public partial class CaptumMlp
{
    static readonly Network Spec = Net.Input(8)
        .Dense(16).ReLU()
        .Dense(12).ReLU()
        .Dense(4);
}

/// <summary>The same MLP in double precision, checked against Captum's float64 results to 1e-9.</summary>
[Saliency, DeconvNet, GuidedBackprop, DoublePrecision]
public partial class CaptumMlp64
{
    static readonly Network Spec = Net.Input(8)
        .Dense(16).ReLU()
        .Dense(12).ReLU()
        .Dense(4);
}

/// <summary>Captum's analytic test network (test_simple_input_conv_gb / _deconv).</summary>
[Saliency, DeconvNet, GuidedBackprop]
public partial class CaptumAnalyticConv
{
    static readonly Network Spec = Net.Input(1, 4, 4)
        .Conv2D(2, kernel: 3).ReLU()
        .Flatten()
        .Dense(4).ReLU();
}

/// <summary>A dense network with every smooth activation, for finite differences in double precision.</summary>
[Saliency, DoublePrecision]
public partial class SmoothDense64
{
    static readonly Network Spec = Net.Input(7)
        .Dense(9).Tanh()
        .Dense(8).ReLU()
        .Dense(6).Sigmoid()
        .Dropout(0.5)
        .Dense(5).ReLU()
        .Dense(3);
}

/// <summary>Every convolutional layer type, for finite differences in double precision.</summary>
[Saliency, DeconvNet, GuidedBackprop, DoublePrecision]
public partial class EveryLayer64
{
    static readonly Network Spec = Net.Input(2, 9, 8)
        .Conv2D(3, kernel: 3, stride: 2, padding: 1, name: "stem").BatchNorm(name: "bn").ReLU()
        .Residual(b => b.Conv2D(3, kernel: 3, padding: 1, name: "conv1").Tanh().Conv2D(3, kernel: 1, bias: false, name: "conv2"), name: "block")
        .ReLU()
        .MaxPool(2, stride: 1)
        .AvgPool(2)
        .Flatten()
        .Dropout(0.2)
        .Dense(6).Sigmoid()
        .Dense(4)
        .Softmax();
}

#pragma warning disable RLC013 // no ReLU: every rule gives the gradient, which is what this class checks
/// <summary>A network without ReLU: all rules must coincide (and the warning is silenced by #pragma).</summary>
[Saliency, DeconvNet, GuidedBackprop]
public partial class NoRelu
{
    static readonly Network Spec = Net.Input(6).Dense(5).Tanh().Dense(3);
}
#pragma warning restore RLC013

/// <summary>A trunk and a dense head of 4.2 M weights (a named ReLU in it) that batches run once for all their examples (DenseHeadSplit).</summary>
[Saliency, DeconvNet, GuidedBackprop]
public partial class HeadedNet
{
    static readonly Network Spec = Net.Input(3, 16, 16)
        .Conv2D(16, kernel: 3, padding: 1).ReLU().MaxPool(2)
        .Flatten().Dense(4096).ReLU(name: "fc1").Dropout(0.5).Dense(96).ReLU().Dense(10);
}

/// <summary>HeadedNet's kind in float64 with a BatchNorm in the trunk: its batches' trunks run the merged passes.</summary>
[Saliency, DeconvNet, GuidedBackprop, DoublePrecision]
public partial class HeadedBatchNorm64
{
    static readonly Network Spec = Net.Input(2, 12, 12)
        .Conv2D(8, kernel: 3, padding: 1).BatchNorm().ReLU().MaxPool(2)
        .Flatten().Dense(16384).ReLU().Dense(5);
}
