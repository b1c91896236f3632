using System;

namespace Relucent
{
    /// <summary>
    /// Generates <c>Saliency(input, target)</c>: the vanilla gradient of the target logit (Simonyan et al. 2013),
    /// where each ReLU passes <c>R_in = 1[z &gt; 0] · R</c>. Put it on a <c>partial</c> class holding one static <see cref="Network"/>.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class SaliencyAttribute : Attribute
    {
    }

    /// <summary>
    /// Generates <c>DeconvNet(input, target)</c> (Zeiler &amp; Fergus 2014), where each ReLU passes
    /// <c>R_in = max(R, 0)</c> whatever the forward pass did.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class DeconvNetAttribute : Attribute
    {
    }

    /// <summary>
    /// Generates <c>GuidedBackprop(input, target)</c> (Springenberg et al. 2015), where each ReLU passes
    /// <c>R_in = 1[z &gt; 0] · max(R, 0)</c>: both the forward mask and DeconvNet's positivity.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class GuidedBackpropAttribute : Attribute
    {
    }

    /// <summary>
    /// Makes the generated code compute in <c>double</c> rather than <c>float</c>: inputs, parameters and
    /// results are <c>double</c>. Finite-difference checks need it; trained models rarely do.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class DoublePrecisionAttribute : Attribute
    {
    }
}
