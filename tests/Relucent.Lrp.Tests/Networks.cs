using Relucent;

// The fixtures' tiny networks (tests/Relucent.Models.Tests/Fixtures/lrp/README.md), each with the composites its fixture
// runs, in float64 and float32. Parameter names follow PyTorch's nn.Sequential indices, as the fixtures' state_dicts do.
namespace Relucent.Lrp.Tests;

[EpsilonPlus, DoublePrecision]
public partial class HandExample
{
    static readonly Network Spec = TinyNetworks.HandExample(Net.Input(2));
}

[EpsilonPlus, Saliency, DoublePrecision]
public partial class EpsilonNet
{
    static readonly Network Spec = TinyNetworks.EpsilonNet(Net.Input(6));
}

[EpsilonPlus]
public partial class EpsilonNetSingle
{
    static readonly Network Spec = TinyNetworks.EpsilonNet(Net.Input(6));
}

[EpsilonPlus, DoublePrecision]
public partial class EpsilonZeroNet
{
    static readonly Network Spec = TinyNetworks.EpsilonZeroNet(Net.Input(3));
}

[EpsilonPlus, DoublePrecision]
public partial class ZPlusNet
{
    static readonly Network Spec = TinyNetworks.ZPlusNet(Net.Input(channels: 2, height: 4, width: 6));
}

[EpsilonPlus]
public partial class ZPlusNetSingle
{
    static readonly Network Spec = TinyNetworks.ZPlusNet(Net.Input(channels: 2, height: 4, width: 6));
}

[EpsilonAlpha2Beta1, EpsilonAlpha2Beta1Flat, DoublePrecision]
public partial class AlphaBetaNet
{
    static readonly Network Spec = TinyNetworks.AlphaBetaNet(Net.Input(channels: 2, height: 4, width: 6));
}

[EpsilonAlpha2Beta1, EpsilonAlpha2Beta1Flat]
public partial class AlphaBetaNetSingle
{
    static readonly Network Spec = TinyNetworks.AlphaBetaNet(Net.Input(channels: 2, height: 4, width: 6));
}

[EpsilonPlusFlat, DoublePrecision]
public partial class FlatNet
{
    static readonly Network Spec = TinyNetworks.FlatNet(Net.Input(channels: 2, height: 4, width: 6));
}

[EpsilonPlusFlat, DoublePrecision]
public partial class FlatDenseNet
{
    static readonly Network Spec = TinyNetworks.FlatDenseNet(Net.Input(6));
}

[EpsilonGammaBox(-2, 3), DoublePrecision]
public partial class ZBoxNet
{
    static readonly Network Spec = TinyNetworks.ZBoxNet(Net.Input(channels: 2, height: 4, width: 6));
}

[EpsilonGammaBox(-2, 3), DoublePrecision]
public partial class GammaNet
{
    static readonly Network Spec = TinyNetworks.GammaNet(Net.Input(channels: 2, height: 4, width: 6));
}

[EpsilonGammaBox(-2, 3)]
public partial class GammaNetSingle
{
    static readonly Network Spec = TinyNetworks.GammaNet(Net.Input(channels: 2, height: 4, width: 6));
}

// Zennit's EpsilonPlus(layer_map=[(Convolution, Gamma(gamma=0.25))]): the per-layer rule in the declaration.
[EpsilonPlus, DoublePrecision]
public partial class GammaRuleNet
{
    static readonly Network Spec = Net.Input(channels: 2, height: 4, width: 6)
        .Conv2D(3, kernel: 3, padding: 1, rule: LrpRule.Gamma(0.25)).ReLU()
        .Conv2D(4, kernel: 3, padding: 1, rule: LrpRule.Gamma()).Flatten().Dense(3);
}

[EpsilonPlus]
public partial class GammaRuleNetSingle
{
    static readonly Network Spec = Net.Input(channels: 2, height: 4, width: 6)
        .Conv2D(3, kernel: 3, padding: 1, rule: LrpRule.Gamma(0.25)).ReLU()
        .Conv2D(4, kernel: 3, padding: 1, rule: LrpRule.Gamma()).Flatten().Dense(3);
}

[EpsilonPlus, DoublePrecision]
public partial class AvgPoolNet
{
    static readonly Network Spec = TinyNetworks.AvgPoolNet(Net.Input(channels: 2, height: 4, width: 6));
}

[EpsilonPlus, DoublePrecision]
public partial class AdaptiveAvgPoolNet
{
    static readonly Network Spec = TinyNetworks.AdaptiveAvgPoolNet(Net.Input(channels: 2, height: 5, width: 4));
}

[EpsilonPlus, DoublePrecision]
public partial class ResidualNet
{
    static readonly Network Spec = TinyNetworks.ResidualNet(Net.Input(channels: 2, height: 4, width: 6));
}

[EpsilonPlus]
public partial class ResidualNetSingle
{
    static readonly Network Spec = TinyNetworks.ResidualNet(Net.Input(channels: 2, height: 4, width: 6));
}

/// <summary>The declarations past their input, written once for the float64 and float32 classes (a helper must be in its networks' file).</summary>
public static class TinyNetworks
{
    public static Network HandExample(Network input) => input.Dense(2).ReLU().Dense(1);

    public static Network EpsilonNet(Network input) => input.Dense(5).ReLU().Dense(4).ReLU().Dense(3);

    public static Network EpsilonZeroNet(Network input) => input.Dense(3).ReLU().Dense(3);

    public static Network ZPlusNet(Network input) => input
        .Conv2D(3, kernel: 3, padding: 1).ReLU().MaxPool(2)
        .Conv2D(4, kernel: 1).ReLU()
        .Flatten().Dense(3);

    public static Network AlphaBetaNet(Network input) => input
        .Conv2D(3, kernel: 3, padding: 1, bias: false).BatchNorm().ReLU()
        .Conv2D(4, kernel: 3, stride: 2, padding: 1).ReLU()
        .Flatten().Dense(3);

    public static Network FlatNet(Network input) => input
        .Conv2D(3, kernel: 3, stride: 2, padding: 1).ReLU()
        .Flatten().Dense(3);

    public static Network FlatDenseNet(Network input) => input.Dense(5).ReLU().Dense(3);

    public static Network ZBoxNet(Network input) => input
        .Conv2D(3, kernel: 3, padding: 1).ReLU()
        .Flatten().Dense(3);

    public static Network GammaNet(Network input) => input
        .Conv2D(3, kernel: 3, padding: 1).ReLU()
        .Conv2D(4, kernel: 3, padding: 1)
        .Flatten().Dense(3);

    public static Network AvgPoolNet(Network input) => input.AvgPool(2).Flatten().Dense(3);

    public static Network AdaptiveAvgPoolNet(Network input) => input.AdaptiveAvgPool(3).Flatten().Dense(3);

    public static Network ResidualNet(Network input) => input
        .Conv2D(3, kernel: 3, padding: 1).ReLU()
        .Residual(b => b.Conv2D(3, kernel: 3, padding: 1).ReLU().Conv2D(3, kernel: 3, padding: 1)).ReLU()
        .Residual(b => b.Conv2D(4, kernel: 3, stride: 2, padding: 1).ReLU().Conv2D(4, kernel: 3, padding: 1),
                  shortcut: s => s.Conv2D(4, kernel: 1, stride: 2)).ReLU()
        .Flatten().Dense(3);
}
