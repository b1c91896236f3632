using System.Collections.Generic;

namespace Relucent.Model
{
    /// <summary>
    /// Which LRP rule each layer takes under a composite, as Zennit 1.0.0's <c>composites.py</c> assigns them: one place, read by
    /// the generator (the rule written into each layer's block) and the interpreter (the rule it runs), so they cannot disagree.
    /// </summary>
    public static class LrpComposites
    {
        /// <summary>Zennit's ε and stabiliser: every rule's denominator moves away from zero by this much.</summary>
        public const double Epsilon = 1e-6;

        /// <summary>γ of the generalised Gamma rule on EpsilonGammaBox's convolutions.</summary>
        public const double Gamma = 0.25;

        /// <summary>α of EpsilonAlpha2Beta1's αβ rule.</summary>
        public const double Alpha = 2;

        /// <summary>β of EpsilonAlpha2Beta1's αβ rule.</summary>
        public const double Beta = 1;

        /// <summary>Whether <paramref name="rule"/> is an LRP composite rather than a gradient rule.</summary>
        public static bool IsLrp(this BackwardRule rule) => rule >= BackwardRule.EpsilonPlus && rule <= BackwardRule.EpsilonGammaBox;

        /// <summary>Whether the composite puts a special rule on its first layer (Flat, or ZBox).</summary>
        public static bool HasFirstRule(BackwardRule composite) =>
            composite == BackwardRule.EpsilonPlusFlat || composite == BackwardRule.EpsilonAlpha2Beta1Flat || composite == BackwardRule.EpsilonGammaBox;

        /// <summary>
        /// The path label (<c>0</c>, <c>2.0</c>) of the layer taking <paramref name="composite"/>'s first-layer rule: the first
        /// Conv2D or Dense in declaration order (blocks' chains in order) for the …Flat composites, the first Conv2D for
        /// EpsilonGammaBox (Zennit's <c>SpecialFirstLayerMapComposite</c>, by registration order); null when there is none.
        /// </summary>
        public static string? FirstLayer(IReadOnlyList<Layer> layers, BackwardRule composite)
        {
            if (!HasFirstRule(composite)) return null;
            bool denseCounts = composite != BackwardRule.EpsilonGammaBox;
            return First(layers, LayerPath.Top, denseCounts);
        }

        /// <summary>
        /// The rule of the convolution or dense layer <paramref name="layer"/> under <paramref name="composite"/>: its own
        /// <c>rule:</c> when the declaration gives one (as Zennit's name-map composites), else the composite's;
        /// <paramref name="first"/> says it is the composite's first layer, <paramref name="low"/> and <paramref name="high"/>
        /// are EpsilonGammaBox's bounds.
        /// </summary>
        public static LrpRule AffineRule(BackwardRule composite, Layer layer, bool first, double low, double high)
        {
            LrpRule? own = layer is Conv2DLayer conv ? conv.Rule : layer is DenseLayer dense ? dense.Rule : null;
            if (own != null) return own;
            if (first) return composite == BackwardRule.EpsilonGammaBox ? LrpRule.ZBox(low, high) : LrpRule.Flat();
            if (layer is DenseLayer) return LrpRule.Epsilon();
            switch (composite)
            {
                case BackwardRule.EpsilonAlpha2Beta1:
                case BackwardRule.EpsilonAlpha2Beta1Flat:
                    return LrpRule.AlphaBeta();
                case BackwardRule.EpsilonGammaBox:
                    return LrpRule.Gamma(Gamma);
                default:
                    return LrpRule.ZPlus();
            }
        }

        /// <summary>
        /// The rule of a layer without parameters of its own, or of a BatchNorm: Norm for average pools (and residual sums, which
        /// their block applies), the gradient for max pooling and concatenation, Pass for the rest.
        /// </summary>
        public static LrpRuleKind OtherRule(Layer layer)
        {
            switch (layer)
            {
                case AvgPoolLayer _:
                case AdaptiveAvgPoolLayer _:
                case ResidualLayer _:
                    return LrpRuleKind.Norm;
                case MaxPoolLayer _:
                case ConcatLayer _:
                    return LrpRuleKind.Gradient;
                default:
                    return LrpRuleKind.Pass;
            }
        }

        /// <summary>
        /// Whether the BatchNorm at index <paramref name="index"/> of a chain is merged into the layer before it (a Conv2D or
        /// Dense, Zennit's <c>SequentialMergeBatchNorm</c>); otherwise it passes relevance unchanged.
        /// </summary>
        public static bool MergesIntoPrevious(IReadOnlyList<Layer> chain, int index) =>
            chain[index] is BatchNormLayer && index > 0 && (chain[index - 1] is Conv2DLayer || chain[index - 1] is DenseLayer);

        /// <summary>The first layer LRP cannot explain (a softmax: LRP explains logits), or null.</summary>
        public static LayerPath? Unsupported(IReadOnlyList<Layer> layers) => FindUnsupported(layers, LayerPath.Top);

        private static LayerPath? FindUnsupported(IReadOnlyList<Layer> layers, System.Func<int, LayerPath> pathOf)
        {
            for (int i = 0; i < layers.Count; i++)
            {
                LayerPath path = pathOf(i);
                if (layers[i] is SoftmaxLayer) return path;
                for (int b = 0; b < layers[i].Branches.Count; b++)
                {
                    Branch branch = layers[i].Branches[b];
                    int index = b;
                    LayerPath? inner = FindUnsupported(branch.Layers, j => path.Inside(index, branch.Label, j));
                    if (inner != null) return inner;
                }
            }
            return null;
        }

        private static string? First(IReadOnlyList<Layer> layers, System.Func<int, LayerPath> pathOf, bool denseCounts)
        {
            for (int i = 0; i < layers.Count; i++)
            {
                LayerPath path = pathOf(i);
                if (layers[i] is Conv2DLayer || denseCounts && layers[i] is DenseLayer) return path.Label;
                for (int b = 0; b < layers[i].Branches.Count; b++)
                {
                    Branch branch = layers[i].Branches[b];
                    int index = b;
                    string? inner = First(branch.Layers, j => path.Inside(index, branch.Label, j), denseCounts);
                    if (inner != null) return inner;
                }
            }
            return null;
        }
    }
}
