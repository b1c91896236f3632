using Relucent.Generator.Emitting.Lrp;
using Relucent.Model;

namespace Relucent.Generator.Emitting.Kinds
{
    /// <summary>ReLU: the one layer whose backward the rules change; the rule is the generic pass's type argument <c>TRule</c>.</summary>
    internal sealed class ReLUEmitter : LayerEmitter<ReLULayer>
    {
        public override bool DependsOnRule => true;

        public override bool IsRectifier => true;

        public override string RectifierName => "Relu";

        public override string OutputNote(PlannedLayer p) => "; a > 0 is this ReLU's forward mask, read by Saliency and GuidedBackprop";

        public override string ForwardMath(PlannedLayer p) => $"{p.Out} = max({p.In}, 0)";

        public override void EmitForward(EmitScope s, PlannedLayer p) => s.Kernel($"ActivationKernels.Relu<{s.T}>", "ws." + p.In, "ws." + p.Out);

        public override string BackwardMath(PlannedLayer p, BackwardRule rule) => rule switch
        {
            BackwardRule.Saliency => $"{p.RIn} = 1[{p.Out} > 0] · {p.ROut}, the true gradient",
            BackwardRule.DeconvNet => $"{p.RIn} = max({p.ROut}, 0), the forward mask unused",
            _ => $"{p.RIn} = 1[{p.Out} > 0] · max({p.ROut}, 0)",
        };

        public override void EmitBackward(EmitScope s, PlannedLayer p) =>
            s.Kernel($"ReluRules.Apply<{s.T}, TRule>", "ws." + p.Out, "ws." + p.ROut, "ws." + p.RIn);

        public override string LrpMath(PlannedLayer p, LrpStep step) => LrpBlocks.PassMath(p, "Zennit gives activations no rule of their own");

        public override void EmitLrp(EmitScope s, PlannedLayer p, LrpStep step) => LrpBlocks.EmitPass(s, p);
    }
}
