using Relucent.Attribution;

namespace Relucent.Cluster
{
    /// <summary>Integrated gradients (<see cref="IntegratedGradients{T}"/>) from a constant baseline; Captum's defaults.</summary>
    [GenerateSerializer, Immutable, Alias("Relucent.Cluster.IntegratedGradientsMethod")]
    public sealed record IntegratedGradientsMethod : ExplainMethod
    {
        /// <summary>The rule whose map is integrated (the gradient by default).</summary>
        [Id(0)] public BackwardRule Rule { get; init; } = BackwardRule.Saliency;

        /// <summary>Points on the path (50 by default).</summary>
        [Id(1)] public int Steps { get; init; } = 50;

        /// <summary>The quadrature (Gauss–Legendre by default).</summary>
        [Id(2)] public Quadrature Quadrature { get; init; } = Quadrature.GaussLegendre;

        /// <summary>The value of every baseline input (0 by default: the zero baseline).</summary>
        [Id(3)] public float Baseline { get; init; }

        /// <inheritdoc />
        public override string Describe() =>
            FormattableString.Invariant($"IntegratedGradients(rule: {Rule}, steps: {Steps}, quadrature: {Quadrature}, baseline: {Baseline:R})");

        /// <inheritdoc />
        public override IMapRunner CreateRunner(BatchRunner<float> batch)
        {
            ArgumentNullException.ThrowIfNull(batch);
            return new AttributionRunner(batch, Create);
        }

        /// <summary>The runtime's method with these settings, as a single machine would run it.</summary>
        public IntegratedGradients<float> Create(IExplainer<float> network)
        {
            float[]? baseline = Baseline == 0 && !float.IsNegative(Baseline) ? null : Enumerable.Repeat(Baseline, network.InputSize).ToArray();
            return new IntegratedGradients<float>(network, Rule) { Steps = Steps, Quadrature = Quadrature, Baseline = baseline };
        }
    }
}
