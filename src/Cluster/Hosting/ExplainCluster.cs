using Relucent.Cluster.Grains;

namespace Relucent.Cluster
{
    /// <summary>Submits jobs to a cluster and follows them, from any client or silo.</summary>
    public sealed class ExplainCluster(IGrainFactory grains)
    {
        /// <summary>Starts <paramref name="job"/>, or resumes it (see <see cref="IExplainJobGrain.Submit"/>).</summary>
        public Task<JobStatus> SubmitAsync(ExplainJob job)
        {
            ArgumentNullException.ThrowIfNull(job);
            return Job(job.Name).Submit(job);
        }

        /// <summary>The job's progress.</summary>
        public Task<JobStatus> StatusAsync(string name) => Job(name).GetStatus();

        /// <summary>Cancels the job (see <see cref="IExplainJobGrain.Cancel"/>).</summary>
        public Task<JobStatus> CancelAsync(string name) => Job(name).Cancel();

        /// <summary>
        /// Polls the job every <paramref name="poll"/> until it is finished, passing each status to
        /// <paramref name="progress"/>. A status call that fails while the cluster moves the job's grain off a dead silo
        /// is retried.
        /// </summary>
        /// <exception cref="TimeoutException">Not finished within <paramref name="timeout"/>.</exception>
        public async Task<JobStatus> WaitAsync(string name, TimeSpan poll, TimeSpan timeout, Action<JobStatus>? progress = null, CancellationToken cancellationToken = default)
        {
            DateTime giveUp = DateTime.UtcNow + timeout;
            Exception? last = null;
            while (DateTime.UtcNow < giveUp)
            {
                try
                {
                    JobStatus status = await StatusAsync(name);
                    progress?.Invoke(status);
                    if (status.IsFinished) return status;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    last = e;
                }

                await Task.Delay(poll, cancellationToken);
            }

            throw new TimeoutException($"Job '{name}' did not finish within {timeout}." + (last is null ? "" : $" Last error: {last.Message}"), last);
        }

        private IExplainJobGrain Job(string name) => grains.GetGrain<IExplainJobGrain>(name);
    }
}
