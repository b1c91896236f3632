namespace Relucent
{
    /// <summary>
    /// How a ReLU passes the signal <c>R</c> arriving at its output back to its input; every other layer
    /// is backpropagated by its true gradient under every rule.
    /// </summary>
    public enum BackwardRule
    {
        /// <summary>Vanilla gradient (Simonyan et al. 2013): <c>R_in = 1[z &gt; 0] · R</c>, the true gradient.</summary>
        Saliency,

        /// <summary>DeconvNet (Zeiler &amp; Fergus 2014): <c>R_in = max(R, 0)</c>; the forward mask is not used.</summary>
        DeconvNet,

        /// <summary>Guided backpropagation (Springenberg et al. 2015): <c>R_in = 1[z &gt; 0] · max(R, 0)</c>.</summary>
        GuidedBackprop,
    }
}
