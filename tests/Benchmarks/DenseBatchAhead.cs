using System.Diagnostics;
using System.Reflection;
using Relucent.Kernels;

namespace Relucent.Benchmarks;

/// <summary>
/// AlexNet's dense layers at a batch of 8 through the batch kernels, an internal [ThreadStatic] switch of DenseKernels on (A)
/// and off (B) in alternating rounds, on 1 and 2 threads: median wall milliseconds and the bandwidth W was read at.
/// </summary>
public static class DenseBatchAhead
{
    public static void Run(string switchName, int rounds, TextWriter output)
    {
        const int examples = 8;
        FieldInfo flag = typeof(DenseKernels).GetField(switchName, BindingFlags.Static | BindingFlags.NonPublic)
            ?? throw new ArgumentException($"DenseKernels has no internal static field '{switchName}'.", nameof(switchName));
        output.WriteLine($"| layer | direction | threads | A: {switchName}, ms | B, ms | A / B (range) | B, GB/s of W |");
        output.WriteLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var (name, inputs, outputs) in new[] { ("AlexNet fc6", 9216, 4096), ("AlexNet fc7", 4096, 4096), ("AlexNet fc8", 4096, 1000) })
        {
            var (_, _, _, w, b, x, dy, y, dx) = DenseBatchData.Create(inputs, outputs, examples);
            foreach (int threads in new[] { 1, 2 })
            {
                using var scope = KernelParallelism.Override(threads);
                Compare(output, name, "forward", threads, rounds, flag, inputs * (long)outputs * sizeof(float),
                    () => DenseKernels.ForwardBatch<float>(x, w, b, y, inputs, outputs, examples, Rectifier.Relu));
                Compare(output, name, "backward (input)", threads, rounds, flag, inputs * (long)outputs * sizeof(float),
                    () => DenseKernels.BackwardInputBatch<float>(dy, w, dx, inputs, outputs, examples));
            }
        }
    }

    private static void Compare(TextWriter output, string layer, string direction, int threads, int rounds, FieldInfo flag, long bytes, Action call)
    {
        var times = new[] { new List<double>(), new List<double>() };
        for (int r = 0; r < 2 * rounds + 2; r++)
        {
            int which = r % 2;
            flag.SetValue(null, which == 0);
            long start = Stopwatch.GetTimestamp();
            call();
            if (r >= 2) times[which].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        flag.SetValue(null, false);
        double a = Quick.Median(times[0]), b = Quick.Median(times[1]);
        var ratios = times[0].Zip(times[1], (p, q) => p / q).ToList();
        output.WriteLine($"| {layer} | {direction} | {threads} | {a:F2} | {b:F2} | {a / b:F2} ({ratios.Min():F2}–{ratios.Max():F2}) | {bytes / b / 1e6:F1} |");
    }
}
