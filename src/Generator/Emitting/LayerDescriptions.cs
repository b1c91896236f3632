using System.Collections.Generic;
using Relucent.Model;

namespace Relucent.Generator.Emitting
{
    /// <summary>
    /// The one place that states each layer's math: every forward and backward block of the generated code
    /// is preceded by exactly one comment from <see cref="Forward"/> or <see cref="Backward"/>, and the
    /// derivations and remarks quote the same sentences.
    /// </summary>
    internal static class LayerDescriptions
    {
        /// <summary><c>Layer 0 · Dense(16): a1 = W·a0 + b, W = 0.weight [16, 8], b = 0.bias [16]</c>.</summary>
        public static string Forward(PlannedLayer p) => $"{p.Label} · {p.Layer.Describe()}: {ForwardMath(p)}";

        /// <summary><c>Layer 1 · ReLU backward (DeconvNet): r1 = max(r2, 0); the forward mask is not used</c>.</summary>
        public static string Backward(PlannedLayer p, BackwardRule rule)
        {
            string head = p.Layer is ReLULayer ? $"{p.Label} · ReLU backward ({rule})" : $"{p.Label} · {p.Layer.Describe()} backward";
            return head + ": " + BackwardMath(p, rule);
        }

        /// <summary>
        /// A ReLU whose forward pass the layer before it does: <c>Layer 1 · ReLU(), in the same call: a2 = max(a1, 0); a1 is never stored</c>.
        /// </summary>
        public static string FusedForward(PlannedLayer relu) =>
            $"{relu.Label} · {relu.Layer.Describe()}, in the same call: {ForwardMath(relu)}; {relu.In} is never stored";

        /// <summary>A ReLU whose backward rule the layer after it applies, in the same words as <see cref="Backward"/>.</summary>
        public static string FusedBackward(PlannedLayer relu, BackwardRule rule) =>
            $"{relu.Label} · ReLU backward ({rule}), in the same call: {BackwardMath(relu, rule)}; {relu.ROut} is never stored";

        /// <summary>The math alone of a layer's backward step, without its label: for derivations.</summary>
        public static string BackwardFormula(PlannedLayer p, BackwardRule rule) => BackwardMath(p, rule);

        /// <summary>The closing step of a residual block: the sum of its two paths.</summary>
        public static string ResidualSum(PlannedLayer p) =>
            $"{p.Label} · end of Residual: {p.Out} = {p.BranchOut} + {p.In}, the branch output plus the skip connection";

        /// <summary>The closing step of a residual block's backward: both paths' signals summed.</summary>
        public static string ResidualSignalSum(PlannedLayer p) =>
            $"{p.Label} · Residual backward: {p.RIn} = {p.BranchRIn} + {p.ROut}, the signal through the branch plus the signal along the skip";

        private static string ForwardMath(PlannedLayer p)
        {
            string a = p.In, z = p.Out;
            switch (p.Layer)
            {
                case DenseLayer _:
                    return $"{z} = W·{a} + b, W = {p.Parameters[ParameterRole.Weight].Text}, b = {p.Parameters[ParameterRole.Bias].Text}";
                case ReLULayer _:
                    return $"{z} = max({a}, 0)";
                case TanhLayer _:
                    return $"{z} = tanh({a})";
                case SigmoidLayer _:
                    return $"{z} = 1 / (1 + e^−{a})";
                case FlattenLayer _:
                    return $"{z} is {a} read as a vector of {p.Output.Size} values in C·H·W order (no copy)";
                case DropoutLayer _:
                    return $"{z} is {a}: dropout is the identity when explaining (eval mode, no copy)";
                case SoftmaxLayer _:
                    return $"{z} = e^{a} / Σ e^{a}";
                case Conv2DLayer conv:
                    string bias = p.Parameters.TryGetValue(ParameterRole.Bias, out ParameterMember? b) ? " + b[f]" : "";
                    string biasText = b != null ? ", b = " + b.Text : "";
                    return $"{z}[f, y, x] = Σ_c,i,j W[f, c, i, j] · {a}[c, {Index("y", conv.Stride, conv.Padding, "i")}, {Index("x", conv.Stride, conv.Padding, "j")}]{bias}, "
                        + $"W = {p.Parameters[ParameterRole.Weight].Text}{biasText}, zero outside {p.Input}";
                case MaxPoolLayer max:
                    return $"{z}[c, y, x] = max of {a}[c, {Window("y", max.Kernel, max.Stride)}, {Window("x", max.Kernel, max.Stride)}]; {p.Switches} records where each maximum was";
                case AvgPoolLayer avg:
                    return $"{z}[c, y, x] = mean of {a}[c, {Window("y", avg.Kernel, avg.Stride)}, {Window("x", avg.Kernel, avg.Stride)}]";
                case BatchNormLayer norm:
                    return $"{z} = ({a} − μ) / √(σ² + {Format.Number(norm.Eps)}) · γ + β per channel (γ = {p.Parameters[ParameterRole.Weight].Info.Name}, "
                        + $"β = {p.Parameters[ParameterRole.Bias].Info.Name}, μ = {p.Parameters[ParameterRole.RunningMean].Info.Name}, σ² = {p.Parameters[ParameterRole.RunningVar].Info.Name}), folded at load into scale·{a} + shift";
                case ResidualLayer _:
                    return $"{z} = f({a}) + {a}, where f is the branch of {p.Branch.Count} layers below";
                default:
                    return p.Layer.Describe();
            }
        }

        private static string BackwardMath(PlannedLayer p, BackwardRule rule)
        {
            string r = p.ROut, rIn = p.RIn, z = p.Out;
            switch (p.Layer)
            {
                case ReLULayer _:
                    return rule switch
                    {
                        BackwardRule.Saliency => $"{rIn} = 1[{z} > 0] · {r}, the true gradient: the signal passes where the forward pass was positive",
                        BackwardRule.DeconvNet => $"{rIn} = max({r}, 0); the forward mask is not used, only positive signal passes",
                        _ => $"{rIn} = 1[{z} > 0] · max({r}, 0): positive signal passes where the forward pass was positive",
                    };
                case DenseLayer _:
                    return $"{rIn} = Wᵀ·{r}, the true gradient";
                case TanhLayer _:
                    return $"{rIn} = (1 − {z}²) · {r}, the true gradient";
                case SigmoidLayer _:
                    return $"{rIn} = {z} · (1 − {z}) · {r}, the true gradient";
                case FlattenLayer _:
                    return $"{rIn} is {r} read as the image {p.Input} (no copy)";
                case DropoutLayer _:
                    return $"{rIn} is {r}, the identity (no copy)";
                case SoftmaxLayer _:
                    return $"{rIn} = {z} ⊙ ({r} − {z}·{r}), the true gradient of softmax";
                case Conv2DLayer _:
                    return $"{rIn}[c, y', x'] = Σ W[f, c, i, j] · {r}[f, y, x] over every output (f, y, x) whose window read {p.In}[c, y', x'] at tap (i, j): the transposed convolution";
                case MaxPoolLayer _:
                    return $"{rIn}[{p.Switches}[k]] += {r}[k], zero elsewhere: unpooling through the forward switches";
                case AvgPoolLayer avg:
                    return $"{rIn} receives each {r} value divided by {avg.Kernel * avg.Kernel} at every position of its window";
                case BatchNormLayer _:
                    return $"{rIn} = scale · {r} per channel, scale = γ / √(σ² + eps), the true gradient";
                case ResidualLayer _:
                    return $"{r} flows both into the branch (from its output, as the same buffer) and along the skip to {rIn}";
                default:
                    return p.Layer.Describe();
            }
        }

        private static string Index(string o, int stride, int padding, string tap)
        {
            string scaled = stride == 1 ? o : $"{stride}{o}";
            return padding == 0 ? $"{scaled} + {tap}" : $"{scaled} + {tap} − {padding}";
        }

        private static string Window(string o, int kernel, int stride) =>
            kernel == 1 ? (stride == 1 ? o : $"{stride}{o}") : $"{(stride == 1 ? o : stride + o)}..{(stride == 1 ? o : stride + o)}+{kernel - 1}";

        /// <summary>The words each rule's ReLU says, for the class remarks.</summary>
        public static readonly IReadOnlyDictionary<BackwardRule, string> RuleFormulas = new Dictionary<BackwardRule, string>
        {
            [BackwardRule.Saliency] = "R_in = 1[z > 0] · R, the true gradient (Simonyan et al. 2013)",
            [BackwardRule.DeconvNet] = "R_in = max(R, 0), the forward mask is not used (Zeiler & Fergus 2014)",
            [BackwardRule.GuidedBackprop] = "R_in = 1[z > 0] · max(R, 0), both masks (Springenberg et al. 2015)",
        };
    }
}
