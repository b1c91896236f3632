using System.Linq;
using Relucent.Generator.Emitting.Lrp;
using Relucent.Model;

namespace Relucent.Generator.Emitting.Kinds
{
    /// <summary>Dense: one matrix-vector product each way; it can apply a rectifier on either side as it stores.</summary>
    internal sealed class DenseEmitter : LayerEmitter<DenseLayer>
    {
        public override bool AppliesFollowingRectifier => true;

        public override bool AppliesPrecedingRule(Layer layer) => true;

        public override bool HasParameters => true;

        public override string ForwardMath(PlannedLayer p) =>
            $"{p.Out} = W·{p.In} + b, W = {p.Parameters[ParameterRole.Weight].Text}, b = {p.Parameters[ParameterRole.Bias].Text}";

        public override void EmitForward(EmitScope s, PlannedLayer p)
        {
            string[] arguments = { "ws." + p.In, s.Weight(p), s.Bias(p), "ws." + s.ForwardTarget(p), Inputs(p), Outputs(p) };
            s.Kernel($"DenseKernels.Forward<{s.T}>", s.RectifierAfter(p) == null ? arguments : arguments.Append(s.ForwardRectifierArgument(p)).ToArray());
        }

        public override string BackwardMath(PlannedLayer p, BackwardRule rule) =>
            $"{p.RIn} = Wᵀ·{p.ROut}, W = {p.Parameters[ParameterRole.Weight].Info.Name}";

        public override void EmitBackward(EmitScope s, PlannedLayer p)
        {
            string weight = s.Weight(p);
            if (s.BackwardRectifier(p) != null)
            {
                // The rectifier's mask comes before the sizes, its name (when not a ReLU) after them.
                string[] rectifier = s.BackwardRectifierArguments(p);
                s.Kernel($"DenseKernels.BackwardInput<{s.T}, TRule>",
                    new[] { "ws." + s.SignalOut(p), weight, "ws." + s.BackwardTarget(p), rectifier[0], Inputs(p), Outputs(p) }.Concat(rectifier.Skip(1)).ToArray());
            }
            else
            {
                s.Kernel($"DenseKernels.BackwardInput<{s.T}>", "ws." + s.SignalOut(p), weight, "ws." + p.RIn, Inputs(p), Outputs(p));
            }
        }

        public override string LrpMath(PlannedLayer p, LrpStep step) =>
            LrpBlocks.AffineMath(p, step, $"W = {p.Parameters[ParameterRole.Weight].Info.Name}, b = {p.Parameters[ParameterRole.Bias].Info.Name}");

        public override void EmitLrp(EmitScope s, PlannedLayer p, LrpStep step) =>
            LrpBlocks.EmitAffine(s, p, step, "DenseMap", $"new({Inputs(p)}, {Outputs(p)})");

        public override string GradientMath(PlannedLayer p) => $"∂W += {p.ROut} ⊗ {p.In}, ∂b += {p.ROut}";

        public override string GradientCall(EmitScope s, PlannedLayer p) =>
            $"{EmitScope.Kernels}GradientKernels.Dense<{s.T}>(ws.{p.In}, ws.{p.ROut}, gradients[{p.Parameters[ParameterRole.Weight].Index}], "
            + $"gradients[{p.Parameters[ParameterRole.Bias].Index}], {Inputs(p)}, {Outputs(p)});";

        private static string Inputs(PlannedLayer p) => $"inputs: {p.Input.Size}";

        private static string Outputs(PlannedLayer p) => $"outputs: {Of(p).Units}";
    }
}
