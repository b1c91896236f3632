using System;

namespace Relucent
{
    /// <summary>
    /// Generates <c>EpsilonPlus(input, target)</c>: Layer-wise Relevance Propagation with Zennit 1.0.0's <c>EpsilonPlus()</c>
    /// composite. Each convolution takes z⁺, each dense layer ε (1e-6), average pools and residual sums the Norm rule;
    /// a BatchNorm right after a convolution or dense layer is merged into it; ReLUs pass relevance, max pooling its gradient.
    /// The seed is a one-hot at the target logit (not multiplied by it). See docs/lrp.md.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class EpsilonPlusAttribute : Attribute
    {
    }

    /// <summary>
    /// Generates <c>EpsilonPlusFlat(input, target)</c>: as <see cref="EpsilonPlusAttribute"/>, with the Flat rule on the first
    /// convolution or dense layer in declaration order (Zennit's <c>EpsilonPlusFlat()</c>).
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class EpsilonPlusFlatAttribute : Attribute
    {
    }

    /// <summary>
    /// Generates <c>EpsilonAlpha2Beta1(input, target)</c>: LRP with αβ (α = 2, β = 1) on each convolution and ε on each dense
    /// layer (Zennit's <c>EpsilonAlpha2Beta1()</c>).
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class EpsilonAlpha2Beta1Attribute : Attribute
    {
    }

    /// <summary>
    /// Generates <c>EpsilonAlpha2Beta1Flat(input, target)</c>: as <see cref="EpsilonAlpha2Beta1Attribute"/>, with Flat on the first
    /// convolution or dense layer (Zennit's <c>EpsilonAlpha2Beta1Flat()</c>).
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class EpsilonAlpha2Beta1FlatAttribute : Attribute
    {
    }

    /// <summary>
    /// Generates <c>EpsilonGammaBox(input, target)</c>: LRP with the ZBox rule bounded by <see cref="Low"/> and <see cref="High"/>
    /// on the first convolution, the generalised γ = 0.25 on the others and ε on dense layers (Zennit's
    /// <c>EpsilonGammaBox(low, high)</c>). The bounds are the lowest and highest value an input can take (after normalisation).
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class EpsilonGammaBoxAttribute : Attribute
    {
        /// <summary>The ZBox rule with the input bounded by <paramref name="low"/> and <paramref name="high"/>.</summary>
        public EpsilonGammaBoxAttribute(double low, double high)
        {
            Low = low;
            High = high;
        }

        /// <summary>The lowest value an input can take.</summary>
        public double Low { get; }

        /// <summary>The highest value an input can take.</summary>
        public double High { get; }
    }
}
