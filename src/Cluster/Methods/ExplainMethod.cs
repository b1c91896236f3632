namespace Relucent.Cluster
{
    /// <summary>
    /// An attribution method and its settings, as a job carries it to the silos: a rule's map
    /// (<see cref="RuleMapMethod"/>), integrated gradients (<see cref="IntegratedGradientsMethod"/>) or SmoothGrad
    /// (<see cref="SmoothGradMethod"/>).
    /// </summary>
    /// <remarks>
    /// A method is a serialisable description plus the runner it makes on a silo. A new method (Grad-CAM, once the
    /// runtime has layer attribution) joins as one more derived record with <c>[GenerateSerializer]</c>: its
    /// <see cref="Describe"/> enters the job's fingerprint, and its <see cref="CreateRunner"/> may give maps of another
    /// shape than the input (<see cref="IMapRunner.MapShape"/>), which the output files record.
    /// </remarks>
    [GenerateSerializer, Immutable, Alias("Relucent.Cluster.ExplainMethod")]
    public abstract record ExplainMethod
    {
        /// <summary>The method and every setting that changes a bit of its maps, e.g. <c>IntegratedGradients(rule: Saliency, steps: 50, quadrature: GaussLegendre)</c>.</summary>
        public abstract string Describe();

        /// <summary>
        /// The runner of this method on one silo, computing with <paramref name="batch"/>'s network and as many workers
        /// as it has. The runner does not own <paramref name="batch"/>.
        /// </summary>
        /// <exception cref="ArgumentException">The network lacks the rule, or a setting is out of range.</exception>
        public abstract IMapRunner CreateRunner(BatchRunner<float> batch);
    }

    /// <summary>Computes a method's maps for a chunk of examples on one silo's cores.</summary>
    public interface IMapRunner : IDisposable
    {
        /// <summary>The shape of one example's map (the input's shape for the rules, integrated gradients and SmoothGrad).</summary>
        IReadOnlyList<int> MapShape { get; }

        /// <summary>
        /// The maps of <paramref name="inputs"/> (<c>N × InputSize</c>) for the classes <paramref name="targets"/> (N),
        /// into <paramref name="maps"/> (<c>N × product(MapShape)</c>). Each example's map is the same bits whatever the
        /// number of workers or the other examples of the chunk.
        /// </summary>
        void Run(ReadOnlySpan<float> inputs, ReadOnlySpan<int> targets, Span<float> maps);
    }
}
