using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Relucent.Cluster.Output;

namespace Relucent.Cluster.Tests
{
    /// <summary>The whole cluster restarts with its job state gone: the manifest says what is done, and only the rest is run.</summary>
    [Collection(ClusterCollection.Name)]
    public sealed class RestartTests
    {
        [Fact]
        public async Task A_restarted_cluster_redoes_only_what_the_manifest_lacks()
        {
            using var files = new JobFiles(shards: 6, perShard: 16);
            ExplainJob job = files.Job("restart", new IntegratedGradientsMethod { Steps = 6 });
            await using (TestSilos first = await TestSilos.Start(new ConcurrentDictionary<string, (byte[], string)>()))
            {
                await first.Jobs.SubmitAsync(job);
                Assert.Equal(JobPhase.Completed, (await first.Jobs.WaitAsync(job.Name, TimeSpan.FromMilliseconds(50), ClusterCollection.Patience)).Phase);
            }

            // Half done: shard 1's file is gone, shard 4's entry is gone (its file stays, unrecorded), and shard 2's file
            // no longer has its recorded checksum.
            string manifestPath = Path.Combine(job.Output, Manifest.FileName);
            JsonNode manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!;
            JsonArray done = manifest["done"]!.AsArray();
            foreach (JsonNode? entry in done.Where(e => e!["shard"]!.GetValue<int>() is 1 or 4).ToArray()) done.Remove(entry);
            File.WriteAllText(manifestPath, manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            File.Delete(Path.Combine(job.Output, ShardFile.Name(1)));
            string damaged = Path.Combine(job.Output, ShardFile.Name(2));
            byte[] bytes = File.ReadAllBytes(damaged);
            bytes[^1] ^= 1;
            File.WriteAllBytes(damaged, bytes);
            int[] kept = [0, 3, 5];
            DateTime[] written = kept.Select(s => File.GetLastWriteTimeUtc(Path.Combine(job.Output, ShardFile.Name(s)))).ToArray();

            // A new cluster with empty storage: the job's grain knows nothing; the manifest is the record.
            await using TestSilos second = await TestSilos.Start(new ConcurrentDictionary<string, (byte[], string)>());
            JobStatus resumed = await second.Jobs.SubmitAsync(job);
            Assert.Equal(3, resumed.Resumed);
            JobStatus finished = await second.Jobs.WaitAsync(job.Name, TimeSpan.FromMilliseconds(50), ClusterCollection.Patience);
            Assert.Equal(JobPhase.Completed, finished.Phase);
            Assert.Equal([0, 1, 1, 0, 1, 0], finished.Runs);
            Assert.Equal(written, kept.Select(s => File.GetLastWriteTimeUtc(Path.Combine(job.Output, ShardFile.Name(s)))));
            Assert.Equal(6 * 16, files.AssertComplete(job));
        }

        [Fact]
        public async Task An_output_directory_of_another_job_is_refused_by_name()
        {
            using var files = new JobFiles(shards: 2, perShard: 4);
            ExplainJob job = files.Job("first", RuleMapMethod.Of(BackwardRule.Saliency));
            await using TestSilos silos = await TestSilos.Start(new ConcurrentDictionary<string, (byte[], string)>(), silos: 1);
            await silos.Jobs.SubmitAsync(job);
            await silos.Jobs.WaitAsync(job.Name, TimeSpan.FromMilliseconds(50), ClusterCollection.Patience);

            ExplainJob other = job with { Name = job.Name + "-other", Method = RuleMapMethod.Of(BackwardRule.DeconvNet) };
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => silos.Jobs.SubmitAsync(other));
            Assert.Contains(job.Output, error.Message);
            Assert.Contains("another job", error.Message);
        }
    }
}
