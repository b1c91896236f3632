namespace Relucent.Cluster.Execution
{
    /// <summary>
    /// One job on one silo: its network loaded once, the silo's <see cref="BatchRunner{T}"/> for it and the method's
    /// runner, reused for every shard of the job the silo takes.
    /// </summary>
    internal sealed class JobContext : IDisposable
    {
        private readonly BatchRunner<float> _batch;
        private readonly IMapRunner _runner;

        public JobContext(ExplainJob job, string fingerprint, int workers)
        {
            Job = job;
            Fingerprint = fingerprint;
            Network = NetworkLoader.Load(job.Network, job.Weights);
            _batch = new BatchRunner<float>(Network, workers);
            try
            {
                _runner = job.Method.CreateRunner(_batch);
            }
            catch
            {
                _batch.Dispose();
                throw;
            }

            MapSize = _runner.MapShape.Aggregate(1, (a, b) => a * b);
        }

        public ExplainJob Job { get; }

        public string Fingerprint { get; }

        public IExplainer<float> Network { get; }

        public IReadOnlyList<int> MapShape => _runner.MapShape;

        public int MapSize { get; }

        /// <summary>
        /// The classes and maps of <paramref name="inputs"/>, a chunk at a time; after each chunk
        /// <paramref name="progress"/> hears how many examples are done and says whether to go on.
        /// </summary>
        /// <returns>The classes and maps, or null when <paramref name="progress"/> said stop.</returns>
        /// <exception cref="ShardException">A class from the shard or the job is not a class of the network.</exception>
        public async Task<(int[] Classes, float[] Maps)?> Explain(InputShard shard, ShardInputs inputs, Func<int, Task<bool>> progress)
        {
            int size = Network.InputSize, n = inputs.Count, chunk = Job.ChunkSize;
            int[] classes = inputs.Classes ?? new int[n];
            var maps = new float[(long)n * MapSize];
            float[] outputs = new float[Math.Min(chunk, Math.Max(n, 1)) * Network.OutputSize];
            for (int start = 0; start < n; start += chunk)
            {
                int count = Math.Min(chunk, n - start);
                ReadOnlySpan<float> x = inputs.Values.AsSpan(start * size, count * size);
                try
                {
                    ChooseClasses(shard, x, classes.AsSpan(start, count), start, outputs);
                    _runner.Run(x, classes.AsSpan(start, count), maps.AsSpan(start * MapSize, count * MapSize));
                }
                catch (ArgumentException e)
                {
                    // The batch engine names the example within the chunk (inputs[3]: holds NaN ...); say where the chunk starts.
                    throw new ShardException(shard.Path, $"examples {start} to {start + count - 1}: {e.Message}", e);
                }
                if (!await progress(start + count)) return null;
            }

            return (classes, maps);
        }

        private void ChooseClasses(InputShard shard, ReadOnlySpan<float> inputs, Span<int> classes, int first, float[] outputs)
        {
            int classCount = Network.OutputSize;
            TargetChoice choice = Job.Targets;
            if (choice.Tensor is null && choice.Class >= 0)
            {
                if (choice.Class >= classCount) throw new ShardException(shard.Path, $"the job's target class {choice.Class} is not a class: the network has {classCount} (0 to {classCount - 1}).");
                classes.Fill(choice.Class);
                return;
            }

            if (choice.Tensor is not null)
            {
                for (int i = 0; i < classes.Length; i++)
                {
                    if ((uint)classes[i] >= (uint)classCount)
                    {
                        throw new ShardException(shard.Path, $"{choice.Tensor}[{first + i}] is not a class: the network has {classCount} (0 to {classCount - 1}).");
                    }
                }

                return;
            }

            // Predicted: the arg-max logit, the lowest index on a tie.
            Span<float> logits = outputs.AsSpan(0, classes.Length * classCount);
            _batch.Forward(inputs, logits);
            for (int i = 0; i < classes.Length; i++)
            {
                ReadOnlySpan<float> row = logits.Slice(i * classCount, classCount);
                int best = 0;
                for (int c = 1; c < classCount; c++) if (row[c] > row[best]) best = c;
                classes[i] = best;
            }
        }

        public void Dispose()
        {
            _runner.Dispose();
            _batch.Dispose();
        }
    }
}
