using TorchSharp;
using static TorchSharp.torch;

namespace Relucent.References.Models;

/// <summary>
/// A model written here with torchvision's module names and nesting, at full width (divisor 1) or narrow:
/// every channel count c becomes <see cref="Narrow"/>(c) = max(1, ⌈c/divisor⌉).
/// </summary>
public abstract class ReferenceModel : nn.Module<Tensor, Tensor>
{
    protected ReferenceModel(string name, int divisor) : base(name)
    {
        if (divisor < 1) throw new ArgumentOutOfRangeException(nameof(divisor), divisor, "at least 1");
        Divisor = divisor;
    }

    public Probe Probe { get; } = new();

    public int Divisor { get; }

    public long Narrow(long channels) => Math.Max(1, (channels + Divisor - 1) / Divisor);

    /// <summary>Runs forward under a rule, keeping the named outputs asked for.</summary>
    public Tensor Run(Tensor input, Rule rule, params string[] keep)
    {
        Probe.Rule = rule;
        Probe.Wanted.Clear();
        Probe.Wanted.UnionWith(keep);
        Probe.Reset();
        var output = forward(input);
        var missing = keep.Where(k => !Probe.Kept.ContainsKey(k)).ToList();
        if (missing.Count > 0)
            throw new ArgumentException($"{GetName()} has no module output named {string.Join(", ", missing)}; it offers {string.Join(", ", Probe.Offered)}");
        return output;
    }

    /// <summary>Runs a Sequential's children in order, offering each output as "{prefix}.{index}".</summary>
    protected Tensor RunKeeping(string prefix, Modules.Sequential sequential, Tensor x)
    {
        foreach (var (name, child) in sequential.named_children())
            x = Probe.Keep($"{prefix}.{name}", ((nn.Module<Tensor, Tensor>)child).call(x));
        return x;
    }
}
