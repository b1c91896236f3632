using Relucent.Model;

namespace Relucent.Generator.Emitting.Kinds
{
    /// <summary>Residual: <c>y = f(x) + x</c>. Forward its chain then the sum; backward the signal goes down both paths and is summed at the input.</summary>
    internal sealed class ResidualEmitter : LayerEmitter<ResidualLayer>
    {
        public override string OutputNote(PlannedLayer p) => ": the branch output plus " + p.In;

        public override string ForwardMath(PlannedLayer p) => $"{p.Out} = f({p.In}) + {p.In}, where f is the branch of {Of(p).Body.Count} layers below";

        public override void EmitForward(EmitScope s, PlannedLayer p)
        {
            s.ForwardChain(p.Branches[0].Layers, blankLines: false);
            s.W.Comment(ForwardClosing(p));
            s.Kernel($"ElementwiseKernels.Add<{s.T}>", "ws." + p.Branches[0].Output, "ws." + p.In, "ws." + p.Out);
        }

        public override string ForwardClosing(PlannedLayer p) =>
            $"{p.Label} · end of Residual: {p.Out} = {p.Branches[0].Output} + {p.In}, the branch output plus the skip connection";

        public override string BackwardMath(PlannedLayer p, BackwardRule rule) =>
            $"{p.ROut} flows both into the branch (from its output, as the same buffer) and along the skip to {p.RIn}";

        public override void EmitBackward(EmitScope s, PlannedLayer p)
        {
            s.BackwardChain(p.Branches[0].Layers, blankLines: false);
            s.W.Comment(BackwardClosing(p));
            s.Kernel($"ElementwiseKernels.Add<{s.T}>", "ws." + p.Branches[0].SignalIn, "ws." + p.ROut, "ws." + p.RIn);
        }

        public override string BackwardClosing(PlannedLayer p) =>
            $"{p.Label} · Residual backward: {p.RIn} = {p.Branches[0].SignalIn} + {p.ROut}, the signal through the branch plus the signal along the skip";
    }
}
