using System.Numerics;

namespace Relucent.Attribution
{
    /// <summary>
    /// One-call forms of the attribution methods on any <see cref="IExplainer{T}"/>, each returning a new raw map.
    /// For repeated calls, build the method once (<c>new IntegratedGradients&lt;float&gt;(net)</c>) and reuse it: it keeps
    /// its buffers, and its span overload allocates nothing.
    /// </summary>
    public static class ExplainerAttributionExtensions
    {
        /// <summary>The map of <paramref name="rule"/> for <paramref name="target"/> (the gradient for <see cref="BackwardRule.Saliency"/>).</summary>
        public static T[] Explain<T>(this IExplainer<T> explainer, BackwardRule rule, ReadOnlySpan<T> input, Target target)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            new RuleMap<T>(explainer, rule).Attribute(input, target);

        /// <summary>Gradient × input, <c>map ⊙ x</c>, with the map of <paramref name="rule"/>.</summary>
        public static T[] GradientTimesInput<T>(this IExplainer<T> explainer, ReadOnlySpan<T> input, Target target, BackwardRule rule = BackwardRule.Saliency)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            new GradientTimesInput<T>(explainer, rule).Attribute(input, target);

        /// <summary>Integrated gradients (see <see cref="IntegratedGradients{T}"/>); Captum's defaults: zero baseline, 50 steps, Gauss–Legendre.</summary>
        public static T[] IntegratedGradients<T>(this IExplainer<T> explainer, ReadOnlySpan<T> input, Target target, T[]? baseline = null,
            int steps = 50, Quadrature quadrature = Quadrature.GaussLegendre, BackwardRule rule = BackwardRule.Saliency)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            new IntegratedGradients<T>(explainer, rule) { Baseline = baseline, Steps = steps, Quadrature = quadrature }.Attribute(input, target);

        /// <summary>SmoothGrad of the map of <paramref name="rule"/> (see <see cref="NoiseTunnel{T}"/>; <paramref name="noise"/> defaults to 15% of the input's range).</summary>
        public static T[] SmoothGrad<T>(this IExplainer<T> explainer, ReadOnlySpan<T> input, Target target, int samples = 50, NoiseLevel? noise = null,
            int seed = 0, BackwardRule rule = BackwardRule.Saliency)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            Tunnel(new SmoothGrad<T>(explainer, rule), samples, noise, seed).Attribute(input, target);

        /// <summary>SquareGrad of the map of <paramref name="rule"/> (see <see cref="NoiseTunnel{T}"/>).</summary>
        public static T[] SquareGrad<T>(this IExplainer<T> explainer, ReadOnlySpan<T> input, Target target, int samples = 50, NoiseLevel? noise = null,
            int seed = 0, BackwardRule rule = BackwardRule.Saliency)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            Tunnel(new SquareGrad<T>(explainer, rule), samples, noise, seed).Attribute(input, target);

        /// <summary>VarGrad of the map of <paramref name="rule"/> (see <see cref="NoiseTunnel{T}"/>).</summary>
        public static T[] VarGrad<T>(this IExplainer<T> explainer, ReadOnlySpan<T> input, Target target, int samples = 50, NoiseLevel? noise = null,
            int seed = 0, BackwardRule rule = BackwardRule.Saliency)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            Tunnel(new VarGrad<T>(explainer, rule), samples, noise, seed).Attribute(input, target);

        private static NoiseTunnel<T> Tunnel<T>(NoiseTunnel<T> tunnel, int samples, NoiseLevel? noise, int seed)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            tunnel.Samples = samples;
            if (noise is { } level) tunnel.Noise = level;
            tunnel.Seed = seed;
            return tunnel;
        }
    }
}
