using System.Diagnostics;
using Relucent.Cluster;
using Relucent.Cluster.Output;

namespace Relucent.Samples.ClusterExplain
{
    /// <summary>
    /// The jobs' outputs against one machine in this process: maps present, missing, duplicated, and whether every present
    /// map is the same bits; and how long one machine takes for the same maps. One machine is the method's runner over
    /// a <see cref="BatchRunner{T}"/> with a worker per core: for a rule, <see cref="BatchRunner{T}.Explain(BackwardRule, ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T})"/> itself.
    /// </summary>
    internal static class Comparison
    {
        public sealed record Result(long Maps, long Missing, long Duplicated, bool Identical, TimeSpan BatchRunnerTime);

        public static Result Run(IReadOnlyList<ExplainJob> jobs, IExplainer<float> net)
        {
            using var runner = new BatchRunner<float>(net);
            long maps = 0, missing = 0, duplicated = 0;
            bool identical = true;
            var compute = new Stopwatch();
            foreach (ExplainJob job in jobs)
            {
                using IMapRunner method = job.Method.CreateRunner(runner);
                Manifest? manifest = Manifest.Read(job.Output);
                var recorded = (manifest?.Done ?? []).GroupBy(e => e.Shard).ToDictionary(g => g.Key, g => g.Count());
                for (int shard = 0; shard < job.Inputs.Count; shard++)
                {
                    SafeTensorsFile input = SafeTensors.Read(job.Inputs[shard].Path);
                    float[] x = input["inputs"].ToSingle();
                    int[] labels = input["targets"].ToInt64().Select(v => (int)v).ToArray();
                    string path = Path.Combine(job.Output, ShardFile.Name(shard));
                    // Every file that claims this shard: its own name, plus any other copy left beside it.
                    int copies = Directory.GetFiles(job.Output, Path.GetFileNameWithoutExtension(path) + "*.safetensors").Length;
                    int entries = recorded.GetValueOrDefault(shard);
                    if (copies == 0 || entries == 0)
                    {
                        missing += labels.Length;
                        continue;
                    }

                    duplicated += (long)labels.Length * (Math.Max(copies, entries) - 1);
                    var expected = new float[x.Length];
                    compute.Start();
                    method.Run(x, labels, expected);
                    compute.Stop();
                    SafeTensorsFile output = SafeTensors.Read(path);
                    float[] actual = output[ShardFile.MapsTensor].ToSingle();
                    // Bit patterns, so that -0 and +0 differ and NaN equals itself.
                    identical &= actual.Select(BitConverter.SingleToInt32Bits).SequenceEqual(expected.Select(BitConverter.SingleToInt32Bits));
                    maps += labels.Length;
                }
            }

            return new Result(maps, missing, duplicated, identical, compute.Elapsed);
        }
    }
}
