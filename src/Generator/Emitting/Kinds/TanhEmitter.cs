using Relucent.Generator.Emitting.Lrp;
using Relucent.Model;

namespace Relucent.Generator.Emitting.Kinds
{
    /// <summary>Tanh: backpropagated by its true gradient, read from its output.</summary>
    internal sealed class TanhEmitter : LayerEmitter<TanhLayer>
    {
        public override string ForwardMath(PlannedLayer p) => $"{p.Out} = tanh({p.In})";

        public override void EmitForward(EmitScope s, PlannedLayer p) => s.Kernel($"ActivationKernels.Tanh<{s.T}>", "ws." + p.In, "ws." + p.Out);

        public override string BackwardMath(PlannedLayer p, BackwardRule rule) => $"{p.RIn} = (1 − {p.Out}²) · {p.ROut}, the true gradient";

        public override void EmitBackward(EmitScope s, PlannedLayer p) =>
            s.Kernel($"ActivationKernels.TanhBackward<{s.T}>", "ws." + p.Out, "ws." + p.ROut, "ws." + p.RIn);

        public override string LrpMath(PlannedLayer p, LrpStep step) => LrpBlocks.PassMath(p, "Zennit gives activations no rule of their own");

        public override void EmitLrp(EmitScope s, PlannedLayer p, LrpStep step) => LrpBlocks.EmitPass(s, p);
    }
}
