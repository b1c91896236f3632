using System.Diagnostics;

namespace Relucent.Benchmarks;

/// <summary>
/// A torchvision model's batch-8 saliency maps through two <see cref="BatchRunner{T}"/>s side by side: one running the dense
/// head once per group of examples (the default), one running each example's whole single call. Alternating in one process,
/// so a changing load falls on both; median milliseconds per example and the ratio. Both give the same bits (checked here too).
/// </summary>
public static class DenseHeadSpeed
{
    public static void Run(string model, int rounds, TextWriter output)
    {
        using ModelSubject subject = ModelSubject.Create(model);
        long before = GC.GetAllocatedBytesForCurrentThread();
        subject.Net.CreateWorkspace();
        output.WriteLine($"{model}: a workspace is {(GC.GetAllocatedBytesForCurrentThread() - before) / 1e6:F0} MB");
        using var whole = new BatchRunner<float>(subject.Net, subject.Runner.Workers) { DenseHeads = false };
        var wholeResults = new float[subject.Results.Length];
        void Headed() => subject.SaliencyBatch();
        void Whole() => whole.Explain(BackwardRule.Saliency, subject.Inputs, subject.Targets, wholeResults);
        Headed();
        Whole();
        if (!subject.Results.AsSpan().SequenceEqual(wholeResults)) throw new InvalidOperationException($"{model}: the dense head's maps differ from the single calls'.");
        var headed = new List<double>();
        var single = new List<double>();
        for (int round = 0; round < rounds; round++)
        {
            headed.Add(Time(Headed));
            single.Add(Time(Whole));
        }
        double h = Quick.Median(headed) / ModelSubject.Batch, w = Quick.Median(single) / ModelSubject.Batch;
        output.WriteLine($"{model} batch={ModelSubject.Batch} workers={subject.Runner.Workers}: dense head once per group {h:F1} ms per example, " +
            $"whole single calls {w:F1} ms per example, ratio {w / h:F2} (median of {rounds} alternating rounds)");
    }

    private static double Time(Action call)
    {
        var clock = Stopwatch.StartNew();
        call();
        return clock.Elapsed.TotalMilliseconds;
    }
}
