using Relucent.Attribution;
using Relucent.Cluster.Output;
using Relucent.Training;

namespace Relucent.Cluster.Tests
{
    /// <summary>
    /// A test's files in a fresh temporary directory: CaptumLeNet's weights, input shards of random examples (with labels),
    /// and the job's output; plus the one-machine reference each output is compared with, bit for bit.
    /// </summary>
    internal sealed class JobFiles : IDisposable
    {
        public const int Size = 144;

        public JobFiles(int shards, int perShard)
        {
            Root = Path.Combine(Path.GetTempPath(), "relucent-cluster-tests", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Root);
            Weights = Path.Combine(Root, "tiny.safetensors");
            CaptumLeNet.FromTensors(Init.PyTorchDefault(CaptumLeNet.ParameterShapes, seed: 5)).Save(Weights);
            Network = CaptumLeNet.Load(Weights);
            var inputs = new List<InputShard>();
            for (int s = 0; s < shards; s++)
            {
                var random = new Random(100 + s);
                float[] values = new float[perShard * Size];
                for (int i = 0; i < values.Length; i++) values[i] = (float)random.NextDouble();
                long[] labels = Enumerable.Range(0, perShard).Select(i => (long)((s + i) % 5)).ToArray();
                string path = Path.Combine(Root, $"input-{s}.safetensors");
                SafeTensors.Write(path, new Dictionary<string, Tensor>
                {
                    ["inputs"] = Tensor.FromSingle(values, perShard, 1, 12, 12),
                    ["targets"] = Tensor.FromInt64(labels, perShard),
                });
                inputs.Add(InputShard.SafeTensors(path));
            }

            Inputs = inputs;
        }

        public string Root { get; }

        public string Weights { get; }

        public CaptumLeNet Network { get; }

        public IReadOnlyList<InputShard> Inputs { get; set; }

        public string Output(string name) => Path.Combine(Root, "out-" + name);

        public ExplainJob Job(string name, ExplainMethod method, TargetChoice? targets = null) => new()
        {
            Name = name + "-" + Path.GetFileName(Root),
            Network = ExplainJob.NetworkName(typeof(CaptumLeNet)),
            Weights = Weights,
            Method = method,
            Targets = targets ?? TargetChoice.Predicted,
            Inputs = Inputs,
            Output = Output(name),
            ChunkSize = 8,
        };

        /// <summary>
        /// The classes and maps of one input shard on one machine: the predicted classes from <see cref="Batch.Forward"/>,
        /// rule maps from <see cref="Batch.Explain{T}(IExplainer{T}, BackwardRule, ReadOnlySpan{T}, ReadOnlySpan{int}, Span{T}, int)"/>,
        /// the other methods from the runtime's own classes one example at a time.
        /// </summary>
        public (int[] Classes, float[] Maps) Reference(ExplainJob job, float[] inputs, long[]? labels)
        {
            int n = inputs.Length / Size;
            int[] classes;
            if (job.Targets.Tensor is not null) classes = labels!.Select(l => (int)l).ToArray();
            else if (job.Targets.Class >= 0) classes = Enumerable.Repeat(job.Targets.Class, n).ToArray();
            else
            {
                var logits = new float[n * 5];
                Batch.Forward<float>(Network, inputs, logits);
                classes = Enumerable.Range(0, n).Select(i => Array.IndexOf(logits, logits.Skip(i * 5).Take(5).Max(), i * 5) - i * 5).ToArray();
            }

            var maps = new float[inputs.Length];
            if (job.Method is RuleMapMethod rule)
            {
                Batch.Explain<float>(Network, rule.Rule, inputs, classes, maps);
                return (classes, maps);
            }

            IAttribution<float> method = job.Method switch
            {
                IntegratedGradientsMethod ig => ig.Create(Network),
                SmoothGradMethod sg => sg.Create(Network),
                _ => throw new NotSupportedException(job.Method.Describe()),
            };
            for (int i = 0; i < n; i++) method.Attribute(inputs.AsSpan(i * Size, Size), classes[i], maps.AsSpan(i * Size, Size));
            return (classes, maps);
        }

        /// <summary>
        /// Every shard's file is present once, holds the one-machine maps and classes bit for bit, and is recorded in the
        /// manifest with its checksum; no temporary file is left. Returns the number of maps.
        /// </summary>
        public int AssertComplete(ExplainJob job, IReadOnlyCollection<int>? failedShards = null)
        {
            failedShards ??= [];
            Manifest manifest = Manifest.Read(job.Output) ?? throw new Xunit.Sdk.XunitException("No manifest.");
            Assert.Equal(job.Inputs.Count - failedShards.Count, manifest.Done.Count);
            Assert.Equal(manifest.Done.Count, manifest.Done.Select(e => e.Shard).Distinct().Count());
            Assert.Equal(failedShards.Order(), manifest.Failed.Select(f => f.Shard).Order());
            Assert.Empty(Directory.GetFiles(job.Output, "*.tmp"));
            Assert.Equal(manifest.Done.Count, Directory.GetFiles(job.Output, "shard-*.safetensors").Length);
            int maps = 0;
            foreach (ManifestEntry entry in manifest.Done)
            {
                string path = Path.Combine(job.Output, entry.File);
                Assert.Equal(ShardFile.Name(entry.Shard), entry.File);
                Assert.Equal(entry.Sha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))));
                SafeTensorsFile input = SafeTensors.Read(job.Inputs[entry.Shard].Path);
                SafeTensorsFile output = SafeTensors.Read(path);
                (int[] classes, float[] expected) = Reference(job, input["inputs"].ToSingle(), input["targets"].ToInt64());
                float[] actual = output[ShardFile.MapsTensor].ToSingle();
                Assert.Equal([classes.Length, 1, 12, 12], output[ShardFile.MapsTensor].Shape);
                Assert.Equal(classes, output[ShardFile.TargetsTensor].ToInt64().Select(v => (int)v));
                Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), actual.Select(BitConverter.SingleToInt32Bits));
                Assert.Equal(classes.Length, entry.Examples);
                maps += entry.Examples;
            }

            return maps;
        }

        public void Dispose()
        {
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (IOException)
            {
                // A temporary directory; a leftover is harmless.
            }
        }
    }
}
