using Relucent.Generator.Emitting.Lrp;
using Relucent.Model;

namespace Relucent.Generator.Emitting.Kinds
{
    /// <summary>Sigmoid: backpropagated by its true gradient, read from its output.</summary>
    internal sealed class SigmoidEmitter : LayerEmitter<SigmoidLayer>
    {
        public override string ForwardMath(PlannedLayer p) => $"{p.Out} = 1 / (1 + e^−{p.In})";

        public override void EmitForward(EmitScope s, PlannedLayer p) => s.Kernel($"ActivationKernels.Sigmoid<{s.T}>", "ws." + p.In, "ws." + p.Out);

        public override string BackwardMath(PlannedLayer p, BackwardRule rule) => $"{p.RIn} = {p.Out} · (1 − {p.Out}) · {p.ROut}, the true gradient";

        public override void EmitBackward(EmitScope s, PlannedLayer p) =>
            s.Kernel($"ActivationKernels.SigmoidBackward<{s.T}>", "ws." + p.Out, "ws." + p.ROut, "ws." + p.RIn);

        public override string LrpMath(PlannedLayer p, LrpStep step) => LrpBlocks.PassMath(p, "Zennit gives activations no rule of their own");

        public override void EmitLrp(EmitScope s, PlannedLayer p, LrpStep step) => LrpBlocks.EmitPass(s, p);
    }
}
