using Relucent.Cluster;
using Relucent.Samples.Shapes;
using Relucent.Training;

namespace Relucent.Samples.ClusterExplain
{
    /// <summary>The data set and the jobs: generated Shapes images in safetensors shards, one job per backward rule.</summary>
    internal sealed class Workload
    {
        public Workload(string root, int images, int perShard)
        {
            Root = root;
            Directory.CreateDirectory(root);
            Weights = Path.Combine(root, "shapes-cnn.safetensors");
            ShapesCnn.FromTensors(Init.PyTorchDefault(ShapesCnn.ParameterShapes, seed: 1)).Save(Weights);
            var inputs = new List<InputShard>();
            ShapeImage[] all = ShapesDataset.Generate(images, seed: 2024);
            for (int first = 0, shard = 0; first < images; first += perShard, shard++)
            {
                (float[] pixels, int[] labels) = ShapesDataset.Stack(all[first..Math.Min(images, first + perShard)]);
                int n = labels.Length;
                string path = Path.Combine(root, "inputs", $"part-{shard:D4}.safetensors");
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                SafeTensors.Write(path, new Dictionary<string, Tensor>
                {
                    ["inputs"] = Tensor.FromSingle(pixels, n, ShapesDataset.Channels, ShapesDataset.Size, ShapesDataset.Size),
                    ["targets"] = Tensor.FromInt32(labels, n),
                });
                inputs.Add(InputShard.SafeTensors(path));
            }

            Inputs = inputs;
            Images = images;
        }

        public string Root { get; }

        public string Weights { get; }

        public IReadOnlyList<InputShard> Inputs { get; }

        public int Images { get; }

        /// <summary>
        /// The jobs of <paramref name="method"/>: <c>rules</c>, one job per backward rule; <c>ig</c>, integrated gradients
        /// with 16 steps. Each input's map is for its labelled class.
        /// </summary>
        public IReadOnlyList<ExplainJob> Jobs(string run, string method)
        {
            ExplainMethod[] methods = method == "ig"
                ? [new IntegratedGradientsMethod { Steps = 16 }]
                : Enum.GetValues<BackwardRule>().Select(ExplainMethod (rule) => RuleMapMethod.Of(rule)).ToArray();
            return methods.Select((m, i) => new ExplainJob
            {
                Name = $"{run}-{i}",
                Network = ExplainJob.NetworkName(typeof(ShapesCnn)),
                Weights = Weights,
                Method = m,
                Targets = TargetChoice.FromShard(),
                Inputs = Inputs,
                Output = Path.Combine(Root, "maps", run, i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            }).ToArray();
        }
    }
}
