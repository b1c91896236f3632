using System.Diagnostics;
using System.Globalization;
using System.Text;
using Relucent.Kernels;

namespace Relucent.Benchmarks;

/// <summary>
/// The quick table (a minute or two): each case timed as the median of several wall-clock repetitions after a
/// warm-up, µs per example, GFLOP/s (2 per multiply-add of the convolution and dense layers) and bytes allocated per
/// call after warm-up. BenchmarkDotNet (see Program) gives the same figures with confidence intervals, slower.
/// </summary>
public static class Quick
{
    public static void Run(string[] names, int repetitions, TextWriter output)
    {
        var table = new StringBuilder();
        table.AppendLine("| network | case | µs per example | GFLOP/s | bytes allocated per call |");
        table.AppendLine("|---|---|---:|---:|---:|");
        foreach (string name in names)
        {
            using Subject s = Subject.Create(name);
            Row(table, s.Name, "forward, batch 1", s.Forward, 1, s.ForwardFlops, repetitions);
            Row(table, s.Name, "saliency, batch 1", s.Saliency, 1, s.ExplainFlops, repetitions);
            Row(table, s.Name, "deconvnet, batch 1", s.DeconvNet, 1, s.ExplainFlops, repetitions);
            Row(table, s.Name, "guided backprop, batch 1", s.GuidedBackprop, 1, s.ExplainFlops, repetitions);
            Row(table, s.Name, $"forward, batch {Subject.BatchSize} ({s.Runner.Workers} workers)", s.ForwardBatch, Subject.BatchSize, s.ForwardFlops, repetitions);
            Row(table, s.Name, $"saliency, batch {Subject.BatchSize} ({s.Runner.Workers} workers)", s.SaliencyBatch, Subject.BatchSize, s.ExplainFlops, repetitions);
            Row(table, s.Name, "MathNet reference saliency, batch 1", s.ReferenceSaliency, 1, s.ExplainFlops, repetitions);
            output.Write(table.ToString());
            table.Clear();
        }
        output.WriteLine();
        output.WriteLine(KernelTable(repetitions));
    }

    /// <summary>Each convolution layer of vgg and mnist_cnn alone: forward and input gradient, GFLOP/s.</summary>
    public static string KernelTable(int repetitions)
    {
        var table = new StringBuilder();
        table.AppendLine("| layer | geometry | forward µs | forward GFLOP/s | input gradient µs | input gradient GFLOP/s |");
        table.AppendLine("|---|---|---:|---:|---:|---:|");
        var layers = new (string Name, ConvolutionGeometry G)[]
        {
            ("vgg conv1", new ConvolutionGeometry(3, 32, 32, 16, 3, 1, 1)),
            ("vgg conv2", new ConvolutionGeometry(16, 32, 32, 16, 3, 1, 1)),
            ("vgg conv3", new ConvolutionGeometry(16, 16, 16, 32, 3, 1, 1)),
            ("vgg conv4", new ConvolutionGeometry(32, 16, 16, 32, 3, 1, 1)),
            ("mnist conv1", new ConvolutionGeometry(1, 28, 28, 32, 3, 1, 0)),
            ("mnist conv2", new ConvolutionGeometry(32, 26, 26, 64, 3, 1, 0)),
            ("lenet conv1", new ConvolutionGeometry(1, 12, 12, 4, 3, 1, 1)),
            ("lenet conv2", new ConvolutionGeometry(4, 6, 6, 8, 3, 1, 0)),
        };
        var rng = new Random(3);
        foreach (var (name, g) in layers)
        {
            float[] x = Subject.Uniform(rng, g.InputSize, -1, 1), w = Subject.Uniform(rng, g.WeightSize, -1, 1), b = Subject.Uniform(rng, g.Filters, -1, 1);
            float[] y = new float[g.OutputSize], dx = new float[g.InputSize];
            long flops = 2L * g.OutputSize * g.Channels * g.Kernel * g.Kernel;
            double f = Time(() => ConvolutionKernels.Forward<float>(x, w, b, y, g), repetitions, out _);
            double bw = Time(() => ConvolutionKernels.BackwardInput<float>(y, w, dx, g), repetitions, out _);
            table.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {g.Channels}×{g.Height}×{g.Width} → {g.Filters}×{g.OutputHeight}×{g.OutputWidth}, k{g.Kernel} p{g.Padding} | {f * 1e6:F1} | {flops / f / 1e9:F1} | {bw * 1e6:F1} | {flops / bw / 1e9:F1} |"));
        }
        return table.ToString();
    }

    private static void Row(StringBuilder table, string network, string label, Action action, int examples, long flopsPerExample, int repetitions)
    {
        double seconds = Time(action, repetitions, out long allocated);
        double perExample = seconds / examples;
        table.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"| {network} | {label} | {perExample * 1e6:F2} | {flopsPerExample / perExample / 1e9:F1} | {allocated} |"));
    }

    /// <summary>Median seconds per call; <paramref name="allocated"/> the bytes one call allocates after warm-up (all threads).</summary>
    public static double Time(Action action, int repetitions, out long allocated)
    {
        // Warm-up: tiered compilation promotes hot methods after ~30 calls and a short delay; run for a while.
        var warm = Stopwatch.StartNew();
        int calls = 0;
        while (warm.ElapsedMilliseconds < 300 || calls < 200)
        {
            action();
            calls++;
        }
        long before = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < 100; i++) action();
        allocated = (GC.GetTotalAllocatedBytes(precise: true) - before) / 100;
        // Calls per repetition: about 20 ms worth.
        double once = warm.Elapsed.TotalSeconds / calls;
        int inner = Math.Max(1, (int)(0.02 / once));
        var samples = new double[repetitions];
        for (int r = 0; r < repetitions; r++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < inner; i++) action();
            samples[r] = Stopwatch.GetElapsedTime(start).TotalSeconds / inner;
        }
        Array.Sort(samples);
        return samples[repetitions / 2];
    }
}
