using System.Numerics;
using Relucent.Kernels;

namespace Relucent.Tests.Kernels
{
    /// <summary>The separate rule calls the fused kernels must equal: <see cref="ReluRules"/> or <see cref="Relu6Rules"/>.</summary>
    public static class Rules
    {
        public static readonly BackwardRule[] All = { BackwardRule.Saliency, BackwardRule.DeconvNet, BackwardRule.GuidedBackprop };

        /// <summary><paramref name="rIn"/> = the <paramref name="rule"/> of <paramref name="rectifier"/> (output <paramref name="z"/>) applied to <paramref name="r"/>.</summary>
        public static void Apply<T>(Rectifier rectifier, BackwardRule rule, ReadOnlySpan<T> z, ReadOnlySpan<T> r, Span<T> rIn) where T : unmanaged, IFloatingPointIeee754<T>
        {
            switch (rectifier, rule)
            {
                case (Rectifier.Relu, BackwardRule.Saliency): ReluRules.Saliency(z, r, rIn); break;
                case (Rectifier.Relu, BackwardRule.DeconvNet): ReluRules.DeconvNet(r, rIn); break;
                case (Rectifier.Relu, _): ReluRules.GuidedBackprop(z, r, rIn); break;
                case (Rectifier.Relu6, BackwardRule.Saliency): Relu6Rules.Saliency(z, r, rIn); break;
                case (Rectifier.Relu6, BackwardRule.DeconvNet): Relu6Rules.DeconvNet(z, r, rIn); break;
                case (Rectifier.Relu6, _): Relu6Rules.GuidedBackprop(z, r, rIn); break;
                default: throw new ArgumentOutOfRangeException(nameof(rectifier));
            }
        }
    }
}
