namespace Relucent.Cluster
{
    /// <summary>How a silo's worker runs shards.</summary>
    public sealed class ClusterWorkerOptions
    {
        /// <summary>
        /// Threads that compute, per silo (the <see cref="BatchRunner{T}"/>'s workers); -1, the default, for one per core.
        /// With several silos on one machine, give each its share of the cores.
        /// </summary>
        public int Workers { get; set; } = -1;

        /// <summary>How long an idle worker waits before asking for a shard again (250 ms by default).</summary>
        public TimeSpan IdlePoll { get; set; } = TimeSpan.FromMilliseconds(250);

        /// <summary>How long a call to a job's grain is retried while Orleans moves it off a dead silo (2 minutes by default).</summary>
        public TimeSpan CallRetryTime { get; set; } = TimeSpan.FromMinutes(2);
    }
}
