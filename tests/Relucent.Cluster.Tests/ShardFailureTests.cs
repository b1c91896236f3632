using System.Collections.Concurrent;

namespace Relucent.Cluster.Tests
{
    /// <summary>Bad input shards fail with a named error; the rest of the job completes.</summary>
    [Collection(ClusterCollection.Name)]
    public sealed class ShardFailureTests
    {
        [Fact]
        public async Task A_corrupt_input_shard_fails_alone_with_a_named_error()
        {
            using var files = new JobFiles(shards: 5, perShard: 8);
            // Shard 1: not a safetensors file at all. Shard 3: a valid file whose tensor has the wrong shape.
            File.WriteAllBytes(files.Inputs[1].Path, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
            SafeTensors.Write(files.Inputs[3].Path, new Dictionary<string, Tensor> { ["inputs"] = Tensor.FromSingle(new float[8 * 100], 8, 100) });
            ExplainJob job = files.Job("corrupt", RuleMapMethod.Of(BackwardRule.Saliency));
            await using TestSilos silos = await TestSilos.Start(new ConcurrentDictionary<string, (byte[], string)>());

            await silos.Jobs.SubmitAsync(job);
            JobStatus status = await silos.Jobs.WaitAsync(job.Name, TimeSpan.FromMilliseconds(50), ClusterCollection.Patience);

            Assert.Equal(JobPhase.CompletedWithFailures, status.Phase);
            Assert.Equal(3, status.Done);
            Assert.Equal(2, status.Failed);
            string notSafetensors = Assert.Single(status.Failures, f => f.StartsWith("shard 1 ", StringComparison.Ordinal));
            Assert.Contains(files.Inputs[1].Path, notSafetensors);
            Assert.Contains("not a readable safetensors file", notSafetensors);
            string wrongShape = Assert.Single(status.Failures, f => f.StartsWith("shard 3 ", StringComparison.Ordinal));
            Assert.Contains("tensor 'inputs' is F32 [8, 100]; expected a floating-point [N, 1, 12, 12]", wrongShape);
            // Input errors are final: each bad shard ran once.
            Assert.Equal(1, status.Runs[1]);
            Assert.Equal(1, status.Runs[3]);
            Assert.Equal(3 * 8, files.AssertComplete(job, failedShards: [1, 3]));
        }

        [Fact]
        public async Task A_label_that_is_not_a_class_fails_its_shard_naming_the_example()
        {
            using var files = new JobFiles(shards: 2, perShard: 6);
            string path = files.Inputs[1].Path;
            SafeTensorsFile file = SafeTensors.Read(path);
            file["targets"] = Tensor.FromInt64([0, 1, 2, 9, 4, 0], 6);
            SafeTensors.Write(path, file);
            ExplainJob job = files.Job("labels", RuleMapMethod.Of(BackwardRule.DeconvNet), TargetChoice.FromShard());
            await using TestSilos silos = await TestSilos.Start(new ConcurrentDictionary<string, (byte[], string)>(), silos: 1);

            await silos.Jobs.SubmitAsync(job);
            JobStatus status = await silos.Jobs.WaitAsync(job.Name, TimeSpan.FromMilliseconds(50), ClusterCollection.Patience);

            Assert.Equal(JobPhase.CompletedWithFailures, status.Phase);
            Assert.Contains("targets[3] is not a class: the network has 5 (0 to 4)", Assert.Single(status.Failures));
            Assert.Equal(6, files.AssertComplete(job, failedShards: [1]));
        }
    }
}
