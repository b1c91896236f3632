using Relucent.Cluster.Grains;

namespace Relucent.Cluster.Tests
{
    /// <summary>
    /// One silo's outgoing progress reports, held while the gate is closed: a test closes the gates, waits until every
    /// silo is stopped after the first chunk of a shard, and so knows that each is mid-shard when it kills or cancels.
    /// Conditions, not sleeps.
    /// </summary>
    internal sealed class ProgressGate
    {
        private TaskCompletionSource? _closed;
        private int _waiting;

        /// <summary>Reports held here now.</summary>
        public int Waiting => Volatile.Read(ref _waiting);

        public void Close() => Volatile.Write(ref _closed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

        /// <summary>Lets the held reports through, and every later one.</summary>
        public void Open() => Interlocked.Exchange(ref _closed, null)?.TrySetResult();

        /// <summary>Fails the held reports (their silo is dead), and lets later ones through.</summary>
        public void Fail() => Interlocked.Exchange(ref _closed, null)?.TrySetException(new OperationCanceledException("The silo was killed."));

        public async Task Invoke(IOutgoingGrainCallContext context)
        {
            TaskCompletionSource? closed = Volatile.Read(ref _closed);
            if (closed is not null && context.MethodName == nameof(IExplainJobGrain.Progress))
            {
                Interlocked.Increment(ref _waiting);
                try
                {
                    await closed.Task;
                }
                finally
                {
                    Interlocked.Decrement(ref _waiting);
                }
            }

            await context.Invoke();
        }
    }
}
