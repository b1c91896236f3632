using System.Collections.Generic;
using System.Linq;
using Relucent.Model;

namespace Relucent.Generator.Emitting.Lrp
{
    /// <summary>
    /// One LRP composite placed on a planned network: the rule each layer takes (<see cref="LrpComposites"/> decides, as it
    /// does for the interpreter), and which BatchNorms are merged into the convolution or dense layer before them.
    /// </summary>
    internal sealed class LrpPlan
    {
        private readonly Dictionary<PlannedLayer, LrpStep> _steps = new Dictionary<PlannedLayer, LrpStep>();

        public LrpPlan(BackwardRule composite, IReadOnlyList<PlannedLayer> layers, IReadOnlyList<Layer> declared, double low, double high)
        {
            Composite = composite;
            Low = low;
            High = high;
            string? first = LrpComposites.FirstLayer(declared, composite);
            Place(layers, first);
        }

        public BackwardRule Composite { get; }

        /// <summary>EpsilonGammaBox's bounds.</summary>
        public double Low { get; }

        public double High { get; }

        /// <summary>The rule of <paramref name="layer"/> and what is merged into it.</summary>
        public LrpStep For(PlannedLayer layer) => _steps[layer];

        private void Place(IReadOnlyList<PlannedLayer> chain, string? first)
        {
            foreach (PlannedLayer p in chain)
            {
                foreach (PlannedBranch branch in p.Branches) Place(branch.Layers, first);
                bool affine = p.Layer is Conv2DLayer || p.Layer is DenseLayer;
                LrpRule? own = affine ? LrpComposites.AffineRule(Composite, p.Layer, p.Path.Label == first, Low, High) : null;
                // The BatchNorms the buffer plan paired with the layer before them (the merged passes share the pairs).
                _steps[p] = new LrpStep(this, own?.Kind ?? LrpComposites.OtherRule(p.Layer), own, p.MergedBatchNorm, p.MergedInto);
            }
        }
    }

    /// <summary>One layer's part of an LRP pass: its rule, the BatchNorm merged into it, or the layer it is merged into.</summary>
    internal sealed class LrpStep
    {
        public LrpStep(LrpPlan plan, LrpRuleKind rule, LrpRule? affine, PlannedLayer? mergedBatchNorm, PlannedLayer? mergedInto)
        {
            Plan = plan;
            Rule = rule;
            Affine = affine;
            MergedBatchNorm = mergedBatchNorm;
            MergedInto = mergedInto;
        }

        public LrpPlan Plan { get; }

        public LrpRuleKind Rule { get; }

        /// <summary>On a convolution or dense layer: its rule with the rule's parameters (γ, ZBox's bounds).</summary>
        public LrpRule? Affine { get; }

        /// <summary>On a convolution or dense layer: the BatchNorm right after it, whose parameters its rule reads merged into its own.</summary>
        public PlannedLayer? MergedBatchNorm { get; }

        /// <summary>On a BatchNorm: the layer it is merged into (it then passes relevance unchanged).</summary>
        public PlannedLayer? MergedInto { get; }
    }

    /// <summary>The LRP composites of a class, each with its plan, in attribute order.</summary>
    internal static class LrpPlans
    {
        public static List<LrpPlan> For(IEnumerable<BackwardRule> rules, IReadOnlyList<PlannedLayer> layers, IReadOnlyList<Layer> declared, double low, double high) =>
            rules.Where(r => r.IsLrp()).Select(r => new LrpPlan(r, layers, declared, low, high)).ToList();
    }
}
