using TorchSharp;
using static TorchSharp.torch;

namespace Relucent.References.Models;

/// <summary>
/// What a forward pass of one of the reference models does besides computing: the rule its rectifiers apply, and
/// which named module outputs it keeps (for Grad-CAM references: the activation A and, later, ∂y/∂A).
/// Shared by one model and its <see cref="Rectifier"/> modules.
/// </summary>
public sealed class Probe
{
    public Rule Rule { get; set; } = Rule.Saliency;

    /// <summary>Module names whose outputs to keep, as torchvision names them ("layer4", "features.18").</summary>
    public HashSet<string> Wanted { get; } = new();

    /// <summary>The kept outputs of the last forward pass.</summary>
    public Dictionary<string, Tensor> Kept { get; } = new();

    /// <summary>Every name offered to <see cref="Keep"/> in the last forward pass, in order (to check requested names exist).</summary>
    public List<string> Offered { get; } = new();

    public Tensor Keep(string name, Tensor output)
    {
        Offered.Add(name);
        if (Wanted.Contains(name)) Kept[name] = output;
        return output;
    }

    /// <summary>When set, every rectifier adds its input's counts here: total, x ≤ 0, x ≥ 6 (ReLU6 only).</summary>
    public RectifierCounts? Counts { get; set; }

    public void Reset()
    {
        Kept.Clear();
        Offered.Clear();
    }
}

/// <summary>torchvision's nn.ReLU / nn.ReLU6 (no parameters) applying the probe's rule. Occupies its index in a Sequential, as in torchvision.</summary>
public sealed class Rectifier : nn.Module<Tensor, Tensor>
{
    private readonly Probe probe;
    private readonly bool six;

    public Rectifier(Probe probe, bool six = false) : base(six ? "ReLU6" : "ReLU")
    {
        this.probe = probe;
        this.six = six;
    }

    public override Tensor forward(Tensor input)
    {
        probe.Counts?.Add(input, six);
        return RuleRectifier.Apply(input, probe.Rule, six);
    }
}

/// <summary>How often rectifier inputs fall where the rules differ: at or below 0, and (ReLU6) at or above 6.</summary>
public sealed class RectifierCounts
{
    public long Total, NotPositive, Total6, AtLeastSix;

    public void Add(Tensor input, bool six)
    {
        using var _ = torch.no_grad();
        Total += input.numel();
        NotPositive += (input <= 0.0).sum().item<long>();
        if (!six) return;
        Total6 += input.numel();
        AtLeastSix += (input >= 6.0).sum().item<long>();
    }

    public override string ToString() =>
        $"rectifier_inputs={Total} not_positive={(double)NotPositive / Math.Max(1, Total):P1}" +
        (Total6 > 0 ? $" relu6_inputs={Total6} relu6_at_least_6={(double)AtLeastSix / Total6:P2}" : "");
}
