using System.Globalization;
using System.Linq;
using Relucent.Model;

namespace Relucent.Generator.Emitting.Lrp
{
    /// <summary>
    /// What the layer kinds' LRP blocks share: the rule formulas their comments state, the calls into the runtime's
    /// <c>Relucent.Lrp.LrpKernels</c>, and the per-layer parameters (<c>LrpWeights</c>) those calls read.
    /// </summary>
    internal static class LrpBlocks
    {
        public const string Namespace = "global::Relucent.Lrp.";

        /// <summary>How every rule's denominators are stabilised, stated once at the top of each LRP pass.</summary>
        public const string Stabiliser = "stab(z) = z + 1e-6·(z ≥ 0 ? 1 : −1), Zennit's stabiliser (core.py:97-128): sign +1 at zero, every denominator moved away from 0";

        /// <summary>The field holding a convolution's or dense layer's LRP parameters: <c>_conv0Lrp</c>.</summary>
        public static string WeightsField(PlannedLayer p) => "_" + p.Parameters[ParameterRole.Weight].LayerStem + "Lrp";

        /// <summary>The workspace buffer holding a residual sum's Norm quotient: <c>norm3</c>.</summary>
        public static string NormBuffer(PlannedLayer p) => "norm" + p.Suffix;

        /// <summary>A constant of the element type: <c>0.25d</c>, <c>0.25f</c>.</summary>
        public static string Literal(EmitScope s, double value) =>
            s.Model.UsesDouble ? value.ToString("R", CultureInfo.InvariantCulture) + "d" : ((float)value).ToString("R", CultureInfo.InvariantCulture) + "f";

        /// <summary>Pass: the relevance at the output is the relevance at the input.</summary>
        public static string PassMath(PlannedLayer p, string why) => $"Pass rule: {p.RIn} = {p.ROut}, {why}";

        /// <summary>The copy a Pass block makes.</summary>
        public static void EmitPass(EmitScope s, PlannedLayer p) => s.W.Line($"ws.{p.ROut}.CopyTo(ws.{p.RIn}, 0);");

        /// <summary>The statement building a convolution's or dense layer's LRP parameters, with a following BatchNorm merged in.</summary>
        public static void EmitWeights(EmitScope s, PlannedLayer p, PlannedLayer? batchNorm, int outputs)
        {
            string weights = $"{Namespace}LrpWeights<{s.T}>";
            string bias = MergedBatchNorm.OwnBias(p);
            if (batchNorm == null)
            {
                s.W.Line($"{WeightsField(p)} = {weights}.Of({EmitScope.Field(p, ParameterRole.Weight)}, {bias}, outputs: {outputs});");
                return;
            }
            s.W.Comment($"{p.Label} with {batchNorm.Label} merged in, as Zennit's canonizer: W·γ/√(σ² + eps) per output, (b − μ)·γ/√(σ² + eps) + β");
            s.W.Call($"{WeightsField(p)} = {weights}.Merged",
                new[] { EmitScope.Field(p, ParameterRole.Weight), bias, "outputs: " + outputs }.Concat(MergedBatchNorm.BatchNormArguments(batchNorm)).ToArray());
        }

        /// <summary>The formula of a convolution's or dense layer's rule, written with its buffers; <paramref name="parameters"/> names W and b.</summary>
        public static string AffineMath(PlannedLayer p, LrpStep step, string parameters)
        {
            string x = p.In, r = p.ROut, rIn = p.BackwardTarget;
            string merged = step.MergedBatchNorm != null ? $"; both merged with {step.MergedBatchNorm.Label}'s BatchNorm, W·γ/√(σ² + eps) and (b − μ)·γ/√(σ² + eps) + β" : "";
            string pass = p.BackwardRectifier != null ? $" (straight to {rIn}: the {p.BackwardRectifier.Layer.Describe()} before it passes relevance)" : "";
            string own = step.Affine != null && OwnRule(p.Layer) != null ? $"; the layer's own rule: {OwnRule(p.Layer)}" : "";
            string where = $"; {parameters}{merged}{pass}{own}";
            switch (step.Rule)
            {
                case LrpRuleKind.Epsilon:
                    return $"ε rule (Zennit's Epsilon): {rIn} = {x} ⊙ Wᵀ({r} / stab(W·{x} + b)){where}";
                case LrpRuleKind.ZPlus:
                    return $"z⁺ rule (Zennit's ZPlus): {rIn} = {x}⁺ ⊙ W⁺ᵀs + {x}⁻ ⊙ W⁻ᵀs, s = {r} / stab(W⁺·{x}⁺ + b⁺ + W⁻·{x}⁻){where}";
                case LrpRuleKind.AlphaBeta:
                    return $"αβ rule, α = 2, β = 1 (Zennit's AlphaBeta): {rIn} = 2·({x}⁺ ⊙ W⁺ᵀsα + {x}⁻ ⊙ W⁻ᵀsα) − 1·({x}⁺ ⊙ W⁻ᵀsβ + {x}⁻ ⊙ W⁺ᵀsβ), "
                        + $"sα = {r} / stab(W⁺·{x}⁺ + b⁺ + W⁻·{x}⁻), sβ = {r} / stab(W⁻·{x}⁺ + b⁻ + W⁺·{x}⁻){where}";
                case LrpRuleKind.Gamma:
                    return $"γ rule, γ = {Format.Number(step.Affine!.GammaValue)} (Zennit's Gamma): {rIn} = {x}⁺ ⊙ (W₊ᵀs₊ + W₋ᵀs₋) + {x}⁻ ⊙ (W₋ᵀs₊ + W₊ᵀs₋), "
                        + $"W₊ = W + γW⁺, W₋ = W + γW⁻, s₊ = 1[z > 0]·{r} / stab(W₊·{x}⁺ + b + γb⁺ + W₋·{x}⁻), s₋ = 1[z < 0]·{r} / stab(W₋·{x}⁺ + b + γb⁻ + W₊·{x}⁻), "
                        + $"z = W·{x} + b{where}";
                case LrpRuleKind.ZBox:
                    return $"ZBox rule, l = {Format.Number(step.Affine!.Low)}, h = {Format.Number(step.Affine.High)} (Zennit's ZBox): {rIn} = {x} ⊙ Wᵀs − (l ⊙ W⁺ᵀs + h ⊙ W⁻ᵀs), "
                        + $"s = {r} / stab((W·{x} + b) − ((W⁺·l + b⁺) + (W⁻·h + b⁻))){where}";
                case LrpRuleKind.Flat:
                    return $"Flat rule (Zennit's Flat): {rIn} = 1ᵀ({r} / stab(1·1)), every weight and input taken as 1 and no bias, so relevance spreads by connection count{where}";
                default:
                    throw new System.InvalidOperationException($"{step.Rule} is not a rule for {p.Layer.Describe()}.");
            }
        }

        private static LrpRule? OwnRule(Layer layer) => layer is Conv2DLayer conv ? conv.Rule : layer is DenseLayer dense ? dense.Rule : null;

        /// <summary>The call applying a convolution's or dense layer's rule; <paramref name="map"/> constructs the layer's <c>ILrpMap</c> of type <paramref name="mapType"/>.</summary>
        public static void EmitAffine(EmitScope s, PlannedLayer p, LrpStep step, string mapType, string map)
        {
            string kernel = $"LrpKernels.{step.Rule}<{s.T}, {Namespace}{mapType}>";
            string[] common = { map, "ws." + p.In, "ws." + p.ROut, "ws." + p.BackwardTarget, WeightsField(p) };
            string[] extra = step.Rule switch
            {
                LrpRuleKind.Gamma => new[] { Literal(s, step.Affine!.GammaValue) },
                LrpRuleKind.ZBox => new[] { Literal(s, step.Affine!.Low), Literal(s, step.Affine.High) },
                _ => new string[0],
            };
            var arguments = new string[common.Length + extra.Length + 1];
            common.CopyTo(arguments, 0);
            extra.CopyTo(arguments, common.Length);
            arguments[arguments.Length - 1] = "ws.lrp";
            s.W.Call(Namespace + kernel, arguments);
        }

        /// <summary>The Norm rule's formula on an average pool.</summary>
        public static string NormMath(PlannedLayer p) =>
            $"Norm rule (Zennit's Norm): {p.RIn} = {p.In} ⊙ gᵀ({p.ROut} / stab({p.Out})), gᵀ this pool's gradient (its transposed map), {p.Out} = g({p.In}) its forward output";

        /// <summary>The Norm rule's call on an average pool.</summary>
        public static void EmitNorm(EmitScope s, PlannedLayer p, string mapType) =>
            s.W.Call($"{Namespace}LrpKernels.Norm<{s.T}, {Namespace}{mapType}>", new[] { "new(" + p.Geometry + ")", "ws." + p.In, "ws." + p.Out, "ws." + p.ROut, "ws." + p.RIn, "ws.lrp" });
    }
}
