using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relucent.Cluster.Grains;
using Relucent.Cluster.Output;

namespace Relucent.Cluster.Execution
{
    /// <summary>
    /// The silo's worker: while the silo runs, it asks the jobs on the board for a shard, runs it through the silo's
    /// <see cref="BatchRunner{T}"/> (all its cores), writes the shard's file and reports to the job's grain. One shard at
    /// a time: the cores are already all busy with one.
    /// </summary>
    /// <remarks>
    /// Orleans decides where the grains live and which silos are dead; the worker only asks for work when idle and
    /// retries a call whose grain was on a silo that just died (Orleans activates it anew on a live one).
    /// </remarks>
    internal sealed partial class ShardWorker(
        IGrainFactory grains,
        ILocalSiloDetails silo,
        IOptions<ClusterWorkerOptions> options,
        ILogger<ShardWorker> logger) : BackgroundService
    {
        private JobContext? _context;

        protected override async Task ExecuteAsync(CancellationToken stopping)
        {
            string self = silo.SiloAddress.ToParsableString();
            try
            {
                while (!stopping.IsCancellationRequested)
                {
                    ShardLease? lease = await NextShard(self);
                    if (lease is null)
                    {
                        await Task.Delay(options.Value.IdlePoll, stopping);
                        continue;
                    }

                    await Run(lease, self, stopping);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                // The silo is stopping.
            }
            finally
            {
                _context?.Dispose();
                _context = null;
            }
        }

        private async Task<ShardLease?> NextShard(string self)
        {
            try
            {
                foreach (string job in await grains.GetGrain<IJobBoardGrain>(0).Jobs())
                {
                    ShardLease? lease = await grains.GetGrain<IExplainJobGrain>(job).Lease(self);
                    if (lease is not null) return lease;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A grain on a silo that just died, or the silo still joining: ask again after the idle wait.
                LogAskFailed(e.Message);
            }

            return null;
        }

        private async Task Run(ShardLease lease, string self, CancellationToken stopping)
        {
            ExplainJob job = lease.Job;
            InputShard input = job.Inputs[lease.Shard];
            IExplainJobGrain grain = grains.GetGrain<IExplainJobGrain>(job.Name);
            try
            {
                JobContext context = Context(lease);
                ShardInputs inputs = ShardInputs.Read(input, context.Network, job.Targets.Tensor);
                var result = await context.Explain(input, inputs, done => Retry(() => grain.Progress(lease.Shard, lease.Attempt, done), stopping));
                if (result is not { } maps)
                {
                    await Retry(() => grain.Abandon(lease.Shard, lease.Attempt), stopping);
                    return;
                }

                // A silo told to stop does not write: the shard is someone else's now.
                stopping.ThrowIfCancellationRequested();
                byte[] bytes = ShardFile.Serialize(job, input, context.MapShape, maps.Classes, maps.Maps);
                string checksum = AtomicFile.Checksum(bytes);
                AtomicFile.Write(Path.Combine(job.Output, ShardFile.Name(lease.Shard)), bytes);
                await Retry(() => grain.Complete(lease.Shard, lease.Attempt, self, inputs.Count, checksum), stopping);
            }
            catch (ShardException e)
            {
                await Retry(() => grain.Fail(lease.Shard, lease.Attempt, self, e.Message, permanent: true), stopping);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Not the input's fault (an I/O error, a network this silo cannot load): another try may pass.
                LogShardError(job.Name, lease.Shard, e);
                await Retry(() => grain.Fail(lease.Shard, lease.Attempt, self, e.Message, permanent: false), stopping);
            }
        }

        // The loaded network of the lease's job, kept for the job's next shard.
        private JobContext Context(ShardLease lease)
        {
            if (_context?.Fingerprint == lease.Fingerprint) return _context;
            _context?.Dispose();
            _context = null;
            string? weights = AtomicFile.ChecksumOf(lease.Job.Weights);
            if (weights is null || lease.Job.Fingerprint(weights) != lease.Fingerprint)
            {
                throw new InvalidOperationException(
                    $"The weights file '{lease.Job.Weights}' on silo {silo.SiloAddress} is {(weights is null ? "missing" : "not the one the job was submitted with")}.");
            }

            _context = new JobContext(lease.Job, lease.Fingerprint, options.Value.Workers);
            return _context;
        }

        // A grain call that failed because its silo died is made again until Orleans has activated the grain elsewhere.
        private async Task<T> Retry<T>(Func<Task<T>> call, CancellationToken stopping)
        {
            DateTime giveUp = DateTime.UtcNow + options.Value.CallRetryTime;
            while (true)
            {
                try
                {
                    return await call();
                }
                catch (Exception e) when (e is not OperationCanceledException && DateTime.UtcNow < giveUp && !stopping.IsCancellationRequested)
                {
                    LogCallRetried(e.Message);
                    await Task.Delay(options.Value.IdlePoll, stopping);
                }
            }
        }

        private Task Retry(Func<Task> call, CancellationToken stopping) => Retry(async () =>
        {
            await call();
            return true;
        }, stopping);

        [LoggerMessage(Level = LogLevel.Debug, Message = "Asking for a shard failed: {Error}")]
        private partial void LogAskFailed(string error);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Job {Job}: shard {Shard} failed here")]
        private partial void LogShardError(string job, int shard, Exception error);

        [LoggerMessage(Level = LogLevel.Information, Message = "A call to a job's grain failed, retrying: {Error}")]
        private partial void LogCallRetried(string error);
    }
}
