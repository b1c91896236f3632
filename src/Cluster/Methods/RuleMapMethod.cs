namespace Relucent.Cluster
{
    /// <summary>The map of one backward rule (Saliency: the gradient; DeconvNet; GuidedBackprop), run by <see cref="BatchRunner{T}"/>.</summary>
    [GenerateSerializer, Immutable, Alias("Relucent.Cluster.RuleMapMethod")]
    public sealed record RuleMapMethod : ExplainMethod
    {
        /// <summary>The rule.</summary>
        [Id(0)] public BackwardRule Rule { get; init; } = BackwardRule.Saliency;

        /// <summary>The map of <paramref name="rule"/>.</summary>
        public static RuleMapMethod Of(BackwardRule rule) => new() { Rule = rule };

        /// <inheritdoc />
        public override string Describe() => $"RuleMap(rule: {Rule})";

        /// <inheritdoc />
        public override IMapRunner CreateRunner(BatchRunner<float> batch)
        {
            ArgumentNullException.ThrowIfNull(batch);
            if (!batch.Network.Rules.Contains(Rule))
            {
                throw new ArgumentException($"The network has no {Rule} rule; its rules are {string.Join(", ", batch.Network.Rules)}.", nameof(Rule));
            }

            return new Runner(batch, Rule);
        }

        // The batch engine as it is: one example per worker, bit-identical to single calls.
        private sealed class Runner(BatchRunner<float> batch, BackwardRule rule) : IMapRunner
        {
            public IReadOnlyList<int> MapShape { get; } = batch.Network.Architecture.InputShape.Dimensions;

            public void Run(ReadOnlySpan<float> inputs, ReadOnlySpan<int> targets, Span<float> maps) => batch.Explain(rule, inputs, targets, maps);

            public void Dispose()
            {
            }
        }
    }
}
