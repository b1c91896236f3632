namespace Relucent.Cluster.Tests
{
    /// <summary>
    /// The cluster tests run one at a time: each starts three silos, and two clusters computing at once on a 2-core
    /// machine would only slow the failure detector's probes for no gain.
    /// </summary>
    [CollectionDefinition(Name, DisableParallelization = true)]
    public sealed class ClusterCollection
    {
        public const string Name = "cluster";

        /// <summary>How long any condition may take before the test fails: generous, so a busy machine never fails a test.</summary>
        public static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

        /// <summary>Waits until <paramref name="condition"/> holds, checking every 20 ms, or fails after <see cref="Patience"/>.</summary>
        public static async Task Until(Func<bool> condition, string what)
        {
            DateTime giveUp = DateTime.UtcNow + Patience;
            while (!condition())
            {
                if (DateTime.UtcNow > giveUp) throw new TimeoutException($"Waited {Patience} for {what}.");
                await Task.Delay(20);
            }
        }
    }
}
