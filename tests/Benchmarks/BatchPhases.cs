using System.Diagnostics;
using System.Reflection;

namespace Relucent.Benchmarks;

/// <summary>
/// Where a headed model's batch-8 saliency maps spend their time (AlexNet, VGG): two <see cref="BatchRunner{T}"/>s side by
/// side, A with an internal per-instance switch of the runner on (default <c>SerialHead</c>: the dense head on one thread, as
/// before it shared the cores), B the default, alternating in one process so a changing load falls on both. Per example:
/// median wall and process CPU milliseconds; per group: the phases the runner records (trunks' forward passes, the head's
/// forward and backward passes, trunks' backward passes). Both runners' maps are the same bits (checked).
/// </summary>
public static class BatchPhases
{
    public static void Run(string model, string switchName, int rounds, TextWriter output)
    {
        using ModelSubject subject = ModelSubject.Create(model);
        using var a = new BatchRunner<float>(subject.Net, subject.Runner.Workers);
        // Each switch a runner's internal property (SerialHead), or a kernels' [ThreadStatic] field (DenseKernels.t_noPrefetch) set
        // around A's calls (the head's kernels read it on the calling thread); several separated by commas.
        var fields = new List<FieldInfo>();
        foreach (string name in switchName.Split(','))
        {
            if (name.Contains('.'))
            {
                fields.Add(KernelSwitches.Field(name));
                continue;
            }
            PropertyInfo flag = typeof(BatchRunner<float>).GetProperty(name, BindingFlags.Instance | BindingFlags.NonPublic)
                ?? throw new ArgumentException($"BatchRunner has no internal property '{name}'.", nameof(switchName));
            flag.SetValue(a, true);
        }
        var aResults = new float[subject.Results.Length];
        void A()
        {
            foreach (FieldInfo field in fields) field.SetValue(null, true);
            try
            {
                a.Explain(BackwardRule.Saliency, subject.Inputs, subject.Targets, aResults);
            }
            finally
            {
                foreach (FieldInfo field in fields) field.SetValue(null, false);
            }
        }
        void B() => subject.SaliencyBatch();
        A();
        B();
        if (!aResults.AsSpan().SequenceEqual(subject.Results)) throw new InvalidOperationException($"{model}: {switchName} changes the maps' bits.");

        var wall = new[] { new List<double>(), new List<double>() };
        var cpu = new[] { new List<double>(), new List<double>() };
        var phases = new[] { new List<double[]>(), new List<double[]>() };
        BatchRunner<float>[] runners = [a, subject.Runner];
        Action[] calls = [A, B];
        for (int round = 0; round < rounds; round++)
        {
            for (int k = 0; k < 2; k++)
            {
                long[] ticks = Ticks(runners[k]);
                long[] before = (long[])ticks.Clone();
                TimeSpan cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                long start = Stopwatch.GetTimestamp();
                calls[k]();
                wall[k].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds / ModelSubject.Batch);
                cpu[k].Add((Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds / ModelSubject.Batch);
                phases[k].Add(ticks.Select((t, i) => (t - before[i]) * 1000.0 / Stopwatch.Frequency).ToArray());
            }
        }
        output.WriteLine($"{model} batch={ModelSubject.Batch} workers={subject.Runner.Workers}, {rounds} alternating rounds (median; range)");
        output.WriteLine("| runner | ms per example | CPU ms per example | trunks forward | head forward | head backward | trunks backward (ms per batch) |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        string[] names = [$"A: {switchName}", "B: default"];
        for (int k = 0; k < 2; k++)
        {
            string phase(int i) => $"{Quick.Median(phases[k].Select(p => p[i])):F1}";
            output.WriteLine($"| {names[k]} | {Quick.Median(wall[k]):F1} ({wall[k].Min():F1}–{wall[k].Max():F1}) | {Quick.Median(cpu[k]):F1} | {phase(0)} | {phase(1)} | {phase(2)} | {phase(3)} |");
        }
        var ratios = wall[0].Zip(wall[1], (x, y) => x / y).ToList();
        output.WriteLine($"A / B per round: median {Quick.Median(ratios):F2}, range {ratios.Min():F2}–{ratios.Max():F2}");
    }

    private static long[] Ticks(BatchRunner<float> runner) =>
        (long[])typeof(BatchRunner<float>).GetProperty("PhaseTicks", BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(runner)!;
}
