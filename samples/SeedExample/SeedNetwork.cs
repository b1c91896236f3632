using Relucent;

namespace Relucent.Samples.SeedExample;

/// <summary>
/// The smallest network where the rules differ: one ReLU on a 1×2×2 image. The generator writes
/// Forward, Saliency, DeconvNet and GuidedBackprop for it.
/// </summary>
[Saliency, DeconvNet, GuidedBackprop]
public partial class SeedNetwork
{
    static readonly Network Spec = Net.Input(channels: 1, height: 2, width: 2).ReLU();
}
