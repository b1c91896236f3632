namespace Relucent.Cluster
{
    /// <summary>Where a job stands.</summary>
    public enum JobPhase
    {
        /// <summary>Shards are pending or running.</summary>
        Running,

        /// <summary>Every shard is done.</summary>
        Completed,

        /// <summary>Every shard is done or failed, and at least one failed (see <see cref="JobStatus.Failures"/>).</summary>
        CompletedWithFailures,

        /// <summary>Cancelled; running shards are still stopping.</summary>
        Cancelling,

        /// <summary>Cancelled, and no shard runs any more. Submitting the job again resumes it.</summary>
        Cancelled,
    }

    /// <summary>A job's progress, as its grain sees it.</summary>
    [GenerateSerializer, Immutable, Alias("Relucent.Cluster.JobStatus")]
    public sealed record JobStatus
    {
        /// <summary>The job's name.</summary>
        [Id(0)] public required string Name { get; init; }

        /// <summary>Where the job stands.</summary>
        [Id(1)] public JobPhase Phase { get; init; }

        /// <summary>Shards in the job.</summary>
        [Id(2)] public int Shards { get; init; }

        /// <summary>Shards whose file is written and recorded in the manifest.</summary>
        [Id(3)] public int Done { get; init; }

        /// <summary>Shards that failed for good.</summary>
        [Id(4)] public int Failed { get; init; }

        /// <summary>Shards a silo is working on now.</summary>
        [Id(5)] public int Running { get; init; }

        /// <summary>Of the done shards, those found done in the output directory's manifest when the job was submitted (not run again).</summary>
        [Id(6)] public int Resumed { get; init; }

        /// <summary>Maps in the done shards' files.</summary>
        [Id(7)] public long Maps { get; init; }

        /// <summary>How many times each shard was handed to a silo, by shard (more than once after a silo died, or was thought dead).</summary>
        [Id(8)] public required IReadOnlyList<int> Runs { get; init; }

        /// <summary>Per silo: what it has done and is doing.</summary>
        [Id(9)] public required IReadOnlyList<SiloProgress> Silos { get; init; }

        /// <summary>The failed shards' errors, <c>shard 3 (data/part-3.safetensors): ...</c>.</summary>
        [Id(10)] public required IReadOnlyList<string> Failures { get; init; }

        /// <summary>The silo holding the job's grain when this status was made.</summary>
        [Id(11)] public required string HeldBy { get; init; }

        /// <summary>Whether the job has stopped: completed (with or without failures) or cancelled with nothing running.</summary>
        public bool IsFinished => Phase is JobPhase.Completed or JobPhase.CompletedWithFailures or JobPhase.Cancelled;
    }

    /// <summary>One silo's part in a job.</summary>
    [GenerateSerializer, Immutable, Alias("Relucent.Cluster.SiloProgress")]
    public sealed record SiloProgress
    {
        /// <summary>The silo's address.</summary>
        [Id(0)] public required string Silo { get; init; }

        /// <summary>Shards it finished (whose completion the grain recorded).</summary>
        [Id(1)] public int ShardsDone { get; init; }

        /// <summary>Maps in those shards, plus the examples done so far in its running shards.</summary>
        [Id(2)] public long Maps { get; init; }

        /// <summary>Shards it is running now.</summary>
        [Id(3)] public int Running { get; init; }
    }
}
