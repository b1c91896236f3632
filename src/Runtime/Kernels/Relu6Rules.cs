using System.Numerics;

namespace Relucent.Kernels
{
    /// <summary>
    /// The three ways a ReLU6 <c>z = min(max(x, 0), 6)</c> passes the signal <c>R</c> arriving at its output back to its
    /// input. The rule acts at the rectifier, and the clamp at 6 passes its true gradient (zero above 6) under every rule;
    /// <c>z</c> is the forward output, and 0 &lt; x &lt; 6 ⇔ 0 &lt; z &lt; 6.
    /// </summary>
    /// <remarks>
    /// Captum's GuidedBackprop and DeconvNet hook only <c>nn.ReLU</c>, so on a network of ReLU6 they silently return the
    /// plain gradient; these rules are what the two methods mean at a clamped rectifier.
    /// </remarks>
    public static class Relu6Rules
    {
        /// <summary>Saliency, the true gradient (PyTorch's hardtanh backward): <c>R_in = 1[0 &lt; z &lt; 6] · R</c>.</summary>
        public static void Saliency<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> r, Span<T> rIn) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Length(r, z.Length, nameof(r));
            Check.Length(rIn, z.Length, nameof(rIn));
            ReluRules.Pass<T, Relu6Rule.Saliency>(z, r, rIn);
        }

        /// <summary>DeconvNet: <c>R_in = 1[z &lt; 6] · max(R, 0)</c> (the rectifier's mask is not used, the clamp's is).</summary>
        public static void DeconvNet<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> r, Span<T> rIn) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Length(r, z.Length, nameof(r));
            Check.Length(rIn, z.Length, nameof(rIn));
            ReluRules.Pass<T, Relu6Rule.DeconvNet>(z, r, rIn);
        }

        /// <summary>GuidedBackprop: <c>R_in = 1[0 &lt; z &lt; 6] · max(R, 0)</c>.</summary>
        public static void GuidedBackprop<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> r, Span<T> rIn) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Length(r, z.Length, nameof(r));
            Check.Length(rIn, z.Length, nameof(rIn));
            ReluRules.Pass<T, Relu6Rule.GuidedBackprop>(z, r, rIn);
        }

        /// <summary>
        /// The rule <typeparamref name="TRule"/> (<see cref="SaliencyRule"/>, <see cref="DeconvNetRule"/> or
        /// <see cref="GuidedBackpropRule"/>) at a ReLU6, chosen at compile time as generated backward passes name it.
        /// </summary>
        public static void Apply<T, TRule>(ReadOnlySpan<T> z, ReadOnlySpan<T> r, Span<T> rIn)
            where T : unmanaged, IFloatingPointIeee754<T> where TRule : struct, IReluRule
        {
            Check.Length(r, z.Length, nameof(r));
            Check.Length(rIn, z.Length, nameof(rIn));
            Relu6Rule.Apply<T, TRule>(z, r, rIn);
        }
    }
}
