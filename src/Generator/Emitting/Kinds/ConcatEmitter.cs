using System.Collections.Generic;
using System.Linq;
using Relucent.Generator.Emitting.Lrp;
using Relucent.Model;

namespace Relucent.Generator.Emitting.Kinds
{
    /// <summary>
    /// Concat: parallel branches from one input, their outputs copied side by side along the channels. Backward the signal
    /// is split by channel into each branch's output signal, each branch runs backward, and their input signals are summed.
    /// </summary>
    internal sealed class ConcatEmitter : LayerEmitter<ConcatLayer>
    {
        public override bool ChainsShareOutputSignal => false;

        public override string OutputNote(PlannedLayer p) => ": the branches' outputs side by side along the channels";

        public override string ForwardMath(PlannedLayer p) =>
            $"{p.Out} = {string.Join(" ‖ ", p.Branches.Select(b => b.Output))} along the channels: {p.Branches.Count} branches from {p.In}, below";

        public override void EmitForward(EmitScope s, PlannedLayer p)
        {
            foreach (PlannedBranch chain in p.Branches) s.ForwardChain(chain.Layers, blankLines: false);
            foreach ((PlannedBranch chain, int first, int count) in Slices(p))
            {
                s.W.Comment($"{p.Label} · channels {first}–{first + count - 1} of {p.Out}: {chain.Output}");
                s.W.Line($"global::System.Array.Copy(ws.{chain.Output}, 0, ws.{p.Out}, {first * Plane(p)}, {count * Plane(p)});");
            }
        }

        public override string BackwardMath(PlannedLayer p, BackwardRule rule) =>
            $"{p.ROut} splits by channel into {string.Join(", ", p.Branches.Select(b => b.SignalOut))}; the branches' input signals meet at {p.RIn}";

        public override string LrpMath(PlannedLayer p, LrpStep step) => "the gradient (a concatenation has no rule in Zennit): " + BackwardMath(p, BackwardRule.Saliency);

        public override void EmitLrp(EmitScope s, PlannedLayer p, LrpStep step) => EmitBackward(s, p);

        public override void EmitBackward(EmitScope s, PlannedLayer p)
        {
            foreach ((PlannedBranch chain, int first, int count) in Slices(p))
            {
                s.W.Comment($"{p.Label} · channels {first}–{first + count - 1} of {p.ROut}: {chain.SignalOut}");
                s.W.Line($"global::System.Array.Copy(ws.{p.ROut}, {first * Plane(p)}, ws.{chain.SignalOut}, 0, {count * Plane(p)});");
            }
            for (int b = p.Branches.Count - 1; b >= 0; b--) s.BackwardChain(p.Branches[b].Layers, blankLines: false);
            s.W.Comment(BackwardClosing(p));
            s.Kernel($"ElementwiseKernels.Add<{s.T}>", "ws." + p.Branches[0].SignalIn, "ws." + p.Branches[1].SignalIn, "ws." + p.RIn);
            for (int b = 2; b < p.Branches.Count; b++)
            {
                s.W.Comment($"{p.Label} · Concat backward, continued: {p.RIn} += {p.Branches[b].SignalIn}");
                s.Kernel($"ElementwiseKernels.Add<{s.T}>", "ws." + p.RIn, "ws." + p.Branches[b].SignalIn, "ws." + p.RIn);
            }
        }

        public override string BackwardClosing(PlannedLayer p) =>
            $"{p.Label} · Concat backward: {p.RIn} = {string.Join(" + ", p.Branches.Select(b => b.SignalIn))}, the branches' input signals summed";

        // Each branch's channels in the output: the first and how many.
        private static IEnumerable<(PlannedBranch Chain, int First, int Count)> Slices(PlannedLayer p)
        {
            int first = 0;
            foreach (PlannedBranch chain in p.Branches)
            {
                int count = chain.Layers.Count == 0 ? p.Input.Channels : chain.Layers[chain.Layers.Count - 1].Output.Channels;
                yield return (chain, first, count);
                first += count;
            }
        }

        private static int Plane(PlannedLayer p) => p.Output.Height * p.Output.Width;
    }
}
