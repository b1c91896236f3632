using System.Collections.Generic;
using Relucent.Generator.Emitting.Lrp;
using Relucent.Model;

namespace Relucent.Generator.Emitting.Kinds
{
    /// <summary>
    /// BatchNorm in eval mode: a per-channel affine map. Its four parameters are folded at load into a scale and a shift,
    /// refolded when they change (training), so each direction is one multiply(-add) per value.
    /// </summary>
    internal sealed class BatchNormEmitter : LayerEmitter<BatchNormLayer>
    {
        public override bool HasParameters => true;

        public override bool DerivesFromParameters => true;

        public override string ForwardMath(PlannedLayer p) =>
            $"{p.Out} = ({p.In} − μ) / √(σ² + {Format.Number(Of(p).Eps)}) · γ + β per channel (γ = {Name(p, ParameterRole.Weight)}, β = {Name(p, ParameterRole.Bias)}, "
            + $"μ = {Name(p, ParameterRole.RunningMean)}, σ² = {Name(p, ParameterRole.RunningVar)}), folded at load into scale·{p.In} + shift";

        public override void EmitForward(EmitScope s, PlannedLayer p) =>
            s.Kernel($"NormalizationKernels.BatchNorm<{s.T}>", "ws." + p.In, Scale(p), Shift(p), "ws." + p.Out, Plane(p));

        public override string BackwardMath(PlannedLayer p, BackwardRule rule) => $"{p.RIn} = scale · {p.ROut} per channel, scale = γ / √(σ² + eps)";

        public override void EmitBackward(EmitScope s, PlannedLayer p) =>
            s.Kernel($"NormalizationKernels.BatchNormBackward<{s.T}>", "ws." + p.ROut, Scale(p), "ws." + p.RIn, Plane(p));

        public override string LrpMath(PlannedLayer p, LrpStep step) => LrpBlocks.PassMath(p, step.MergedInto != null
            ? $"this BatchNorm is merged into {step.MergedInto.Label}'s weights and bias (Zennit's canonizer), which its rule reads"
            : "Zennit gives a BatchNorm that follows no convolution or dense layer no rule of its own");

        public override void EmitLrp(EmitScope s, PlannedLayer p, LrpStep step) => LrpBlocks.EmitPass(s, p);

        public override string GradientMath(PlannedLayer p) =>
            $"∂γ += Σ {p.ROut} · ({p.In} − μ) / √(σ² + eps), ∂β += Σ {p.ROut} (the running statistics are held)";

        public override string GradientCall(EmitScope s, PlannedLayer p) =>
            $"{EmitScope.Kernels}GradientKernels.BatchNorm<{s.T}>(ws.{p.In}, ws.{p.ROut}, {EmitScope.Field(p, ParameterRole.RunningMean)}, {EmitScope.Field(p, ParameterRole.RunningVar)}, "
            + $"eps: {Format.Number(Of(p).Eps)}, gradients[{p.Parameters[ParameterRole.Weight].Index}], gradients[{p.Parameters[ParameterRole.Bias].Index}], {Plane(p)});";

        public override IEnumerable<string> DerivedFieldNames(PlannedLayer p) => new[] { Scale(p), Shift(p) };

        public override void EmitDerivedFields(EmitScope s, PlannedLayer p)
        {
            s.W.Comment($"{p.Heading} folded: scale = γ / √(σ² + eps), shift = β − μ·scale.");
            s.W.Line($"private readonly {s.T}[] {Scale(p)} = new {s.T}[{p.Input.Channels}];");
            s.W.Line($"private readonly {s.T}[] {Shift(p)} = new {s.T}[{p.Input.Channels}];");
        }

        public override void EmitDerivation(EmitScope s, PlannedLayer p) =>
            s.Kernel($"NormalizationKernels.Fold<{s.T}>", EmitScope.Field(p, ParameterRole.Weight), EmitScope.Field(p, ParameterRole.Bias), EmitScope.Field(p, ParameterRole.RunningMean),
                EmitScope.Field(p, ParameterRole.RunningVar), "eps: " + Format.Number(Of(p).Eps), Scale(p), Shift(p));

        private static string Scale(PlannedLayer p) => "_" + p.Parameters[ParameterRole.Weight].LayerStem + "Scale";

        private static string Shift(PlannedLayer p) => "_" + p.Parameters[ParameterRole.Weight].LayerStem + "Shift";

        private static string Name(PlannedLayer p, ParameterRole role) => p.Parameters[role].Info.Name;

        private static string Plane(PlannedLayer p) => $"plane: {p.Input.Height * p.Input.Width}";
    }
}
