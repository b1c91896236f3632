namespace Relucent
{
    /// <summary>
    /// A backward rule. The first three differ only at each ReLU (how it passes the signal <c>R</c> arriving at its
    /// output back to its input); every other layer is backpropagated by its true gradient. The LRP composites
    /// (Zennit 1.0.0's, <c>EpsilonPlus</c> onwards) give each layer kind its own relevance rule (see <see cref="Model.LrpComposites"/>).
    /// </summary>
    public enum BackwardRule
    {
        /// <summary>Vanilla gradient (Simonyan et al. 2013): <c>R_in = 1[z &gt; 0] · R</c>, the true gradient.</summary>
        Saliency,

        /// <summary>DeconvNet (Zeiler &amp; Fergus 2014): <c>R_in = max(R, 0)</c>; the forward mask is not used.</summary>
        DeconvNet,

        /// <summary>Guided backpropagation (Springenberg et al. 2015): <c>R_in = 1[z &gt; 0] · max(R, 0)</c>.</summary>
        GuidedBackprop,

        /// <summary>LRP, Zennit's <c>EpsilonPlus()</c>: z⁺ on convolutions, ε = 1e-6 on dense layers, Norm on pools and residual sums.</summary>
        EpsilonPlus,

        /// <summary>LRP, Zennit's <c>EpsilonPlusFlat()</c>: as <see cref="EpsilonPlus"/>, with Flat on the first convolution or dense layer.</summary>
        EpsilonPlusFlat,

        /// <summary>LRP, Zennit's <c>EpsilonAlpha2Beta1()</c>: αβ (α = 2, β = 1) on convolutions, ε on dense layers.</summary>
        EpsilonAlpha2Beta1,

        /// <summary>LRP, Zennit's <c>EpsilonAlpha2Beta1Flat()</c>: as <see cref="EpsilonAlpha2Beta1"/>, with Flat on the first convolution or dense layer.</summary>
        EpsilonAlpha2Beta1Flat,

        /// <summary>LRP, Zennit's <c>EpsilonGammaBox(low, high)</c>: ZBox on the first convolution, γ = 0.25 on the others, ε on dense layers.</summary>
        EpsilonGammaBox,
    }
}
