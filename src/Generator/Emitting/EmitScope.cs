using System.Collections.Generic;
using System.Linq;
using Relucent.Generator.Emitting.Lrp;
using Relucent.Generator.Pipeline;
using Relucent.Model;

namespace Relucent.Generator.Emitting
{
    /// <summary>
    /// What a layer kind's emitter writes with: the writer, the element type, the rules whose formulas the backward
    /// comments state, and the walk over layers (forward and backward blocks, with their comments), which blocks use
    /// for their chains.
    /// </summary>
    internal sealed class EmitScope
    {
        /// <summary>Where the kernels are: every type is written with <c>global::</c>, so no type of the project can change what the file means.</summary>
        public const string Kernels = "global::Relucent.Kernels.";

        public EmitScope(CodeWriter writer, NetworkClass model, IReadOnlyList<BackwardRule> commentedRules)
        {
            W = writer;
            Model = model;
            CommentedRules = commentedRules;
        }

        public CodeWriter W { get; }

        public NetworkClass Model { get; }

        /// <summary><c>float</c>, or <c>double</c> under <c>[DoublePrecision]</c>.</summary>
        public string T => Model.UsesDouble ? "double" : "float";

        /// <summary>The rules the generic backward pass runs under, whose formulas its rule-dependent comments state.</summary>
        public IReadOnlyList<BackwardRule> CommentedRules { get; }

        /// <summary>The LRP composite whose pass is being written, or null while the gradient pass is: it decides what <see cref="Backward"/> writes.</summary>
        public LrpPlan? Lrp { get; set; }

        /// <summary>
        /// Whether the merged pass is being written: each BatchNorm merged into the convolution or dense layer before it
        /// (<see cref="PlannedLayer.MergedBatchNorm"/>), a rectifier after it applied by that layer's kernel, no parameter gradients
        /// and no stations for layer methods. Otherwise the declared pass, every layer its own step.
        /// </summary>
        public bool Merging { get; set; }

        /// <summary>Whether the class has LRP composites (and so keeps each layer's LRP parameters, merged BatchNorms included).</summary>
        public bool HasLrp => Model.Rules.Any(r => r.IsLrp());

        /// <summary>Whether <paramref name="p"/> computes with a BatchNorm merged in, in the pass being written.</summary>
        public bool IsMerged(PlannedLayer p) => Merging && p.MergedBatchNorm != null;

        /// <summary>The weight a convolution's or dense layer's kernels read in the pass being written: its own, or merged.</summary>
        public string Weight(PlannedLayer p) => IsMerged(p) ? MergedBatchNorm.Weight(this, p) : Field(p, ParameterRole.Weight);

        /// <summary>The bias its forward kernel adds: its own (<c>default</c> without one), or merged.</summary>
        public string Bias(PlannedLayer p) => IsMerged(p) ? MergedBatchNorm.Bias(this, p) : MergedBatchNorm.OwnBias(p);

        /// <summary>The rectifier a layer's forward kernel applies as it stores, in the pass being written, or null.</summary>
        public PlannedLayer? RectifierAfter(PlannedLayer p) => IsMerged(p) ? p.MergedRectifier : p.ForwardRectifier;

        /// <summary>The buffer a layer's forward kernel writes in the pass being written: its own output, its merged BatchNorm's, or a fused rectifier's.</summary>
        public string ForwardTarget(PlannedLayer p) => RectifierAfter(p)?.Out ?? (IsMerged(p) ? p.MergedBatchNorm!.Out : p.Out);

        /// <summary>The signal a layer's backward kernel reads in the pass being written: at its output, or at its merged BatchNorm's.</summary>
        public string SignalOut(PlannedLayer p) => IsMerged(p) ? p.MergedBatchNorm!.ROut : p.ROut;

        /// <summary>A kernel call: <c>global::Relucent.Kernels.{kernel}(arguments);</c>, wrapped if too wide.</summary>
        public void Kernel(string kernel, params string[] arguments) => W.Call(Kernels + kernel, arguments);

        /// <summary>
        /// The argument telling a forward kernel to apply the rectifier fused into <paramref name="p"/> (<see cref="RectifierAfter"/>)
        /// as it stores: <c>relu: true</c> for a ReLU, the kernels' <c>Rectifier.Relu6</c> for a ReLU6.
        /// </summary>
        public string ForwardRectifierArgument(PlannedLayer p) =>
            RectifierAfter(p)!.Kind.RectifierName == "Relu" ? "relu: true" : Kernels + "Rectifier." + RectifierAfter(p)!.Kind.RectifierName;

        /// <summary>
        /// The arguments telling a backward kernel which rectifier's rule to apply as it stores: the rectifier's output (its mask),
        /// then, for other rectifiers than ReLU (the kernels' default), its name.
        /// </summary>
        public string[] BackwardRectifierArguments(PlannedLayer p)
        {
            PlannedLayer rectifier = BackwardRectifier(p)!;
            return rectifier.Kind.RectifierName == "Relu"
                ? new[] { "ws." + rectifier.Out }
                : new[] { "ws." + rectifier.Out, Kernels + "Rectifier." + rectifier.Kind.RectifierName };
        }

        /// <summary>Whether a merged gradient pass is being written (not an LRP pass, which pairs rectifiers as the declared pass does).</summary>
        private bool MergedGradient => Merging && Lrp == null;

        /// <summary>
        /// The rectifier whose rule <paramref name="p"/>'s backward kernel applies in the pass being written: its declared pair,
        /// or in a merged gradient pass also a named rectifier (<see cref="PlannedLayer.MergedBackwardRectifier"/>).
        /// </summary>
        public PlannedLayer? BackwardRectifier(PlannedLayer p) => p.BackwardRectifier ?? (MergedGradient ? p.MergedBackwardRectifier : null);

        /// <summary>The ReLU a residual's closing call applies as it sums, in the pass being written: the merged forward pass only (<see cref="PlannedLayer.SumRectifier"/>).</summary>
        public PlannedLayer? SumRectifier(PlannedLayer p) => Merging && Lrp == null ? p.SumRectifier : null;

        /// <summary>
        /// The ReLU whose rule a residual's closing backward call applies as it sums the signals, in the pass being written: the
        /// merged gradient passes only (<see cref="PlannedLayer.SignalRectifier"/>).
        /// </summary>
        public PlannedLayer? SignalRectifier(PlannedLayer p) => MergedGradient ? p.SignalRectifier : null;

        /// <summary>The buffer <paramref name="p"/>'s backward kernel writes in the pass being written: the signal at its input, or at its fused rectifier's.</summary>
        public string BackwardTarget(PlannedLayer p) => BackwardRectifier(p)?.RIn ?? p.RIn;

        /// <summary>The private field holding <paramref name="p"/>'s parameter of <paramref name="role"/>.</summary>
        public static string Field(PlannedLayer p, ParameterRole role) => p.Parameters[role].Field;

        /// <summary>The layer's forward block: its comment (and a fused ReLU's), then its statements.</summary>
        public void Forward(PlannedLayer p)
        {
            if (Merging && p.MergedInto != null)
            {
                W.Comment(MergedBatchNorm.Note(p, forward: true));
                return;
            }
            W.Comment(IsMerged(p) ? MergedBatchNorm.ForwardMath(p, p.MergedBatchNorm!.Out) : p.Heading + ": " + p.Kind.ForwardMath(p));
            if (RectifierAfter(p) is PlannedLayer relu) FusedRectifierComment(relu);
            p.Kind.EmitForward(this, p);
        }

        /// <summary>The comment of a rectifier whose forward the call below applies: its math, and that its input is never stored.</summary>
        public void FusedRectifierComment(PlannedLayer rectifier) =>
            W.Comment($"{rectifier.Heading}, in the same call: {rectifier.Kind.ForwardMath(rectifier)}; {rectifier.In} is never stored");

        /// <summary>The comment of a rectifier whose rule the call below applies: each rule's formula, then what <paramref name="stored"/> says of the signal at its output.</summary>
        public void FusedRuleComment(PlannedLayer rectifier, string stored) =>
            W.Comment($"{rectifier.Heading} backward, in the same call{BackwardText(rectifier)}; {stored}");

        /// <summary>
        /// The layer's backward block: when training, its parameter gradients first (they read the signal at its output
        /// before anything overwrites it); then its comment (and a fused ReLU's) and its statements.
        /// </summary>
        public void Backward(PlannedLayer p)
        {
            if (Lrp != null)
            {
                LrpBackward(p, Lrp.For(p));
                return;
            }
            if (Merging && p.MergedInto != null)
            {
                W.Comment(MergedBatchNorm.Note(p, forward: false));
                return;
            }
            if (p.Kind.HasParameters && !Merging)
            {
                W.Comment($"{p.Heading} parameter gradients, when training: {p.Kind.GradientMath(p)}");
                W.Line("if (gradients != null) " + p.Kind.GradientCall(this, p));
            }
            W.Comment(IsMerged(p) ? MergedBatchNorm.BackwardMath(p) : p.Heading + " backward" + BackwardText(p));
            if (BackwardRectifier(p) is PlannedLayer relu)
            {
                FusedRuleComment(relu, p.BackwardRectifier == null ? $"{relu.ROut} is not written in this pass" : $"{relu.ROut} is never stored");
            }
            p.Kind.EmitBackward(this, p);
        }

        // The layer's LRP block: its comment states its rule as a formula (a fused ReLU's Pass too), then its statements.
        private void LrpBackward(PlannedLayer p, LrpStep step)
        {
            W.Comment(p.Heading + " LRP backward, " + p.Kind.LrpMath(p, step));
            if (p.BackwardRectifier != null)
            {
                PlannedLayer relu = p.BackwardRectifier;
                W.Comment($"{relu.Heading} LRP backward, in the same call: {relu.Kind.LrpMath(relu, Lrp!.For(relu))}; {relu.ROut} is never stored");
            }
            p.Kind.EmitLrp(this, p, step);
        }

        /// <summary>The forward blocks of a chain, skipping ReLUs their neighbour applies.</summary>
        public void ForwardChain(IEnumerable<PlannedLayer> layers, bool blankLines)
        {
            bool first = true;
            foreach (PlannedLayer layer in layers.Where(l => !l.ForwardFused && !(Merging && l.MergedForwardFused)))
            {
                if (blankLines && !first) W.Line();
                first = false;
                Forward(layer);
            }
        }

        /// <summary>
        /// The backward blocks of a chain, last layer first, skipping rectifiers whose rule their neighbour applies. Before a named
        /// layer's block, where the signal at its output is complete, a layer method may stop (<c>to</c>) and, outside blocks,
        /// start (<c>from</c>, the label the pass's opening switch jumps to).
        /// </summary>
        /// <remarks>
        /// With <paramref name="headStart"/> (the dense head's first layer, <see cref="DenseHeadSplit"/>), the point where the
        /// head's blocks end is labelled too: a batch's trunk pass starts there, the signal at the head's input written by the batch.
        /// </remarks>
        public void BackwardChain(IReadOnlyList<PlannedLayer> layers, bool blankLines, int headStart = -1)
        {
            bool first = true;
            for (int i = layers.Count - 1; i >= 0; i--)
            {
                if (layers[i].BackwardFused || (MergedGradient && layers[i].MergedBackwardFused)) continue;
                if (blankLines && !first) W.Line();
                first = false;
                if (i == headStart - 1)
                {
                    W.Comment($"{layers[i].Label}'s output, {layers[headStart].In}, is the dense head's input: the signal there, {layers[headStart].RIn}, is complete here; "
                        + "a batch's trunk pass starts here with the signal its batched head wrote");
                    W.Line(DenseHeadSplit.Label + ":");
                }
                if (layers[i].NamedIndex is int named && !Merging) Station(layers[i], named);
                Backward(layers[i]);
            }
        }

        /// <summary>The label where a pass starting at a named layer outside blocks begins: <c>from_layer4</c>.</summary>
        public static string StartLabel(PlannedLayer p) =>
            "from_" + new string(p.Module.Select(c => char.IsLetterOrDigit(c) ? c : '_').ToArray()) + "_" + p.NamedIndex;

        // A named layer's station: the signal at its output, ROut, is complete here.
        private void Station(PlannedLayer p, int named)
        {
            W.Comment($"{p.Label} ({p.Module}): the signal at its output, {p.ROut}, is complete here; a layer method stops here or, "
                + (p.Nested ? "inside a block, cannot start here" : "with its seed in " + p.ROut + ", starts here"));
            if (!p.Nested) W.Line(StartLabel(p) + ":");
            W.Line($"if (to == {named}) return;");
        }

        // ": r9 = Wᵀ·r10, W = 9.weight", or for a ReLU each rule's formula: ", by rule: Saliency r1 = ...; DeconvNet r1 = ...".
        private string BackwardText(PlannedLayer p) =>
            p.Kind.DependsOnRule
                ? ", by rule: " + string.Join("; ", CommentedRules.Select(r => r + " " + p.Kind.BackwardMath(p, r)))
                : ": " + p.Kind.BackwardMath(p, BackwardRule.Saliency);
    }
}
