using System.Globalization;
using System.Reflection;
using Relucent.Kernels;

namespace Relucent.Benchmarks;

/// <summary>
/// The element-wise passes on 2 kernel threads: their size threshold (split against serial, size by size) and the kernel
/// helpers' spin window (whole saliency maps, wall and process CPU time).
/// </summary>
public static class PassSpeed
{
    /// <summary>
    /// ReLU forward, residual sum and the Saliency rule on float passes of increasing size, 2 kernel threads, the passes
    /// split (PassRanges.t_serialPasses off) against serial (on), alternating blocks: where splitting starts to pay.
    /// </summary>
    public static void Sizes(int rounds, TextWriter output)
    {
        FieldInfo serial = KernelSwitches.Field("PassRanges.t_serialPasses");
        // The threshold itself is what is measured: split everything (the tests' per-thread setting).
        FieldInfo minimum = KernelSwitches.Field("PassRanges.t_minimumElements");
        minimum.SetValue(null, 1);
        using var two = KernelParallelism.Override(threads: 2);
        var rng = new Random(5);
        output.WriteLine("| floats | pass | serial µs | split µs | serial / split |");
        output.WriteLine("|---:|---|---:|---:|---:|");
        foreach (int size in new[] { 8_192, 16_384, 32_768, 50_176, 65_536, 100_352, 200_704, 401_408, 802_816 })
        {
            float[] a = Subject.Uniform(rng, size, -1, 1), b = Subject.Uniform(rng, size, -1, 1), y = new float[size];
            foreach (var (name, pass) in new (string, Action)[]
            {
                ("relu", () => ActivationKernels.Relu<float>(a, y)),
                ("add", () => ElementwiseKernels.Add<float>(a, b, y)),
                ("saliency rule", () => ReluRules.Saliency<float>(a, b, y)),
            })
            {
                var times = new[] { new List<double>(), new List<double>() };
                int calls = Math.Max(20, 4_000_000 / size);
                for (int r = 0; r < 2 * rounds; r++)
                {
                    int which = (r + r / 2) % 2; // serial, split, split, serial, …
                    serial.SetValue(null, which == 0);
                    pass();
                    long start = System.Diagnostics.Stopwatch.GetTimestamp();
                    for (int i = 0; i < calls; i++) pass();
                    times[which].Add(System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMicroseconds / calls);
                }
                double s = Quick.Median(times[0]), p = Quick.Median(times[1]);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {size} | {name} | {s:F1} | {p:F1} | {s / p:F2} |"));
            }
        }
        serial.SetValue(null, false);
        minimum.SetValue(null, 0);
    }

    /// <summary>
    /// A model's batch-1 saliency maps on 2 kernel threads with the helpers' spin window set to each of
    /// <paramref name="windows"/> µs in turn (rotating order): wall and process CPU per call back to back, and process CPU
    /// per call when each call is followed by 30 ms of idleness (the helper's last window counted once per call), and how
    /// often per call the helper fell asleep (a gap between two jobs longer than the window), with the element-wise passes
    /// split or (<paramref name="serialPasses"/>) not.
    /// </summary>
    public static void Spin(string model, long[] windows, int rounds, bool serialPasses, TextWriter output)
    {
        FieldInfo spin = KernelSwitches.Field("KernelParallelism.s_spinMicroseconds"), sleeps = KernelSwitches.Field("KernelParallelism.s_sleeps");
        KernelSwitches.Field("PassRanges.t_serialPasses").SetValue(null, serialPasses);
        long saved = (long)spin.GetValue(null)!;
        using ModelSubject subject = ModelSubject.Create(model);
        using var two = KernelParallelism.Override(threads: 2);
        for (int i = 0; i < 5; i++) subject.Saliency();
        var wall = windows.Select(_ => new List<double>()).ToArray();
        var cpu = windows.Select(_ => new List<double>()).ToArray();
        var sparse = windows.Select(_ => new List<double>()).ToArray();
        var naps = windows.Select(_ => new List<double>()).ToArray();
        for (int r = 0; r < rounds; r++)
        {
            for (int k = 0; k < windows.Length; k++)
            {
                int w = (k + r) % windows.Length;
                spin.SetValue(null, windows[w]);
                subject.Saliency();
                const int calls = 5;
                double cpu0 = Environment.CpuUsage.TotalTime.TotalSeconds;
                long sleeps0 = (long)sleeps.GetValue(null)!;
                long start = System.Diagnostics.Stopwatch.GetTimestamp();
                for (int i = 0; i < calls; i++) subject.Saliency();
                wall[w].Add(System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds / calls);
                cpu[w].Add((Environment.CpuUsage.TotalTime.TotalSeconds - cpu0) * 1e3 / calls);
                naps[w].Add(((long)sleeps.GetValue(null)! - sleeps0) / (double)calls);
                Thread.Sleep(30);
                cpu0 = Environment.CpuUsage.TotalTime.TotalSeconds;
                for (int i = 0; i < 3; i++)
                {
                    subject.Saliency();
                    Thread.Sleep(30);
                }
                sparse[w].Add((Environment.CpuUsage.TotalTime.TotalSeconds - cpu0) * 1e3 / 3);
            }
        }
        spin.SetValue(null, saved);
        output.WriteLine($"{model}, 2 kernel threads, {rounds} rounds, element-wise passes {(serialPasses ? "serial" : "split")}");
        output.WriteLine("| spin window µs | wall ms (median) | wall ms (best) | CPU ms per call back to back | helper sleeps per call | CPU ms per call, 30 ms idle after each |");
        output.WriteLine("|---:|---:|---:|---:|---:|---:|");
        for (int w = 0; w < windows.Length; w++)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {windows[w]} | {Quick.Median(wall[w]):F1} | {wall[w].Min():F1} | {Quick.Median(cpu[w]):F1} | {Quick.Median(naps[w]):F1} | {Quick.Median(sparse[w]):F1} |"));
        }
    }
}
