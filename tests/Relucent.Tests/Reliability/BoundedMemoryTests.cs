using System.Diagnostics;
using Relucent.Tests.Generated;
using Xunit.Abstractions;
using static Relucent.Tests.Reliability.ReliabilityData;

namespace Relucent.Tests.Reliability
{
    /// <summary>Memory measurements are process-wide, so these tests run alone, after the parallel ones.</summary>
    [CollectionDefinition(Name, DisableParallelization = true)]
    public sealed class MemoryCollection
    {
        public const string Name = "Reliability memory (not parallel)";
    }

    /// <summary>
    /// Explaining a stream of 100,000 inputs keeps memory flat: a reused <see cref="BatchRunner{T}"/> or a reused
    /// workspace allocates nothing per example, so the live heap and the working set stop growing after warm-up.
    /// </summary>
    [Collection(MemoryCollection.Name)]
    public class BoundedMemoryTests(ITestOutputHelper output)
    {
        private const int Stream = 100_000;
        private const int Chunk = 1_000;
        private const long HeapBound = 16L << 20;
        private const long WorkingSetBound = 32L << 20;

        [Fact]
        public void Streaming_100000_inputs_through_a_batch_runner_keeps_memory_flat()
        {
            CaptumMlp net = Mlp();
            var inputs = new float[Chunk * CaptumMlp.InputSize];
            var targets = new int[Chunk];
            var results = new float[Chunk * CaptumMlp.InputSize];
            using var runner = new BatchRunner<float>(net, workers: 2);
            double checksum = 0;

            void RunChunk(int chunk)
            {
                Fill(inputs, targets, chunk * Chunk, CaptumMlp.OutputSize);
                runner.Explain(Rules[chunk % Rules.Length], inputs, targets, results);
                checksum += Consume(results);
            }

            RunChunk(0); // warm-up: JIT, worker threads started
            Measurement before = Measure();
            Measurement atTenPercent = default;
            int chunks = Stream / Chunk;
            for (int chunk = 1; chunk <= chunks; chunk++)
            {
                RunChunk(chunk);
                if (chunk == chunks / 10) atTenPercent = Measure();
            }

            Measurement end = Measure();
            Report("batch runner, 2 workers", before, atTenPercent, end);
            Assert.True(double.IsFinite(checksum) && checksum > 0, $"checksum {checksum}");
            AssertFlat(before, atTenPercent, end);
            // Between 10% and the end (90,000 examples) the batch engine allocates nothing per example: the bound, 1 MB
            // over all threads, is under 12 bytes an example and leaves room for the runtime's own background work.
            Assert.True(end.Allocated - atTenPercent.Allocated < 1 << 20,
                $"{end.Allocated - atTenPercent.Allocated} bytes allocated (all threads) while streaming 90,000 examples");
        }

        [Fact]
        public void Streaming_100000_inputs_through_one_workspace_allocates_nothing()
        {
            CaptumMlp net = Mlp();
            var workspace = new CaptumMlp.Workspace();
            var input = new float[CaptumMlp.InputSize];
            var target = new int[1];
            var map = new float[CaptumMlp.InputSize];
            double checksum = 0;

            void RunOne(int example)
            {
                Fill(input, target, example, CaptumMlp.OutputSize);
                switch (example % 3)
                {
                    case 0: net.Saliency(input, target[0], map, workspace); break;
                    case 1: net.DeconvNet(input, target[0], map, workspace); break;
                    default: net.GuidedBackprop(input, target[0], map, workspace); break;
                }

                checksum += Consume(map);
            }

            for (int i = 0; i < 1000; i++) RunOne(i); // warm-up
            Measurement before = Measure();
            long threadBefore = GC.GetAllocatedBytesForCurrentThread();
            Measurement atTenPercent = default;
            long threadAtTenPercent = 0, threadAfterMeasuring = 0;
            for (int i = 0; i < Stream; i++)
            {
                RunOne(i);
                if (i + 1 == Stream / 10)
                {
                    threadAtTenPercent = GC.GetAllocatedBytesForCurrentThread();
                    atTenPercent = Measure(); // allocates itself: excluded below
                    threadAfterMeasuring = GC.GetAllocatedBytesForCurrentThread();
                }
            }

            long threadEnd = GC.GetAllocatedBytesForCurrentThread();
            Measurement end = Measure();
            long first = threadAtTenPercent - threadBefore, rest = threadEnd - threadAfterMeasuring;
            Report("one workspace, span overloads", before, atTenPercent, end);
            output.WriteLine($"bytes allocated on this thread: {first:N0} in the first 10,000 calls, {rest:N0} in the next 90,000");
            Assert.True(double.IsFinite(checksum) && checksum > 0, $"checksum {checksum}");
            AssertFlat(before, atTenPercent, end);
            Assert.Equal(0, first);
            Assert.Equal(0, rest);
        }

        private readonly record struct Measurement(long Heap, long WorkingSet, long Allocated);

        private static Measurement Measure()
        {
            long heap = GC.GetTotalMemory(forceFullCollection: true);
            using Process process = Process.GetCurrentProcess();
            return new Measurement(heap, process.WorkingSet64, GC.GetTotalAllocatedBytes(precise: true));
        }

        private void Report(string what, Measurement before, Measurement atTenPercent, Measurement end)
        {
            static string Mb(long bytes) => $"{bytes / 1048576.0:F2} MB";
            output.WriteLine($"{what}: live heap {Mb(before.Heap)} → {Mb(atTenPercent.Heap)} at 10% → {Mb(end.Heap)} at the end "
                + $"(growth {Mb(end.Heap - before.Heap)}); working set {Mb(before.WorkingSet)} → {Mb(atTenPercent.WorkingSet)} → {Mb(end.WorkingSet)} "
                + $"(growth {Mb(end.WorkingSet - before.WorkingSet)}); allocated {Mb(atTenPercent.Allocated - before.Allocated)} in the first 10%, "
                + $"{Mb(end.Allocated - atTenPercent.Allocated)} in the last 90%");
        }

        private static void AssertFlat(Measurement before, Measurement atTenPercent, Measurement end)
        {
            Assert.True(end.Heap - before.Heap < HeapBound, $"live heap grew {end.Heap - before.Heap} bytes over the stream");
            Assert.True(end.Heap - atTenPercent.Heap < HeapBound, $"live heap grew {end.Heap - atTenPercent.Heap} bytes after 10%");
            Assert.True(end.WorkingSet - before.WorkingSet < WorkingSetBound, $"working set grew {end.WorkingSet - before.WorkingSet} bytes over the stream");
        }

        /// <summary>Deterministic pseudo-random inputs in [-2, 2) and targets for examples first, first + 1, …, generated in place.</summary>
        private static void Fill(float[] inputs, int[] targets, int first, int classes)
        {
            int size = inputs.Length / targets.Length;
            for (int e = 0; e < targets.Length; e++)
            {
                uint state = (uint)(first + e) * 2654435761u + 1;
                for (int i = 0; i < size; i++)
                {
                    state = state * 1664525u + 1013904223u;
                    inputs[e * size + i] = (state >> 8) * (4f / (1 << 24)) - 2f;
                }

                targets[e] = (int)((uint)(first + e) % (uint)classes);
            }
        }

        private static double Consume(float[] maps)
        {
            double sum = 0;
            foreach (float v in maps) sum += Math.Abs(v);
            return sum;
        }
    }
}
