using TorchSharp;
using static TorchSharp.torch;

namespace Relucent.References.Lrp;

/// <summary>
/// A residual block named as Relucent's <c>.Residual(branch, shortcut)</c> names its parameters: the branch's layers
/// are the block's children "0", "1", …, the shortcut its child "downsample" ("{block}.downsample.{index}"), and
/// the output is <c>f(x) + g(x)</c> (<c>f(x) + x</c> without a shortcut), with no rectifier inside.
/// </summary>
public sealed class ResidualBlock : nn.Module<Tensor, Tensor>
{
    public ResidualBlock(IReadOnlyList<nn.Module<Tensor, Tensor>> branch, Modules.Sequential? shortcut) : base("Residual")
    {
        BranchLayers = branch.Select((m, i) => (i.ToString(), (nn.Module)m)).ToList();
        for (int i = 0; i < branch.Count; i++) register_module(i.ToString(), branch[i]);
        Shortcut = shortcut;
        if (shortcut is not null) register_module("downsample", shortcut);
    }

    public IReadOnlyList<(string Name, nn.Module Module)> BranchLayers { get; }

    public Modules.Sequential? Shortcut { get; }

    public override Tensor forward(Tensor x)
    {
        var y = x;
        foreach (var (_, layer) in BranchLayers) y = ((nn.Module<Tensor, Tensor>)layer).call(y);
        return y + (Shortcut is null ? x : Shortcut.call(x));
    }
}
