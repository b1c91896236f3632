using Microsoft.Extensions.Logging;
using Relucent.Cluster.Output;

namespace Relucent.Cluster.Grains
{
    /// <summary>One job's state and its shard hand-out (see <see cref="IExplainJobGrain"/>).</summary>
    internal sealed partial class ExplainJobGrain(
        [PersistentState("job", ClusterHosting.StorageName)] IPersistentState<JobRecord> state,
        IClusterMembershipService membership,
        ILocalSiloDetails silo,
        ILogger<ExplainJobGrain> logger) : Grain, IExplainJobGrain
    {
        // A shard failing for a reason other than its input is handed out again, at most this many times in all.
        private const int MaxErrors = 3;

        // Examples done in running shards: soft state, reported between chunks, never persisted.
        private readonly Dictionary<int, int> _progress = [];

        private JobRecord Record => state.State;

        public async Task<JobStatus> Submit(ExplainJob job)
        {
            ArgumentNullException.ThrowIfNull(job);
            job.Validate();
            if (job.Name != this.GetPrimaryKeyString())
            {
                throw new ArgumentException($"Job '{job.Name}' was submitted to the grain of job '{this.GetPrimaryKeyString()}'.", nameof(job));
            }

            string weights = AtomicFile.ChecksumOf(job.Weights)
                ?? throw new ArgumentException($"Job '{job.Name}': no weights file at '{job.Weights}' on silo {silo.SiloAddress}.", nameof(job));
            string fingerprint = job.Fingerprint(weights);
            if (Record.Job is not null)
            {
                if (Record.Fingerprint != fingerprint)
                {
                    throw new InvalidOperationException(
                        $"A different job named '{job.Name}' exists (its network, weights, method, targets or inputs differ); give this one another name.");
                }

                // The same job again: resume it (after a cancellation, or to find it after a restart).
                Record.Cancelled = false;
                await state.WriteStateAsync();
                await UpdateBoard();
                return Status();
            }

            Directory.CreateDirectory(job.Output);
            Manifest? manifest = Manifest.Read(job.Output);
            if (manifest is not null && manifest.Fingerprint != fingerprint)
            {
                throw new InvalidOperationException(
                    $"Output directory '{job.Output}' holds the results of another job ('{manifest.Job}', {manifest.Method}); use an empty directory.");
            }

            Record.Job = job;
            Record.Fingerprint = fingerprint;
            Record.Shards = job.Inputs.Select(_ => new ShardRecord()).ToList();
            foreach (ManifestEntry entry in manifest?.Done ?? [])
            {
                // Trust an entry only if its file is still the one it describes.
                if (entry.Shard < 0 || entry.Shard >= Record.Shards.Count || entry.File != ShardFile.Name(entry.Shard)) continue;
                if (AtomicFile.ChecksumOf(Path.Combine(job.Output, entry.File)) != entry.Sha256) continue;
                ShardRecord shard = Record.Shards[entry.Shard];
                shard.Phase = ShardPhase.Done;
                shard.Examples = entry.Examples;
                shard.Checksum = entry.Sha256;
                shard.Resumed = true;
            }

            await state.WriteStateAsync();
            WriteManifest();
            await UpdateBoard();
            LogSubmitted(job.Name, Record.Shards.Count, Record.Shards.Count(s => s.Resumed));
            return Status();
        }

        public Task<JobStatus> GetStatus()
        {
            ReleaseLostLeases();
            return Task.FromResult(Status());
        }

        public async Task<JobStatus> Cancel()
        {
            if (Record.Job is null) throw new InvalidOperationException($"No job named '{this.GetPrimaryKeyString()}' was submitted.");
            Record.Cancelled = true;
            await state.WriteStateAsync();
            await UpdateBoard();
            return Status();
        }

        public async Task<ShardLease?> Lease(string holder)
        {
            if (Record.Job is null || Record.Cancelled) return null;

            // The caller is alive; if this silo has not heard of it yet, catch up, so that an unknown holder below
            // always means a silo of a cluster that no longer exists.
            if (membership.CurrentSnapshot.GetSiloStatus(SiloAddress.FromParsableString(holder)) == SiloStatus.None) await membership.Refresh();
            bool released = ReleaseLostLeases();
            int index = Record.Shards.FindIndex(s => s.Phase == ShardPhase.Pending);
            if (index < 0)
            {
                if (released) await state.WriteStateAsync();
                await UpdateBoard();
                return null;
            }

            ShardRecord shard = Record.Shards[index];
            shard.Phase = ShardPhase.Running;
            shard.Attempt++;
            shard.Holder = holder;
            _progress[index] = 0;
            await state.WriteStateAsync();
            return new ShardLease { Job = Record.Job, Fingerprint = Record.Fingerprint, Shard = index, Attempt = shard.Attempt };
        }

        public Task<bool> Progress(int shard, int attempt, int examples)
        {
            if (!IsCurrent(shard, attempt)) return Task.FromResult(false);
            _progress[shard] = examples;
            return Task.FromResult(!Record.Cancelled);
        }

        public async Task Complete(int shard, int attempt, string holder, int examples, string checksum)
        {
            if (Record.Job is null || (uint)shard >= (uint)Record.Shards.Count) return;
            ShardRecord record = Record.Shards[shard];
            if (record.Phase == ShardPhase.Done)
            {
                // A second run of a shard (its first silo was thought dead, but finished): same inputs, same bits.
                if (record.Checksum != checksum) LogChecksumDiffers(Record.Job.Name, shard, holder, checksum, record.Checksum);
                return;
            }

            // Any attempt's file is whole and correct: accept the first to arrive; a later one is told to stop.
            record.Phase = ShardPhase.Done;
            record.Examples = examples;
            record.Checksum = checksum;
            record.DoneBy = holder;
            record.Holder = null;
            record.Error = null;
            _progress.Remove(shard);
            await state.WriteStateAsync();
            WriteManifest();
            await Finish();
        }

        public async Task Fail(int shard, int attempt, string holder, string error, bool permanent)
        {
            if (!IsCurrent(shard, attempt)) return;
            ShardRecord record = Record.Shards[shard];
            record.Errors++;
            record.Holder = null;
            record.Error = $"on {holder}: {error}";
            record.Phase = permanent || record.Errors >= MaxErrors ? ShardPhase.Failed : ShardPhase.Pending;
            _progress.Remove(shard);
            LogShardFailed(Record.Job!.Name, shard, holder, error);
            await state.WriteStateAsync();
            if (record.Phase == ShardPhase.Failed) WriteManifest();
            await Finish();
        }

        public async Task Abandon(int shard, int attempt)
        {
            if (!IsCurrent(shard, attempt)) return;
            ShardRecord record = Record.Shards[shard];
            record.Phase = ShardPhase.Pending;
            record.Holder = null;
            _progress.Remove(shard);
            await state.WriteStateAsync();
            await UpdateBoard();
        }

        private bool IsCurrent(int shard, int attempt) =>
            Record.Job is not null && (uint)shard < (uint)Record.Shards.Count
            && Record.Shards[shard] is { Phase: ShardPhase.Running } record && record.Attempt == attempt;

        /// <summary>
        /// Hands back the shards of silos the cluster has declared dead (Orleans' failure detection decides, not a
        /// timeout of ours), or that belong to no silo of this cluster (the holder of a whole cluster that restarted).
        /// The state is written by the caller's next write; a lost write only means the check runs again.
        /// </summary>
        private bool ReleaseLostLeases()
        {
            bool released = false;
            ClusterMembershipSnapshot snapshot = membership.CurrentSnapshot;
            for (int i = 0; i < Record.Shards.Count; i++)
            {
                ShardRecord shard = Record.Shards[i];
                if (shard.Phase != ShardPhase.Running || shard.Holder is null) continue;
                SiloStatus status = snapshot.GetSiloStatus(SiloAddress.FromParsableString(shard.Holder));
                if (status is not (SiloStatus.Dead or SiloStatus.None)) continue;
                LogLeaseReleased(Record.Job!.Name, i, shard.Holder, status);
                shard.Phase = ShardPhase.Pending;
                shard.Holder = null;
                _progress.Remove(i);
                released = true;
            }

            return released;
        }

        private async Task Finish()
        {
            await UpdateBoard();
            if (Record.Shards.Any(s => s.Phase is ShardPhase.Pending or ShardPhase.Running)) return;

            // Every shard is done or failed: files a silo was writing when it died are debris now.
            foreach (string temporary in Directory.EnumerateFiles(Record.Job!.Output, "shard-*" + AtomicFile.TemporarySuffix))
            {
                File.Delete(temporary);
            }
        }

        // On the board while there are shards to hand out.
        private Task UpdateBoard()
        {
            IJobBoardGrain board = GrainFactory.GetGrain<IJobBoardGrain>(0);
            bool waiting = Record.Job is not null && !Record.Cancelled && Record.Shards.Any(s => s.Phase is ShardPhase.Pending or ShardPhase.Running);
            return waiting ? board.Add(Record.Job!.Name) : board.Remove(this.GetPrimaryKeyString());
        }

        private void WriteManifest()
        {
            ExplainJob job = Record.Job!;
            var manifest = new Manifest
            {
                Job = job.Name,
                Fingerprint = Record.Fingerprint,
                Network = job.Network,
                Method = job.Method.Describe(),
                Targets = job.Targets.Describe(),
                Shards = Record.Shards.Count,
                Done = Record.Shards.Select((s, i) => (s, i)).Where(x => x.s.Phase == ShardPhase.Done)
                    .Select(x => new ManifestEntry(x.i, job.Inputs[x.i].Describe(), ShardFile.Name(x.i), x.s.Examples, x.s.Checksum!)).ToArray(),
                Failed = Record.Shards.Select((s, i) => (s, i)).Where(x => x.s.Phase == ShardPhase.Failed)
                    .Select(x => new ManifestFailure(x.i, job.Inputs[x.i].Describe(), x.s.Error ?? "")).ToArray(),
            };
            manifest.Write(job.Output);
        }

        private JobStatus Status()
        {
            List<ShardRecord> shards = Record.Shards;
            int running = shards.Count(s => s.Phase == ShardPhase.Running);
            bool open = shards.Any(s => s.Phase is ShardPhase.Pending or ShardPhase.Running);
            JobPhase phase = Record.Cancelled
                ? running > 0 ? JobPhase.Cancelling : open ? JobPhase.Cancelled : Finished()
                : open ? JobPhase.Running : Finished();
            var silos = shards.Select((s, i) => (s, i))
                .SelectMany(x => new[] { (Silo: x.s.DoneBy, Done: x.s.Phase == ShardPhase.Done, x.s, x.i), (Silo: x.s.Holder, Done: false, x.s, x.i) })
                .Where(x => x.Silo is not null && (x.Done || x.s.Phase == ShardPhase.Running && x.Silo == x.s.Holder))
                .GroupBy(x => x.Silo!)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new SiloProgress
                {
                    Silo = g.Key,
                    ShardsDone = g.Count(x => x.Done),
                    Maps = g.Sum(x => x.Done ? (long)x.s.Examples : _progress.GetValueOrDefault(x.i)),
                    Running = g.Count(x => !x.Done),
                })
                .ToArray();
            return new JobStatus
            {
                Name = this.GetPrimaryKeyString(),
                Phase = phase,
                Shards = shards.Count,
                Done = shards.Count(s => s.Phase == ShardPhase.Done),
                Failed = shards.Count(s => s.Phase == ShardPhase.Failed),
                Running = running,
                Resumed = shards.Count(s => s.Resumed),
                Maps = shards.Where(s => s.Phase == ShardPhase.Done).Sum(s => (long)s.Examples),
                Runs = shards.Select(s => s.Attempt).ToArray(),
                Silos = silos,
                Failures = shards.Select((s, i) => (s, i)).Where(x => x.s.Phase == ShardPhase.Failed)
                    .Select(x => $"shard {x.i} ({Record.Job!.Inputs[x.i].Path}): {x.s.Error}").ToArray(),
                HeldBy = silo.SiloAddress.ToParsableString(),
            };

            JobPhase Finished() => shards.Any(s => s.Phase == ShardPhase.Failed) ? JobPhase.CompletedWithFailures : JobPhase.Completed;
        }

        [LoggerMessage(Level = LogLevel.Information, Message = "Job {Job}: {Shards} shards, {Resumed} found done in the manifest")]
        private partial void LogSubmitted(string job, int shards, int resumed);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Job {Job}: shard {Shard} handed back from silo {Silo} ({Status})")]
        private partial void LogLeaseReleased(string job, int shard, string silo, SiloStatus status);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Job {Job}: shard {Shard} failed on {Silo}: {Error}")]
        private partial void LogShardFailed(string job, int shard, string silo, string error);

        [LoggerMessage(Level = LogLevel.Error, Message = "Job {Job}: shard {Shard} finished again on {Silo} with checksum {Checksum}, not the recorded {Recorded}")]
        private partial void LogChecksumDiffers(string job, int shard, string silo, string checksum, string? recorded);
    }
}
