using Relucent.Generator.Emitting.Lrp;
using Relucent.Model;

namespace Relucent.Generator.Emitting.Kinds
{
    /// <summary>
    /// A layer that only reinterprets its input: its buffers share its input's storage, so it runs nothing, except where
    /// it starts a block's chain and the chain's input signal is a buffer of its own (then the signal is copied).
    /// </summary>
    internal abstract class IdentityEmitter<TLayer> : LayerEmitter<TLayer> where TLayer : Layer
    {
        public sealed override bool IsIdentity => true;

        public sealed override void EmitForward(EmitScope s, PlannedLayer p)
        {
        }

        public sealed override void EmitBackward(EmitScope s, PlannedLayer p)
        {
            if (p.CopiesSignal) s.W.Line($"ws.{p.ROut}.CopyTo(ws.{p.RIn}, 0);");
        }

        public sealed override string LrpMath(PlannedLayer p, LrpStep step) => BackwardMath(p, BackwardRule.Saliency);

        public sealed override void EmitLrp(EmitScope s, PlannedLayer p, LrpStep step) => EmitBackward(s, p);

        public sealed override string BackwardMath(PlannedLayer p, BackwardRule rule) =>
            p.CopiesSignal ? $"{p.RIn} is a copy of {p.ROut}{BackwardView(p)}" : $"{p.RIn} is {p.ROut}{BackwardView(p)} (no copy)";

        /// <summary>How the signal is read on the way back: <c> read as the image [8, 2, 2]</c>, or nothing.</summary>
        protected abstract string BackwardView(PlannedLayer p);
    }

    /// <summary>Flatten: an image read as a vector in C·H·W order, and back.</summary>
    internal sealed class FlattenEmitter : IdentityEmitter<FlattenLayer>
    {
        public override string ForwardMath(PlannedLayer p) => $"{p.Out} is {p.In} read as a vector of {p.Output.Size} values in C·H·W order (no copy)";

        protected override string BackwardView(PlannedLayer p) => $" read as the image {p.Input}";
    }

    /// <summary>Dropout: the identity when explaining (eval mode).</summary>
    internal sealed class DropoutEmitter : IdentityEmitter<DropoutLayer>
    {
        public override string ForwardMath(PlannedLayer p) => $"{p.Out} is {p.In}: dropout is the identity when explaining (eval mode, no copy)";

        protected override string BackwardView(PlannedLayer p) => ", the identity";
    }
}
