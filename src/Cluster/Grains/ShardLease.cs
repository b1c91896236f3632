namespace Relucent.Cluster.Grains
{
    /// <summary>A shard handed to one silo: which job, which shard, which attempt (a later attempt supersedes it).</summary>
    [GenerateSerializer, Immutable, Alias("Relucent.Cluster.ShardLease")]
    public sealed record ShardLease
    {
        /// <summary>The job.</summary>
        [Id(0)] public required ExplainJob Job { get; init; }

        /// <summary>The job's fingerprint (the silo keeps one loaded network per fingerprint).</summary>
        [Id(1)] public required string Fingerprint { get; init; }

        /// <summary>The shard's index in <see cref="ExplainJob.Inputs"/>.</summary>
        [Id(2)] public int Shard { get; init; }

        /// <summary>The attempt: the grain counts every hand-out of the shard.</summary>
        [Id(3)] public int Attempt { get; init; }
    }
}
