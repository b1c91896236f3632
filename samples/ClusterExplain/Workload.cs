using Relucent.Cluster;
using Relucent.Samples.Shapes;
using Relucent.Samples.TorchVision;
using Relucent.Training;

namespace Relucent.Samples.ClusterExplain
{
    /// <summary>
    /// The data set and the jobs: generated Shapes images through the Shapes CNN (<c>shapes</c>, the default), or random
    /// 224×224 images through torchvision's ResNet-18 with PyTorch's default initialisation (<c>resnet18</c>: a network
    /// whose maps cost about as much as a real model's), in safetensors shards; one job per backward rule, or integrated
    /// gradients.
    /// </summary>
    internal sealed class Workload
    {
        public Workload(string root, string network, int images, int perShard)
        {
            Root = root;
            Directory.CreateDirectory(root);
            Weights = Path.Combine(root, network + ".safetensors");
            ShapeImage[]? shapes = null;
            switch (network)
            {
                case "shapes":
                    (Network, Load) = (typeof(ShapesCnn), path => ShapesCnn.Load(path));
                    SafeTensors.Write(Weights, Init.PyTorchDefault(ShapesCnn.ParameterShapes, seed: 1));
                    shapes = ShapesDataset.Generate(images, seed: 2024);
                    break;
                case "resnet18":
                    (Network, Load) = (typeof(ResNet18), path => ResNet18.Load(path));
                    SafeTensors.Write(Weights, Init.PyTorchDefault(ResNet18.ParameterShapes, seed: 1));
                    break;
                default:
                    throw new ArgumentException($"no workload network '{network}'; use shapes or resnet18", nameof(network));
            }

            var inputs = new List<InputShard>();
            for (int first = 0, shard = 0; first < images; first += perShard, shard++)
            {
                int count = Math.Min(images, first + perShard) - first;
                (float[] pixels, int[] labels, int[] shape) = shapes is null ? RandomImages(first, count) : Stack(shapes[first..(first + count)]);
                string path = Path.Combine(root, "inputs", $"part-{shard:D4}.safetensors");
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                SafeTensors.Write(path, new Dictionary<string, Tensor>
                {
                    ["inputs"] = Tensor.FromSingle(pixels, shape),
                    ["targets"] = Tensor.FromInt32(labels, labels.Length),
                });
                inputs.Add(InputShard.SafeTensors(path));
            }

            Inputs = inputs;
            Images = images;
        }

        public string Root { get; }

        /// <summary>The generated class every silo runs.</summary>
        public Type Network { get; }

        /// <summary>Loads the network from a weights file (for the one-machine comparison).</summary>
        public Func<string, IExplainer<float>> Load { get; }

        public string Weights { get; }

        public IReadOnlyList<InputShard> Inputs { get; }

        public int Images { get; }

        /// <summary>
        /// The jobs of <paramref name="method"/>: <c>rules</c>, one job per ReLU rule ShapesCnn has; <c>ig</c>, integrated gradients
        /// with 16 steps. Each input's map is for its labelled class.
        /// </summary>
        public IReadOnlyList<ExplainJob> Jobs(string run, string method)
        {
            ExplainMethod[] methods = method == "ig"
                ? [new IntegratedGradientsMethod { Steps = 16 }]
                : new[] { BackwardRule.Saliency, BackwardRule.DeconvNet, BackwardRule.GuidedBackprop }.Select(ExplainMethod (rule) => RuleMapMethod.Of(rule)).ToArray();
            return methods.Select((m, i) => new ExplainJob
            {
                Name = $"{run}-{i}",
                Network = ExplainJob.NetworkName(Network),
                Weights = Weights,
                Method = m,
                Targets = TargetChoice.FromShard(),
                Inputs = Inputs,
                Output = Path.Combine(Root, "maps", run, i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            }).ToArray();
        }

        private static (float[], int[], int[]) Stack(ShapeImage[] images)
        {
            (float[] pixels, int[] labels) = ShapesDataset.Stack(images);
            return (pixels, labels, [images.Length, ShapesDataset.Channels, ShapesDataset.Size, ShapesDataset.Size]);
        }

        // Normalised-looking random images (uniform in [-2, 2)) and random ImageNet classes, one seed per image.
        private static (float[], int[], int[]) RandomImages(int first, int count)
        {
            const int Size = 3 * 224 * 224;
            var pixels = new float[count * Size];
            var labels = new int[count];
            for (int i = 0; i < count; i++)
            {
                var rng = new Random(first + i);
                for (int k = 0; k < Size; k++) pixels[i * Size + k] = (float)(rng.NextDouble() * 4 - 2);
                labels[i] = rng.Next(1000);
            }

            return (pixels, labels, [count, 3, 224, 224]);
        }
    }
}
