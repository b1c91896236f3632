namespace Relucent.Kernels
{
    /// <summary>
    /// The rectifiers a kernel can apply as it stores its output (forward), or whose backward rule it can apply as it stores
    /// the signal (backward): the layers at which Saliency, DeconvNet and GuidedBackprop differ.
    /// </summary>
    public enum Rectifier
    {
        /// <summary>No rectifier: values are stored as computed.</summary>
        None,

        /// <summary>
        /// <c>z = max(x, 0)</c>. Rules (<c>z</c> the output): Saliency <c>1[z &gt; 0]·R</c>, DeconvNet <c>max(R, 0)</c>,
        /// GuidedBackprop <c>1[z &gt; 0]·max(R, 0)</c>.
        /// </summary>
        Relu,

        /// <summary>
        /// <c>z = min(max(x, 0), 6)</c>. The rule acts at the rectifier and the clamp at 6 passes its true gradient, so with
        /// <c>z</c> the output (0 &lt; x &lt; 6 ⇔ 0 &lt; z &lt; 6): Saliency <c>1[0 &lt; z &lt; 6]·R</c> (PyTorch's own hardtanh
        /// gradient), DeconvNet <c>1[z &lt; 6]·max(R, 0)</c>, GuidedBackprop <c>1[0 &lt; z &lt; 6]·max(R, 0)</c>.
        /// </summary>
        Relu6,
    }
}
