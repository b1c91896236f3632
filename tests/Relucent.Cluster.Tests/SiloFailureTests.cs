using System.Collections.Concurrent;

namespace Relucent.Cluster.Tests
{
    /// <summary>A silo dies in the middle of a job: nothing is lost, nothing is written twice, every map is right.</summary>
    [Collection(ClusterCollection.Name)]
    public sealed class SiloFailureTests
    {
        [Fact]
        public async Task Killing_the_silo_that_holds_the_job_mid_shard_loses_nothing()
        {
            using var files = new JobFiles(shards: 9, perShard: 24);
            var store = new ConcurrentDictionary<string, (byte[], string)>();
            await using TestSilos silos = await TestSilos.Start(store);
            foreach (ProgressGate gate in silos.Gates) gate.Close();
            ExplainJob job = files.Job("kill", RuleMapMethod.Of(BackwardRule.GuidedBackprop));

            JobStatus submitted = await silos.Jobs.SubmitAsync(job);
            Assert.Equal(9, submitted.Shards);
            // Every silo has taken a shard and stopped after its first chunk: all three are mid-shard.
            await ClusterCollection.Until(() => silos.Gates.All(g => g.Waiting == 1), "every silo to be mid-shard");
            JobStatus before = await silos.Jobs.StatusAsync(job.Name);
            Assert.Equal(3, before.Running);

            // The victim is the silo holding the job's grain, so the job's state must outlive it too.
            var victim = silos.Silo(before.HeldBy);
            await silos.Cluster.KillSiloAsync(victim);
            silos.Gate(victim).Fail();
            foreach (ProgressGate gate in silos.Gates) gate.Open();

            JobStatus done = await silos.Jobs.WaitAsync(job.Name, TimeSpan.FromMilliseconds(50), ClusterCollection.Patience);
            Assert.Equal(JobPhase.Completed, done.Phase);
            Assert.Equal(9, done.Done);
            Assert.Equal(9 * 24, done.Maps);
            Assert.NotEqual(before.HeldBy, done.HeldBy);
            // The victim's shard was handed out again; every shard ran at least once.
            Assert.Contains(done.Runs, r => r >= 2);
            Assert.All(done.Runs, r => Assert.True(r >= 1));
            Assert.Equal(9 * 24, files.AssertComplete(job));
        }
    }
}
