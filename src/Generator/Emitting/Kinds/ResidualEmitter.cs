using Relucent.Generator.Emitting.Lrp;
using Relucent.Model;

namespace Relucent.Generator.Emitting.Kinds
{
    /// <summary>
    /// Residual: <c>y = f(x) + g(x)</c>, <c>g</c> the shortcut or the identity. Forward its chains then the sum; backward the
    /// signal at the sum goes down both paths, and the two signals arriving at the block's input are summed there.
    /// </summary>
    internal sealed class ResidualEmitter : LayerEmitter<ResidualLayer>
    {
        public override string OutputNote(PlannedLayer p) => ": the branch output plus " + Skip(p);

        public override string ForwardMath(PlannedLayer p) =>
            $"{p.Out} = f({p.In}) + {(HasShortcut(p) ? $"g({p.In})" : p.In)}, where f is the branch of {Of(p).Body.Count} layers below"
            + (HasShortcut(p) ? $" and g the shortcut of {Of(p).Shortcut.Count}" : "");

        public override void EmitForward(EmitScope s, PlannedLayer p)
        {
            foreach (PlannedBranch chain in p.Branches) s.ForwardChain(chain.Layers, blankLines: false);
            s.W.Comment(ForwardClosing(p));
            if (s.SumRectifier(p) is PlannedLayer relu)
            {
                s.FusedRectifierComment(relu);
                s.Kernel($"ResidualKernels.AddRelu<{s.T}>", "ws." + p.Branches[0].Output, "ws." + Skip(p), "ws." + relu.Out);
                return;
            }
            s.Kernel($"ElementwiseKernels.Add<{s.T}>", "ws." + p.Branches[0].Output, "ws." + Skip(p), "ws." + p.Out);
        }

        public override string ForwardClosing(PlannedLayer p) =>
            $"{p.Label} · end of Residual: {p.Out} = {p.Branches[0].Output} + {Skip(p)}, the branch output plus the " + (HasShortcut(p) ? "shortcut's" : "skip connection");

        public override string BackwardMath(PlannedLayer p, BackwardRule rule) => HasShortcut(p)
            ? $"{p.ROut} flows into the branch and the shortcut (from their outputs, as the same buffer); their input signals meet at {p.RIn}"
            : $"{p.ROut} flows both into the branch (from its output, as the same buffer) and along the skip to {p.RIn}";

        public override void EmitBackward(EmitScope s, PlannedLayer p)
        {
            for (int b = p.Branches.Count - 1; b >= 0; b--) s.BackwardChain(p.Branches[b].Layers, blankLines: false);
            s.W.Comment(BackwardClosing(p));
            if (s.SignalRectifier(p) is PlannedLayer relu)
            {
                s.FusedRuleComment(relu, $"{p.RIn} is not written in this pass");
                s.Kernel($"ResidualKernels.AddRule<{s.T}, TRule>", "ws." + relu.Out, "ws." + p.Branches[0].SignalIn, "ws." + SkipSignal(p), "ws." + relu.RIn);
                return;
            }
            s.Kernel($"ElementwiseKernels.Add<{s.T}>", "ws." + p.Branches[0].SignalIn, "ws." + SkipSignal(p), "ws." + p.RIn);
        }

        public override string BackwardClosing(PlannedLayer p) =>
            $"{p.Label} · Residual backward: {p.RIn} = {p.Branches[0].SignalIn} + {SkipSignal(p)}, the signal through the branch plus the signal "
            + (HasShortcut(p) ? "through the shortcut" : "along the skip");

        public override string LrpMath(PlannedLayer p, LrpStep step) =>
            $"Norm rule at the sum (Zennit's ResNet canonizer sums with a hooked Sum, torchvision.py:92-93): {LrpBlocks.NormBuffer(p)} = {p.ROut} / stab({p.Out}); "
            + $"each term receives its value times it, the branch {p.Branches[0].Output} ⊙ {LrpBlocks.NormBuffer(p)} and {(HasShortcut(p) ? "the shortcut " : "the skip ")}{Skip(p)} ⊙ {LrpBlocks.NormBuffer(p)}, "
            + $"each written into {p.ROut} before its chain runs";

        public override void EmitLrp(EmitScope s, PlannedLayer p, LrpStep step)
        {
            string norm = "ws." + LrpBlocks.NormBuffer(p);
            s.W.Call($"{LrpBlocks.Namespace}LrpKernels.Quotient<{s.T}>", new[] { "ws." + p.ROut, "ws." + p.Out, norm });
            for (int b = p.Branches.Count - 1; b >= 0; b--)
            {
                s.W.Comment($"{p.Label} · the {(b == 0 ? "branch" : "shortcut")}'s share: {p.ROut} = {p.Branches[b].Output} ⊙ {LrpBlocks.NormBuffer(p)}");
                s.W.Call($"{LrpBlocks.Namespace}LrpKernels.Share<{s.T}>", new[] { "ws." + p.Branches[b].Output, norm, "ws." + p.ROut });
                s.BackwardChain(p.Branches[b].Layers, blankLines: false);
            }
            if (!HasShortcut(p))
            {
                s.W.Comment($"{p.Label} · the skip's share: {p.ROut} = {p.In} ⊙ {LrpBlocks.NormBuffer(p)}");
                s.W.Call($"{LrpBlocks.Namespace}LrpKernels.Share<{s.T}>", new[] { "ws." + p.In, norm, "ws." + p.ROut });
            }
            s.W.Comment(BackwardClosing(p));
            s.Kernel($"ElementwiseKernels.Add<{s.T}>", "ws." + p.Branches[0].SignalIn, "ws." + SkipSignal(p), "ws." + p.RIn);
        }

        private static bool HasShortcut(PlannedLayer p) => p.Branches.Count > 1;

        // What the branch output is added to: the shortcut's output, or the block's input.
        private static string Skip(PlannedLayer p) => HasShortcut(p) ? p.Branches[1].Output : p.In;

        // What the branch's input signal is added to: the shortcut's input signal, or the signal at the sum itself.
        private static string SkipSignal(PlannedLayer p) => HasShortcut(p) ? p.Branches[1].SignalIn : p.ROut;
    }
}
