using System.Collections.Concurrent;

namespace Relucent.Cluster.Tests
{
    /// <summary>Cancelling a job stops its running shards without writing them; submitting it again finishes it.</summary>
    [Collection(ClusterCollection.Name)]
    public sealed class CancellationTests
    {
        [Fact]
        public async Task Cancelling_stops_every_running_shard_and_a_resubmission_finishes_the_job()
        {
            using var files = new JobFiles(shards: 6, perShard: 24);
            ExplainJob job = files.Job("cancel", new SmoothGradMethod { Samples = 3 });
            await using TestSilos silos = await TestSilos.Start(new ConcurrentDictionary<string, (byte[], string)>());
            foreach (ProgressGate gate in silos.Gates) gate.Close();

            await silos.Jobs.SubmitAsync(job);
            await ClusterCollection.Until(() => silos.Gates.All(g => g.Waiting == 1), "every silo to be mid-shard");
            JobStatus cancelling = await silos.Jobs.CancelAsync(job.Name);
            Assert.Equal(JobPhase.Cancelling, cancelling.Phase);
            Assert.Equal(3, cancelling.Running);
            foreach (ProgressGate gate in silos.Gates) gate.Open();

            JobStatus cancelled = await silos.Jobs.WaitAsync(job.Name, TimeSpan.FromMilliseconds(50), ClusterCollection.Patience);
            Assert.Equal(JobPhase.Cancelled, cancelled.Phase);
            Assert.Equal(0, cancelled.Running);
            Assert.Equal(0, cancelled.Done);
            Assert.Empty(Directory.GetFiles(job.Output, "shard-*"));

            JobStatus resumed = await silos.Jobs.SubmitAsync(job);
            Assert.Equal(JobPhase.Running, resumed.Phase);
            JobStatus finished = await silos.Jobs.WaitAsync(job.Name, TimeSpan.FromMilliseconds(50), ClusterCollection.Patience);
            Assert.Equal(JobPhase.Completed, finished.Phase);
            Assert.Equal(6 * 24, files.AssertComplete(job));
        }
    }
}
