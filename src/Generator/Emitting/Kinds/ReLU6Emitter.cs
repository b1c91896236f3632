using Relucent.Generator.Emitting.Lrp;
using Relucent.Model;

namespace Relucent.Generator.Emitting.Kinds
{
    /// <summary>
    /// ReLU6: <c>min(max(x, 0), 6)</c>. The rule acts at its rectifier; its clamp at 6 passes the true gradient under every
    /// rule (Captum's GuidedBackprop and DeconvNet hook only <c>nn.ReLU</c>, so there every ReLU6 stays the plain gradient).
    /// </summary>
    internal sealed class ReLU6Emitter : LayerEmitter<ReLU6Layer>
    {
        public override bool DependsOnRule => true;

        public override bool IsRectifier => true;

        public override string RectifierName => "Relu6";

        public override string OutputNote(PlannedLayer p) => "; 0 < a < 6 is where this ReLU6 passes its gradient, read by every rule";

        public override string ForwardMath(PlannedLayer p) => $"{p.Out} = min(max({p.In}, 0), 6)";

        public override void EmitForward(EmitScope s, PlannedLayer p) => s.Kernel($"ActivationKernels.Relu6<{s.T}>", "ws." + p.In, "ws." + p.Out);

        public override string BackwardMath(PlannedLayer p, BackwardRule rule) => rule switch
        {
            BackwardRule.Saliency => $"{p.RIn} = 1[0 < {p.Out} < 6] · {p.ROut}, the true gradient",
            BackwardRule.DeconvNet => $"{p.RIn} = 1[{p.Out} < 6] · max({p.ROut}, 0), the rectifier's mask unused, the clamp's kept",
            _ => $"{p.RIn} = 1[0 < {p.Out} < 6] · max({p.ROut}, 0)",
        };

        public override void EmitBackward(EmitScope s, PlannedLayer p) =>
            s.Kernel($"Relu6Rules.Apply<{s.T}, TRule>", "ws." + p.Out, "ws." + p.ROut, "ws." + p.RIn);

        public override string LrpMath(PlannedLayer p, LrpStep step) => LrpBlocks.PassMath(p, "Zennit gives activations no rule of their own");

        public override void EmitLrp(EmitScope s, PlannedLayer p, LrpStep step) => LrpBlocks.EmitPass(s, p);
    }
}
