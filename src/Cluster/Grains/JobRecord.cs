namespace Relucent.Cluster.Grains
{
    /// <summary>The persisted state of a job's grain: the job, and where each shard stands.</summary>
    [GenerateSerializer, Alias("Relucent.Cluster.JobRecord")]
    internal sealed class JobRecord
    {
        [Id(0)] public ExplainJob? Job { get; set; }

        [Id(1)] public string Fingerprint { get; set; } = "";

        [Id(2)] public List<ShardRecord> Shards { get; set; } = [];

        [Id(3)] public bool Cancelled { get; set; }
    }

    /// <summary>Where one shard stands.</summary>
    internal enum ShardPhase
    {
        Pending,
        Running,
        Done,
        Failed,
    }

    /// <summary>One shard of a job's state.</summary>
    [GenerateSerializer, Alias("Relucent.Cluster.ShardRecord")]
    internal sealed class ShardRecord
    {
        [Id(0)] public ShardPhase Phase { get; set; }

        /// <summary>The latest hand-out; progress and results of an older one are stale.</summary>
        [Id(1)] public int Attempt { get; set; }

        /// <summary>The silo running it, while <see cref="ShardPhase.Running"/>.</summary>
        [Id(2)] public string? Holder { get; set; }

        [Id(3)] public int Examples { get; set; }

        [Id(4)] public string? Checksum { get; set; }

        [Id(5)] public string? Error { get; set; }

        /// <summary>The silo whose completion was recorded.</summary>
        [Id(6)] public string? DoneBy { get; set; }

        /// <summary>Failures that may pass on another try (an I/O error, say), counted towards the limit of three.</summary>
        [Id(7)] public int Errors { get; set; }

        /// <summary>Found done in the manifest at submission, not run.</summary>
        [Id(8)] public bool Resumed { get; set; }
    }
}
