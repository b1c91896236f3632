using Relucent.Model;

namespace Relucent.Generator.Emitting.Kinds
{
    /// <summary>Softmax over the features: backpropagated by its true gradient (a Jacobian-vector product), read from its output.</summary>
    internal sealed class SoftmaxEmitter : LayerEmitter<SoftmaxLayer>
    {
        public override string ForwardMath(PlannedLayer p) => $"{p.Out} = e^{p.In} / Σ e^{p.In}";

        public override void EmitForward(EmitScope s, PlannedLayer p) => s.Kernel($"ActivationKernels.Softmax<{s.T}>", "ws." + p.In, "ws." + p.Out);

        public override string BackwardMath(PlannedLayer p, BackwardRule rule) => $"{p.RIn} = {p.Out} ⊙ ({p.ROut} − {p.Out}·{p.ROut}), the true gradient of softmax";

        public override void EmitBackward(EmitScope s, PlannedLayer p) =>
            s.Kernel($"ActivationKernels.SoftmaxBackward<{s.T}>", "ws." + p.Out, "ws." + p.ROut, "ws." + p.RIn);
    }
}
