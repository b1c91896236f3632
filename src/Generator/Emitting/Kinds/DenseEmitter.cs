using Relucent.Model;

namespace Relucent.Generator.Emitting.Kinds
{
    /// <summary>Dense: one matrix-vector product each way; it can apply a ReLU on either side as it stores.</summary>
    internal sealed class DenseEmitter : LayerEmitter<DenseLayer>
    {
        public override bool AppliesFollowingRelu => true;

        public override bool AppliesPrecedingRule(Layer layer) => true;

        public override bool HasParameters => true;

        public override string ForwardMath(PlannedLayer p) =>
            $"{p.Out} = W·{p.In} + b, W = {p.Parameters[ParameterRole.Weight].Text}, b = {p.Parameters[ParameterRole.Bias].Text}";

        public override void EmitForward(EmitScope s, PlannedLayer p) =>
            s.Kernel($"DenseKernels.Forward<{s.T}>", "ws." + p.In, EmitScope.Field(p, ParameterRole.Weight), EmitScope.Field(p, ParameterRole.Bias), "ws." + p.ForwardTarget,
                Sizes(p, p.ForwardRelu != null ? ", relu: true" : ""));

        public override string BackwardMath(PlannedLayer p, BackwardRule rule) =>
            $"{p.RIn} = Wᵀ·{p.ROut}, W = {p.Parameters[ParameterRole.Weight].Info.Name}";

        public override void EmitBackward(EmitScope s, PlannedLayer p)
        {
            string weight = EmitScope.Field(p, ParameterRole.Weight);
            if (p.BackwardRelu != null)
            {
                s.Kernel($"DenseKernels.BackwardInput<{s.T}, TRule>", "ws." + p.ROut, weight, "ws." + p.BackwardTarget, "ws." + p.BackwardRelu.Out, Sizes(p, ""));
            }
            else
            {
                s.Kernel($"DenseKernels.BackwardInput<{s.T}>", "ws." + p.ROut, weight, "ws." + p.RIn, Sizes(p, ""));
            }
        }

        public override string GradientMath(PlannedLayer p) => $"∂W += {p.ROut} ⊗ {p.In}, ∂b += {p.ROut}";

        public override string GradientCall(EmitScope s, PlannedLayer p) =>
            $"{EmitScope.Kernels}GradientKernels.Dense<{s.T}>(ws.{p.In}, ws.{p.ROut}, gradients[{p.Parameters[ParameterRole.Weight].Index}], "
            + $"gradients[{p.Parameters[ParameterRole.Bias].Index}], {Sizes(p, "")});";

        private static string Sizes(PlannedLayer p, string extra) => $"inputs: {p.Input.Size}, outputs: {Of(p).Units}{extra}";
    }
}
