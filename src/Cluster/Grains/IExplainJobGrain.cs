namespace Relucent.Cluster.Grains
{
    /// <summary>
    /// The grain of one job, keyed by the job's name: it holds the job's state (persisted in the <c>relucent</c> grain
    /// storage, so it outlives the silo that held it), hands shards out to the silos that ask, takes them back from
    /// silos the cluster declares dead, and writes the manifest. Orleans places and re-activates it; it schedules
    /// nothing itself.
    /// </summary>
    public interface IExplainJobGrain : IGrainWithStringKey
    {
        /// <summary>
        /// Starts the job, or resumes it: from the grain's state if it has one for the same job, else from the output
        /// directory's manifest (shards recorded there whose file has its checksum are not run again).
        /// </summary>
        /// <exception cref="ArgumentException">The job is incomplete, or its weights file is missing.</exception>
        /// <exception cref="InvalidOperationException">The name or the output directory belongs to a different job.</exception>
        Task<JobStatus> Submit(ExplainJob job);

        /// <summary>The job's progress.</summary>
        Task<JobStatus> GetStatus();

        /// <summary>Stops handing out shards and tells running ones to stop; finished shards stay finished.</summary>
        Task<JobStatus> Cancel();

        /// <summary>A shard for <paramref name="silo"/> to run, or null when none is waiting.</summary>
        Task<ShardLease?> Lease(string silo);

        /// <summary><paramref name="examples"/> of the shard are done; false when the silo should stop (cancelled, or the shard was handed to another silo and finished).</summary>
        Task<bool> Progress(int shard, int attempt, int examples);

        /// <summary>The shard's file is written: <paramref name="examples"/> maps, with SHA-256 <paramref name="checksum"/>.</summary>
        Task Complete(int shard, int attempt, string silo, int examples, string checksum);

        /// <summary>
        /// The shard failed on <paramref name="silo"/>: for good when <paramref name="permanent"/> (its input is at fault),
        /// otherwise it is handed out again, up to three failures.
        /// </summary>
        Task Fail(int shard, int attempt, string silo, string error, bool permanent);

        /// <summary>The silo stopped the shard without finishing it (cancelled, or shutting down): it waits for another.</summary>
        Task Abandon(int shard, int attempt);
    }

    /// <summary>The jobs with shards to hand out, so that idle silos know whom to ask. One grain, key 0, persisted.</summary>
    public interface IJobBoardGrain : IGrainWithIntegerKey
    {
        /// <summary>Adds a job.</summary>
        Task Add(string job);

        /// <summary>Removes a job.</summary>
        Task Remove(string job);

        /// <summary>The jobs, oldest first.</summary>
        Task<IReadOnlyList<string>> Jobs();
    }
}
