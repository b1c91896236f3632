using System.Diagnostics;
using System.Globalization;
using Relucent.Kernels;

namespace Relucent.Benchmarks;

/// <summary>
/// The full torchvision models at 3×224×224, float32, random weights, timed as tests/References' <c>bench</c> times
/// libtorch's, with one line per row in the same <c>key=value</c> shape (models.sh pairs them): saliency at batch 1 (the
/// generated span overload with a reused workspace, its kernels on 1 and on 2 threads), saliency at batch 8 through a
/// <see cref="BatchRunner{T}"/> (one worker per core), and the batch-1 forward pass (the span overload, and the
/// convenience <c>Forward(float[])</c> that rents the network's spare workspace).
/// </summary>
/// <remarks>
/// The contenders of one model are timed in turn, one call each per round, for <c>reps</c> rounds after a warm-up, so a
/// change in the machine's load touches them all alike; each row gives the median, least and greatest call, and the
/// median CPU time of the whole process (every thread; libtorch's rows say the same): on a loaded machine a call's wall
/// time depends on the share of the cores the scheduler gives its process, which depends on every process's thread
/// count, while CPU time counts the work done and moves less with others' load.
/// </remarks>
public static class ModelBenchmarks
{
    private sealed record Row(string Mode, int Batch, string How, Action Call, List<double> Milliseconds, List<double> CpuMilliseconds);

    public static void Run(int reps, IReadOnlyCollection<string> models, TextWriter output)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"relucent cores={Environment.ProcessorCount} vector512={System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated} input=3x224x224 classes=1000 dtype=float32 weights=random reps={reps} load_average=\"{LoadAverage()}\" (median of reps; ms per example)"));
        foreach (string name in models)
        {
            using ModelSubject s = ModelSubject.Create(name);
            var rows = new List<Row>
            {
                new("saliency", 1, "threads=1", Threads(1, s.Saliency), new(), new()),
                new("saliency", 1, "threads=2", Threads(2, s.Saliency), new(), new()),
                new("saliency", ModelSubject.Batch, $"workers={s.Runner.Workers}", s.SaliencyBatch, new(), new()),
                new("forward", 1, "threads=1", Threads(1, s.Forward), new(), new()),
                new("forward", 1, "threads=1 call=array", Threads(1, s.ForwardArray), new(), new()),
            };
            foreach (Row row in rows)
            {
                for (int i = 0; i < (row.Batch == 1 ? 3 : 1); i++) row.Call();
            }
            long allocated = GC.GetTotalAllocatedBytes(precise: true);
            s.Saliency();
            allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
            for (int r = 0; r < reps; r++)
            {
                foreach (Row row in rows)
                {
                    TimeSpan cpu = Environment.CpuUsage.TotalTime;
                    long start = Stopwatch.GetTimestamp();
                    row.Call();
                    row.Milliseconds.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    row.CpuMilliseconds.Add((Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds);
                }
            }
            foreach (Row row in rows)
            {
                double[] t = row.Milliseconds.Order().ToArray();
                double median = t[t.Length / 2], cpu = row.CpuMilliseconds.Order().ElementAt(reps / 2);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"relucent model={name} batch={row.Batch} mode={row.Mode} {row.How} ms_per_example={median / row.Batch:F2} median_ms={median:F2} min_ms={t[0]:F2} max_ms={t[^1]:F2} cpu_ms_per_example={cpu / row.Batch:F2} reps={reps}"));
            }
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"relucent model={name} check saliency_max_abs={s.Result.Max(MathF.Abs):G4} finite={s.Result.All(float.IsFinite)} allocated_bytes_per_saliency={allocated}"));
            output.Flush();
        }
        output.WriteLine($"relucent done load_average=\"{LoadAverage()}\"");
    }

    // The call with this thread's kernels on `threads` threads (KernelParallelism.Override, the default minimum work).
    private static Action Threads(int threads, Action call) => () =>
    {
        using var scope = KernelParallelism.Override(threads);
        call();
    };

    /// <summary>The 1, 5 and 15 minute load averages: others' work on this shared machine shows in the timings.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
