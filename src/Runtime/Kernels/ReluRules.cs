using System.Numerics;

namespace Relucent.Kernels
{
    /// <summary>
    /// The three ways a ReLU passes the signal <c>R</c> arriving at its output back to its input: the only place
    /// where Saliency, DeconvNet and GuidedBackprop differ. <c>z</c> is the ReLU's forward output, so
    /// <c>z &gt; 0</c> is exactly its forward mask.
    /// </summary>
    public static class ReluRules
    {
        /// <summary>Saliency, the true gradient: <c>R_in = 1[z &gt; 0] · R</c>.</summary>
        public static void Saliency<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> r, Span<T> rIn) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Length(r, z.Length, nameof(r));
            Check.Length(rIn, z.Length, nameof(rIn));
            for (int i = 0; i < z.Length; i++) rIn[i] = z[i] > T.Zero ? r[i] : T.Zero;
        }

        /// <summary>DeconvNet: <c>R_in = max(R, 0)</c>; the forward mask is not used.</summary>
        public static void DeconvNet<T>(ReadOnlySpan<T> r, Span<T> rIn) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Length(rIn, r.Length, nameof(rIn));
            for (int i = 0; i < r.Length; i++) rIn[i] = r[i] > T.Zero ? r[i] : T.Zero;
        }

        /// <summary>GuidedBackprop, both masks: <c>R_in = 1[z &gt; 0] · max(R, 0)</c>.</summary>
        public static void GuidedBackprop<T>(ReadOnlySpan<T> z, ReadOnlySpan<T> r, Span<T> rIn) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Check.Length(r, z.Length, nameof(r));
            Check.Length(rIn, z.Length, nameof(rIn));
            for (int i = 0; i < z.Length; i++) rIn[i] = z[i] > T.Zero && r[i] > T.Zero ? r[i] : T.Zero;
        }
    }
}
