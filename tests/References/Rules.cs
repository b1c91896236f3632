using TorchSharp;
using static TorchSharp.torch;

namespace Relucent.References;

/// <summary>The backward rule every rectifier of a model applies (they differ only at ReLU and ReLU6).</summary>
public enum Rule
{
    /// <summary>libtorch's own gradient: torch.relu (1[x&gt;0]·R) and torch.nn.functional.relu6 (1[0&lt;x&lt;6]·R).</summary>
    Saliency,
    /// <summary>ReLU: max(R,0); ReLU6: 1[x&lt;6]·max(R,0).</summary>
    DeconvNet,
    /// <summary>ReLU: 1[x&gt;0]·max(R,0); ReLU6: 1[0&lt;x&lt;6]·max(R,0).</summary>
    GuidedBackprop,
    /// <summary>The custom function with the plain gradient's rule: checks the custom-function plumbing against libtorch's own gradient.</summary>
    CustomSaliency,
}

/// <summary>
/// A rectifier (ReLU, or ReLU6 when <c>six</c>) as a custom autograd function, so DeconvNet and GuidedBackprop are
/// computed by libtorch's autograd in the same graph as everything else: only the rectifiers' backward changes.
/// </summary>
public sealed class RuleRectifier : torch.autograd.SingleTensorFunction<RuleRectifier>
{
    public override string Name => nameof(RuleRectifier);

    /// <summary>vars: the input tensor, the <see cref="Rule"/>, and whether it is ReLU6.</summary>
    public override Tensor forward(torch.autograd.AutogradContext ctx, params object[] vars)
    {
        var x = (Tensor)vars[0];
        ctx.save_for_backward(new List<Tensor> { x });
        ctx.save_data("rule", vars[1]);
        ctx.save_data("six", vars[2]);
        return (bool)vars[2] ? x.clamp(0.0, 6.0) : x.relu();
    }

    public override List<Tensor> backward(torch.autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var x = ctx.get_saved_variables()[0];
        var rule = (Rule)ctx.get_data("rule");
        bool six = (bool)ctx.get_data("six");
        var positive = gradOutput.clamp_min(0.0);
        var above = x > 0.0;
        var below = six ? x < 6.0 : torch.ones_like(x, ScalarType.Bool);
        var g = rule switch {
            Rule.DeconvNet => positive * below,
            Rule.GuidedBackprop => positive * (above & below),
            Rule.CustomSaliency => gradOutput * (above & below),
            _ => throw new ArgumentOutOfRangeException(nameof(ctx), rule, "libtorch's own rectifiers serve Saliency"),
        };
        // One entry per forward argument: the rule and the flag get none.
        return new List<Tensor> { g, null!, null! };
    }

    /// <summary>Applies the rectifier under the rule.</summary>
    public static Tensor Apply(Tensor x, Rule rule, bool six) => rule switch {
        Rule.Saliency => six ? torch.nn.functional.relu6(x) : torch.nn.functional.relu(x),
        _ => apply(x, rule, six),
    };
}
