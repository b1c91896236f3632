using System.Diagnostics;
using System.Globalization;
using System.Text;
using Relucent.Kernels;

namespace Relucent.Benchmarks;

/// <summary>
/// The zoo table: every layer of <see cref="ZooLayers"/> timed alone, forward and input gradient, on one thread and on two
/// (<see cref="KernelParallelism.Override"/> with the default minimum work, as a batch-1 call would run it), summed per
/// network with each layer's count. GFLOP/s count 2 FLOPs per multiply-add of the direct convolution (effective rates where
/// Winograd runs), set against libtorch's sgemm on the same machine when its rate is given (<c>--sgemm</c>).
/// </summary>
public static class Zoo
{
    public static void Run(string[] networks, double? sgemm, TextWriter output)
    {
        output.WriteLine($"{Environment.ProcessorCount} cores; ms per call: 1 thread, the least thread CPU time of 7 repetitions (robust to a busy machine); 2 threads, the median wall-clock time of 7 (needs a quiet one)");
        if (sgemm is double rate) output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"libtorch sgemm on this machine: {rate:F1} GFLOP/s (2 threads); % columns are of that rate"));
        var summary = new StringBuilder();
        summary.AppendLine("| network | forward 1 thread | input gradient 1 thread | both, 1 thread | both, 2 threads | GFLOP/s, 2 threads |");
        summary.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var (name, layers) in ZooLayers.Networks)
        {
            if (networks.Length > 0 && !networks.Contains(name)) continue;
            var table = new StringBuilder();
            table.AppendLine($"### {name}");
            table.AppendLine("| layer | × | MMAC | fwd 1t | bwd 1t | fwd 2t | bwd 2t | GFLOP/s fwd 2t | GFLOP/s bwd 2t |" + (sgemm is null ? "" : " % sgemm fwd | % sgemm bwd |"));
            table.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|" + (sgemm is null ? "" : "---:|---:|"));
            double forward1 = 0, backward1 = 0, both2 = 0;
            long macs = 0;
            foreach (var layer in layers)
            {
                var (forward, backward) = Calls(layer);
                double f1 = CpuTime(forward), b1 = CpuTime(backward), f2 = Time(forward, 2), b2 = Time(backward, 2);
                forward1 += layer.Count * f1;
                backward1 += layer.Count * b1;
                both2 += layer.Count * (f2 + b2);
                macs += layer.Count * layer.MultiplyAdds;
                double gf = 2.0 * layer.MultiplyAdds / f2 / 1e9, gb = 2.0 * layer.MultiplyAdds / b2 / 1e9;
                table.Append(string.Create(CultureInfo.InvariantCulture,
                    $"| {layer.Name} | {layer.Count} | {layer.MultiplyAdds / 1e6:F1} | {f1 * 1e3:F3} | {b1 * 1e3:F3} | {f2 * 1e3:F3} | {b2 * 1e3:F3} | {gf:F1} | {gb:F1} |"));
                if (sgemm is double s) table.Append(string.Create(CultureInfo.InvariantCulture, $" {100 * gf / s:F0} | {100 * gb / s:F0} |"));
                table.AppendLine();
            }
            output.WriteLine(table.ToString());
            summary.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {forward1 * 1e3:F1} | {backward1 * 1e3:F1} | {(forward1 + backward1) * 1e3:F1} | {both2 * 1e3:F1} | {4.0 * macs / both2 / 1e9:F1} |"));
            output.Flush();
        }
        output.WriteLine(summary.ToString());
    }

    /// <summary>
    /// An A/B of internal <c>[ThreadStatic]</c> bool switches of the kernels over every convolution and max pool of the networks: each
    /// layer's forward and input gradient with the switches all off and all on in alternating blocks (one kernel thread, the
    /// least thread CPU time of each side), then the sums per network with each layer's count.
    /// </summary>
    public static void AB(string[] networks, System.Reflection.FieldInfo[] fields, int blocks, TextWriter output)
    {
        output.WriteLine($"{string.Join(", ", fields.Select(f => $"{f.DeclaringType!.Name}.{f.Name}"))} off/on, {blocks} alternating blocks; ms per call, 1 thread, least thread CPU time");
        var summary = new StringBuilder("| network | forward off | forward on | on/off | input gradient off | input gradient on | on/off |\n|---|---:|---:|---:|---:|---:|---:|\n");
        foreach (var (name, layers) in ZooLayers.Networks)
        {
            if (networks.Length > 0 && !networks.Contains(name)) continue;
            output.WriteLine($"### {name}\n| layer | × | fwd off | fwd on | on/off | bwd off | bwd on | on/off |\n|---|---:|---:|---:|---:|---:|---:|---:|");
            var sums = new double[4];
            foreach (var layer in layers.Where(l => l is ZooLayers.Conv or ZooLayers.MaxPool))
            {
                var (forward, backward) = Calls(layer);
                var best = new[] { double.MaxValue, double.MaxValue, double.MaxValue, double.MaxValue }; // fwd off, fwd on, bwd off, bwd on
                using (KernelParallelism.Override(1))
                {
                    for (int b = 0; b < 2 * blocks; b++)
                    {
                        int on = b % 2;
                        foreach (var field in fields) field.SetValue(null, on == 1);
                        best[on] = Math.Min(best[on], Quick.CpuTime(forward, 3));
                        best[2 + on] = Math.Min(best[2 + on], Quick.CpuTime(backward, 3));
                    }
                    foreach (var field in fields) field.SetValue(null, false);
                }
                for (int i = 0; i < 4; i++) sums[i] += layer.Count * best[i];
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {layer.Name} | {layer.Count} | {best[0] * 1e3:F3} | {best[1] * 1e3:F3} | {best[1] / best[0]:F3} | {best[2] * 1e3:F3} | {best[3] * 1e3:F3} | {best[3] / best[2]:F3} |"));
                output.Flush();
            }
            summary.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {sums[0] * 1e3:F2} | {sums[1] * 1e3:F2} | {sums[1] / sums[0]:F3} | {sums[2] * 1e3:F2} | {sums[3] * 1e3:F2} | {sums[3] / sums[2]:F3} |"));
        }
        output.WriteLine();
        output.WriteLine(summary.ToString());
    }

    /// <summary>The first layer of <paramref name="network"/> whose name starts with <paramref name="prefix"/>.</summary>
    public static ZooLayers.Layer Find(string network, string prefix) =>
        ZooLayers.Networks.First(n => n.Name == network).Layers.First(l => l.Name.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>A layer's forward and input-gradient calls on buffers of its sizes, random values in [−1, 1).</summary>
    internal static (Action Forward, Action Backward) Calls(ZooLayers.Layer layer)
    {
        var rng = new Random(7);
        switch (layer)
        {
            case ZooLayers.Conv { G: var g }:
            {
                float[] x = Subject.Uniform(rng, g.InputSize, -1, 1), w = Subject.Uniform(rng, g.WeightSize, -0.1f, 0.1f), b = Subject.Uniform(rng, g.Filters, -1, 1);
                float[] y = new float[g.OutputSize], dy = Subject.Uniform(rng, g.OutputSize, -1, 1), dx = new float[g.InputSize];
                // Prepared for Winograd where it runs, as a generated network's convolutions are.
                WinogradWeights? prepared = WinogradWeights.For(g);
                prepared?.Prepare(w);
                return (() => ConvolutionKernels.Forward<float>(x, w, b, y, g, Rectifier.Relu, prepared), () => ConvolutionKernels.BackwardInput<float>(dy, w, dx, g, prepared));
            }
            case ZooLayers.MaxPool { G: var g }:
            {
                float[] x = Subject.Uniform(rng, g.InputSize, -1, 1), y = new float[g.OutputSize], dy = Subject.Uniform(rng, g.OutputSize, -1, 1), dx = new float[g.InputSize];
                int[] switches = new int[g.OutputSize];
                PoolingKernels.MaxForward<float>(x, y, switches, g);
                return (() => PoolingKernels.MaxForward<float>(x, y, switches, g), () => PoolingKernels.MaxBackward<float>(dy, switches, dx, g));
            }
            case ZooLayers.AdaptiveAvg { G: var g }:
            {
                float[] x = Subject.Uniform(rng, g.InputSize, -1, 1), y = new float[g.OutputSize], dy = Subject.Uniform(rng, g.OutputSize, -1, 1), dx = new float[g.InputSize];
                return (() => PoolingKernels.AdaptiveAvgForward<float>(x, y, g), () => PoolingKernels.AdaptiveAvgBackward<float>(dy, dx, g));
            }
            case ZooLayers.Dense d:
            {
                int inputs = d.Inputs, outputs = d.Outputs;
                float[] x = Subject.Uniform(rng, inputs, -1, 1), w = Subject.Uniform(rng, inputs * outputs, -0.1f, 0.1f), b = Subject.Uniform(rng, outputs, -1, 1);
                float[] y = new float[outputs], dy = Subject.Uniform(rng, outputs, -1, 1), dx = new float[inputs];
                return (() => DenseKernels.Forward<float>(x, w, b, y, inputs, outputs, relu: true), () => DenseKernels.BackwardInput<float>(dy, w, dx, inputs, outputs));
            }
            default:
                throw new ArgumentException(layer.ToString());
        }
    }

    /// <summary>The least CPU seconds per call on this thread alone, over 7 repetitions of about 20 ms.</summary>
    public static double CpuTime(Action action)
    {
        using var scope = KernelParallelism.Override(1);
        return Quick.CpuTime(action, 7);
    }

    /// <summary>Median wall-clock seconds per call on <paramref name="threads"/> kernel threads (default minimum work).</summary>
    public static double Time(Action action, int threads)
    {
        using var scope = KernelParallelism.Override(threads);
        var warm = Stopwatch.StartNew();
        int calls = 0;
        while (warm.ElapsedMilliseconds < 100 || calls < 3)
        {
            action();
            calls++;
        }
        double once = warm.Elapsed.TotalSeconds / calls;
        int inner = Math.Max(1, (int)(0.02 / once));
        var samples = new double[7];
        for (int r = 0; r < samples.Length; r++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < inner; i++) action();
            samples[r] = Stopwatch.GetElapsedTime(start).TotalSeconds / inner;
        }
        Array.Sort(samples);
        return samples[samples.Length / 2];
    }
}
