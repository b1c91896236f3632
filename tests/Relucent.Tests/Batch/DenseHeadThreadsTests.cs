using Relucent.Tests.Generated;
using Xunit;
using static Relucent.Tests.Kernels.Numerics;

namespace Relucent.Tests.Batching
{
    /// <summary>
    /// A batch's dense head shares the cores (one thread per worker, up to one per core): every example's map is the bits of
    /// the head on one thread and of whole single calls, for every worker count and groups of uneven size; a failure names
    /// the lowest failing example and the examples below it still finish; the runner records the phases of its groups.
    /// </summary>
    public class DenseHeadThreadsTests
    {
        public static TheoryData<int> WorkerCounts() => new() { 1, 2, 3, 8 };

        private static HeadedNet Net() => HeadedNet.FromTensors(RandomParameters.For(HeadedNet.Architecture, 4));

        private static float[] Random(int count, int seed) => Uniform(new Random(seed), count, -1, 2).Select(v => (float)v).ToArray();

        [Theory]
        [MemberData(nameof(WorkerCounts))]
        public void The_head_runs_on_a_thread_per_worker_up_to_one_per_core(int workers)
        {
            using var runner = new BatchRunner<float>(Net(), workers);
            Assert.Equal(Math.Min(workers, Environment.ProcessorCount), runner.HeadThreads);
            runner.SerialHead = true;
            Assert.Equal(1, runner.HeadThreads);
        }

        [Theory]
        [MemberData(nameof(WorkerCounts))]
        public void A_shared_head_gives_the_bits_of_a_serial_head_and_of_whole_single_calls(int workers)
        {
            // 21 examples in groups of up to 16 run as 11 + 10.
            HeadedNet net = Net();
            const int examples = 21;
            int inSize = HeadedNet.InputSize, outSize = HeadedNet.OutputSize;
            float[] inputs = Random(examples * inSize, 1), seeds = Random(examples * outSize, 2);
            using var shared = new BatchRunner<float>(net, workers);
            using var serial = new BatchRunner<float>(net, workers) { SerialHead = true };
            using var whole = new BatchRunner<float>(net, workers) { DenseHeads = false };
            foreach (BackwardRule rule in new[] { BackwardRule.Saliency, BackwardRule.GuidedBackprop })
            {
                float[] expected = new float[examples * inSize], a = new float[examples * inSize], b = new float[examples * inSize];
                whole.Explain(rule, inputs, seeds, expected);
                shared.Explain(rule, inputs, seeds, a);
                serial.Explain(rule, inputs, seeds, b);
                AssertIdentical<float>(expected, a, $"{rule}, shared head, {workers} workers");
                AssertIdentical<float>(expected, b, $"{rule}, serial head, {workers} workers");
            }
            Assert.Equal(4, shared.HeadPasses); // two groups per batch
            Assert.Equal(4, serial.HeadPasses);
            Assert.All(shared.PhaseTicks, ticks => Assert.True(ticks > 0, "every phase of a group is timed"));
            Assert.All(whole.PhaseTicks, ticks => Assert.Equal(0, ticks));
        }

        [Theory]
        [MemberData(nameof(WorkerCounts))]
        public void A_failure_names_the_lowest_failing_example_and_the_ones_below_it_finish(int workers)
        {
            // Example 13 (the second group, 11 + 10) and 17 hold NaN: 13 is named; 0-12 have their single calls' maps.
            HeadedNet net = Net();
            const int examples = 21, failing = 13;
            int inSize = HeadedNet.InputSize;
            float[] inputs = Random(examples * inSize, 3);
            inputs[17 * inSize + 5] = float.NaN;
            inputs[failing * inSize + 40] = float.NaN;
            int[] targets = Enumerable.Range(0, examples).Select(i => i % HeadedNet.OutputSize).ToArray();
            float[] expected = new float[examples * inSize], actual = new float[examples * inSize];
            using var whole = new BatchRunner<float>(net, workers) { DenseHeads = false };
            using var runner = new BatchRunner<float>(net, workers);
            var single = Assert.Throws<ArgumentException>(() => whole.Explain(BackwardRule.Saliency, inputs, targets, expected));
            var headed = Assert.Throws<ArgumentException>(() => runner.Explain(BackwardRule.Saliency, inputs, targets, actual));
            Assert.Equal(single.Message, headed.Message);
            Assert.StartsWith($"inputs[{failing}]: holds NaN", headed.Message, StringComparison.Ordinal);
            Assert.Equal(2, runner.HeadPasses); // the first group whole, the second up to the failing example
            Assert.Contains(actual.AsSpan(0, failing * inSize).ToArray(), v => v != 0);
            AssertIdentical<float>(expected.AsSpan(0, failing * inSize).ToArray(), actual.AsSpan(0, failing * inSize).ToArray(), $"examples 0-{failing - 1}, {workers} workers");
        }
    }
}
