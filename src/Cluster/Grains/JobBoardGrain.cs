namespace Relucent.Cluster.Grains
{
    /// <summary>The list of jobs with shards to hand out (see <see cref="IJobBoardGrain"/>).</summary>
    internal sealed class JobBoardGrain([PersistentState("board", ClusterHosting.StorageName)] IPersistentState<BoardState> state) : Grain, IJobBoardGrain
    {
        public async Task Add(string job)
        {
            if (state.State.Jobs.Contains(job)) return;
            state.State.Jobs.Add(job);
            await state.WriteStateAsync();
        }

        public async Task Remove(string job)
        {
            if (state.State.Jobs.Remove(job)) await state.WriteStateAsync();
        }

        public Task<IReadOnlyList<string>> Jobs() => Task.FromResult<IReadOnlyList<string>>(state.State.Jobs.ToArray());
    }

    /// <summary>The persisted jobs of the board.</summary>
    [GenerateSerializer, Alias("Relucent.Cluster.BoardState")]
    internal sealed class BoardState
    {
        [Id(0)] public List<string> Jobs { get; set; } = [];
    }
}
