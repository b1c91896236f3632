using Relucent.Attribution;

namespace Relucent.Cluster
{
    /// <summary>SmoothGrad (<see cref="SmoothGrad{T}"/>): the mean map of a rule over noisy copies of each input.</summary>
    [GenerateSerializer, Immutable, Alias("Relucent.Cluster.SmoothGradMethod")]
    public sealed record SmoothGradMethod : ExplainMethod
    {
        /// <summary>The rule whose map is averaged (the gradient by default).</summary>
        [Id(0)] public BackwardRule Rule { get; init; } = BackwardRule.Saliency;

        /// <summary>Noisy copies per input (50 by default).</summary>
        [Id(1)] public int Samples { get; init; } = 50;

        /// <summary>σ, as a fraction of each input's range (0.15 by default) or absolute (<see cref="NoiseIsRelative"/> false).</summary>
        [Id(2)] public double Noise { get; init; } = 0.15;

        /// <summary>Whether <see cref="Noise"/> is relative to each input's range (true by default).</summary>
        [Id(3)] public bool NoiseIsRelative { get; init; } = true;

        /// <summary>The seed each input's noise starts from (0 by default; every input draws the same sequence).</summary>
        [Id(4)] public int Seed { get; init; }

        /// <inheritdoc />
        public override string Describe() =>
            FormattableString.Invariant($"SmoothGrad(rule: {Rule}, samples: {Samples}, noise: {Noise:R}{(NoiseIsRelative ? " × range" : "")}, seed: {Seed})");

        /// <inheritdoc />
        public override IMapRunner CreateRunner(BatchRunner<float> batch)
        {
            ArgumentNullException.ThrowIfNull(batch);
            return new AttributionRunner(batch, Create);
        }

        /// <summary>The runtime's method with these settings, as a single machine would run it.</summary>
        public SmoothGrad<float> Create(IExplainer<float> network) => new(network, Rule)
        {
            Samples = Samples,
            Noise = NoiseIsRelative ? NoiseLevel.Relative(Noise) : NoiseLevel.Absolute(Noise),
            Seed = Seed,
        };
    }
}
