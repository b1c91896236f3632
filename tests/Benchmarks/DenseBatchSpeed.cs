using System.Diagnostics;
using Relucent.Kernels;

namespace Relucent.Benchmarks;

/// <summary>
/// The dense heads of AlexNet and VGG at a batch of 8: one single-example kernel call per example against one batch
/// call (<see cref="DenseKernels.ForwardBatch{T}"/>, <see cref="DenseKernels.BackwardInputBatch{T}"/>), alternating
/// in one process so a changing load falls on both; median milliseconds for the whole batch, wall clock and this thread's CPU
/// time (the kernels run on the calling thread unless RELUCENT_KERNEL_THREADS says otherwise).
/// </summary>
public static class DenseBatchSpeed
{
    public static void Run(int rounds, TextWriter output)
    {
        const int examples = 8;
        output.WriteLine($"| layer | direction | 8 single calls, ms (median) | 1 batch call, ms (median) | ratio | CPU ms, 8 single | CPU ms, batch | CPU ratio |");
        output.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, inputs, outputs) in new[] { ("AlexNet fc6", 9216, 4096), ("AlexNet fc7", 4096, 4096), ("VGG fc6", 25088, 4096) })
        {
            var (_, _, _, w, b, x, dy, y, dx) = DenseBatchData.Create(inputs, outputs, examples);
            Compare(output, name, "forward", rounds,
                () => { for (int e = 0; e < examples; e++) DenseKernels.Forward<float>(x.AsSpan(e * inputs, inputs), w, b, y.AsSpan(e * outputs, outputs), inputs, outputs, Rectifier.Relu); },
                () => DenseKernels.ForwardBatch<float>(x, w, b, y, inputs, outputs, examples, Rectifier.Relu));
            Compare(output, name, "backward (input)", rounds,
                () => { for (int e = 0; e < examples; e++) DenseKernels.BackwardInput<float>(dy.AsSpan(e * outputs, outputs), w, dx.AsSpan(e * inputs, inputs), inputs, outputs); },
                () => DenseKernels.BackwardInputBatch<float>(dy, w, dx, inputs, outputs, examples));
        }
    }

    private static void Compare(TextWriter output, string layer, string direction, int rounds, Action single, Action batch)
    {
        single();
        batch();
        var a = new double[rounds];
        var b = new double[rounds];
        var ca = new double[rounds];
        var cb = new double[rounds];
        for (int r = 0; r < rounds; r++)
        {
            (a[r], ca[r]) = Milliseconds(single);
            (b[r], cb[r]) = Milliseconds(batch);
        }
        double ma = Quick.Median(a), mb = Quick.Median(b), mca = Quick.Median(ca), mcb = Quick.Median(cb);
        output.WriteLine($"| {layer} | {direction} | {ma:F2} | {mb:F2} | {ma / mb:F2}× | {mca:F2} | {mcb:F2} | {mca / mcb:F2}× |");
    }

    /// <summary>Wall-clock and calling-thread CPU milliseconds of one call.</summary>
    private static (double Wall, double Cpu) Milliseconds(Action action)
    {
        double cpu = Quick.ThreadCpuSeconds();
        long start = Stopwatch.GetTimestamp();
        action();
        return (Stopwatch.GetElapsedTime(start).TotalMilliseconds, (Quick.ThreadCpuSeconds() - cpu) * 1000);
    }
}
