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
        table.AppendLine("| network | case | µs per example (median) | µs (best) | GFLOP/s (median) | bytes allocated per call |");
        table.AppendLine("|---|---|---:|---:|---:|---:|");
        foreach (string name in names)
        {
            // The previous network's MathNet reference leaves megabytes of garbage: collect it now, blocking, so that no
            // background collection can run during this network's rows.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            using Subject s = Subject.Create(name);
            Row(table, s.Name, "forward, batch 1", s.Forward, 1, s.ForwardFlops, repetitions);
            Row(table, s.Name, "saliency, batch 1", s.Saliency, 1, s.ExplainFlops, repetitions);
            Row(table, s.Name, "deconvnet, batch 1", s.DeconvNet, 1, s.ExplainFlops, repetitions);
            Row(table, s.Name, "guided backprop, batch 1", s.GuidedBackprop, 1, s.ExplainFlops, repetitions);
            Row(table, s.Name, $"forward, batch {Subject.BatchSize} ({s.Runner.Workers} workers)", s.ForwardBatch, Subject.BatchSize, s.ForwardFlops, repetitions);
            Row(table, s.Name, $"saliency, batch {Subject.BatchSize} ({s.Runner.Workers} workers)", s.SaliencyBatch, Subject.BatchSize, s.ExplainFlops, repetitions);
            if (Environment.ProcessorCount > 1)
            {
                // Opt-in: one call's large layers shared among the cores (KernelParallelism), bit-identical results.
                using var scope = KernelParallelism.Override(Environment.ProcessorCount);
                Row(table, s.Name, $"forward, batch 1, {KernelParallelism.MaxThreads} kernel threads", s.Forward, 1, s.ForwardFlops, repetitions);
                Row(table, s.Name, $"saliency, batch 1, {KernelParallelism.MaxThreads} kernel threads", s.Saliency, 1, s.ExplainFlops, repetitions);
            }
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
            double f = CpuTime(() => ConvolutionKernels.Forward<float>(x, w, b, y, g), repetitions);
            double bw = CpuTime(() => ConvolutionKernels.BackwardInput<float>(y, w, dx, g), repetitions);
            table.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {g.Channels}×{g.Height}×{g.Width} → {g.Filters}×{g.OutputHeight}×{g.OutputWidth}, k{g.Kernel} p{g.Padding} | {f * 1e6:F1} | {flops / f / 1e9:F1} | {bw * 1e6:F1} | {flops / bw / 1e9:F1} |"));
        }
        return table.ToString();
    }

    private static void Row(StringBuilder table, string network, string label, Action action, int examples, long flopsPerExample, int repetitions)
    {
        double seconds = Time(action, repetitions, out long allocated, out double best);
        double perExample = seconds / examples;
        table.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"| {network} | {label} | {perExample * 1e6:F2} | {best / examples * 1e6:F2} | {flopsPerExample / perExample / 1e9:F1} | {allocated} |"));
    }

    /// <summary>The other kernels of the networks, CPU time per call on this thread (robust to a busy machine).</summary>
    public static string OtherKernels(int repetitions)
    {
        var table = new StringBuilder();
        table.AppendLine("| kernel | µs (CPU) |");
        table.AppendLine("|---|---:|");
        var rng = new Random(5);
        void Add(string name, Action a) => table.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {CpuTime(a, repetitions) * 1e6:F2} |"));
        foreach (var (i, o) in new[] { (9216, 128), (2048, 64), (128, 10), (32, 16), (8, 16) })
        {
            float[] x = Subject.Uniform(rng, i, -1, 1), w = Subject.Uniform(rng, i * o, -1, 1), b = Subject.Uniform(rng, o, -1, 1), y = new float[o], dx = new float[i];
            Add($"dense forward {i}→{o}", () => DenseKernels.Forward<float>(x, w, b, y, i, o));
            Add($"dense backward {i}→{o}", () => DenseKernels.BackwardInput<float>(y, w, dx, i, o));
        }
        foreach (var g in new[] { new PoolGeometry(64, 24, 24, 2, 2), new PoolGeometry(16, 32, 32, 2, 2), new PoolGeometry(4, 12, 12, 2, 2) })
        {
            float[] x = Subject.Uniform(rng, g.InputSize, -1, 1), y = new float[g.OutputSize], dx = new float[g.InputSize];
            int[] sw = new int[g.OutputSize];
            Add($"max pool forward {g.Channels}×{g.Height}×{g.Width}", () => PoolingKernels.MaxForward<float>(x, y, sw, g));
            Add($"max pool backward {g.Channels}×{g.Height}×{g.Width}", () => PoolingKernels.MaxBackward<float>(y, sw, dx, g));
            float[] z = new float[g.InputSize], r = new float[g.InputSize];
            Add($"relu {g.InputSize}", () => ActivationKernels.Relu<float>(x, z));
            Add($"relu saliency {g.InputSize}", () => ReluRules.Saliency<float>(z, x, r));
        }
        return table.ToString();
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern unsafe int ClockGetTime(int clock, long* timespec);

    /// <summary>This thread's CPU time in seconds (Linux CLOCK_THREAD_CPUTIME_ID): time spent descheduled is not counted.</summary>
    public static unsafe double ThreadCpuSeconds()
    {
        long* ts = stackalloc long[2];
        ClockGetTime(3, ts);
        return ts[0] + ts[1] * 1e-9;
    }

    /// <summary>The median of <paramref name="values"/> (the upper one of an even count), the values left in their order.</summary>
    public static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    /// <summary>The least CPU seconds per call on this thread over the repetitions (the least disturbed by other processes).</summary>
    public static double CpuTime(Action action, int repetitions)
    {
        var warm = Stopwatch.StartNew();
        int calls = 0;
        while (warm.ElapsedMilliseconds < 200 || calls < 3)
        {
            action();
            calls++;
        }
        double once = warm.Elapsed.TotalSeconds / calls;
        int inner = Math.Max(1, (int)(0.02 / once));
        var samples = new double[repetitions];
        for (int r = 0; r < repetitions; r++)
        {
            double start = ThreadCpuSeconds();
            for (int i = 0; i < inner; i++) action();
            samples[r] = (ThreadCpuSeconds() - start) / inner;
        }
        return samples.Min();
    }

    /// <summary>Median wall-clock seconds per call; <paramref name="allocated"/> the bytes one call allocates after warm-up (all threads).</summary>
    public static double Time(Action action, int repetitions, out long allocated) => Time(action, repetitions, out allocated, out _);

    /// <summary>Median wall-clock seconds per call, and the best repetition's (<paramref name="best"/>).</summary>
    public static double Time(Action action, int repetitions, out long allocated, out double best)
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
        // Calls per repetition: about 10 ms worth.
        double once = warm.Elapsed.TotalSeconds / calls;
        int inner = Math.Max(1, (int)(0.01 / once));
        var samples = new double[repetitions];
        for (int r = 0; r < repetitions; r++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < inner; i++) action();
            samples[r] = Stopwatch.GetElapsedTime(start).TotalSeconds / inner;
        }
        Array.Sort(samples);
        best = samples[0];
        return samples[repetitions / 2];
    }
}
