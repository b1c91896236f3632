using System.Collections.Concurrent;
using Relucent.Cluster.Output;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Relucent.Cluster.Tests
{
    /// <summary>Every method and target choice gives, on the cluster, the maps one machine gives.</summary>
    [Collection(ClusterCollection.Name)]
    public sealed class MethodTests
    {
        public static TheoryData<string, ExplainMethod, string> Jobs => new()
        {
            { "saliency-labels", RuleMapMethod.Of(BackwardRule.Saliency), "labels" },
            { "deconvnet-class", RuleMapMethod.Of(BackwardRule.DeconvNet), "class" },
            { "ig", new IntegratedGradientsMethod { Steps = 5, Quadrature = Attribution.Quadrature.RiemannMiddle, Baseline = 0.25f }, "predicted" },
            { "smoothgrad", new SmoothGradMethod { Rule = BackwardRule.GuidedBackprop, Samples = 3, Seed = 7 }, "predicted" },
        };

        [Theory]
        [MemberData(nameof(Jobs))]
        public async Task Each_method_on_the_cluster_matches_one_machine_bit_for_bit(string name, ExplainMethod method, string targets)
        {
            using var files = new JobFiles(shards: 4, perShard: 10);
            TargetChoice choice = targets switch { "labels" => TargetChoice.FromShard(), "class" => TargetChoice.Fixed(2), _ => TargetChoice.Predicted };
            ExplainJob job = files.Job(name, method, choice);
            await using TestSilos silos = await TestSilos.Start(new ConcurrentDictionary<string, (byte[], string)>(), silos: 2);

            await silos.Jobs.SubmitAsync(job);
            JobStatus status = await silos.Jobs.WaitAsync(job.Name, TimeSpan.FromMilliseconds(50), ClusterCollection.Patience);

            Assert.Equal(JobPhase.Completed, status.Phase);
            Assert.Equal(40, files.AssertComplete(job));
            Assert.Equal(method.Describe(), Manifest.Read(job.Output)!.Method);
        }

        [Fact]
        public async Task An_image_folder_is_read_as_grey_values_in_zero_to_one()
        {
            using var files = new JobFiles(shards: 1, perShard: 1);
            string folder = Path.Combine(files.Root, "images");
            Directory.CreateDirectory(folder);
            var expected = new float[3 * JobFiles.Size];
            for (int n = 0; n < 3; n++)
            {
                using var image = new Image<L8>(12, 12);
                for (int y = 0; y < 12; y++)
                {
                    for (int x = 0; x < 12; x++)
                    {
                        byte v = (byte)((n * 71 + y * 12 + x * 5) % 256);
                        image[x, y] = new L8(v);
                        expected[n * JobFiles.Size + y * 12 + x] = v / 255f;
                    }
                }

                image.SaveAsPng(Path.Combine(folder, $"img-{n}.png"));
            }

            files.Inputs = [InputShard.ImageFolder(folder)];
            ExplainJob job = files.Job("images", RuleMapMethod.Of(BackwardRule.Saliency));
            await using TestSilos silos = await TestSilos.Start(new ConcurrentDictionary<string, (byte[], string)>(), silos: 1);

            await silos.Jobs.SubmitAsync(job);
            Assert.Equal(JobPhase.Completed, (await silos.Jobs.WaitAsync(job.Name, TimeSpan.FromMilliseconds(50), ClusterCollection.Patience)).Phase);

            SafeTensorsFile output = SafeTensors.Read(Path.Combine(job.Output, ShardFile.Name(0)));
            (int[] classes, float[] maps) = files.Reference(job, expected, null);
            Assert.Equal(classes, output[ShardFile.TargetsTensor].ToInt64().Select(v => (int)v));
            Assert.Equal(maps.Select(BitConverter.SingleToInt32Bits), output[ShardFile.MapsTensor].ToSingle().Select(BitConverter.SingleToInt32Bits));
        }
    }
}
