using System.Diagnostics;
using Relucent.References.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Relucent.References;

/// <summary>
/// libtorch's own torchvision models (TorchVision 0.107 constructors, random weights, eval mode, float32) at
/// 3×224×224 and 1000 classes, 2 threads, parameters frozen: the saliency map (the input gradient of one target
/// logit per example) and the forward pass under no_grad. Each row runs in its own child process.
/// On a loaded machine libtorch's OpenMP threads spin-wait (OMP_WAIT_POLICY unset) and a row can take 10–20×
/// longer than on a quiet one; OMP_WAIT_POLICY=PASSIVE (inherited by the children) keeps it stable, and the
/// header line says which was used.
/// </summary>
public static class Bench
{
    public static readonly string[] Models = { "resnet18", "resnet50", "vgg11_bn", "alexnet", "mobilenet_v2", "googlenet" };
    public static readonly int[] Batches = { 1, 8 };
    public static readonly string[] Modes = { "forward", "saliency" };
    public const int Threads = 2;

    /// <summary>Every row, each in a child process; returns whether all ran.</summary>
    public static bool RunAll(int reps, IReadOnlyCollection<string> models)
    {
        Console.WriteLine($"libtorch torch={torch.__version__} torchvision=0.107.0 threads={Threads} input=3x224x224 classes=1000 dtype=float32 reps={reps} omp_wait_policy={Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") ?? "default"} load_average=\"{LoadAverage()}\" (median after warm-up; ms per example)");
        bool all = true;
        foreach (var model in models)
            foreach (var batch in Batches)
                foreach (var mode in Modes)
                    all &= Child.Run(new[] { "bench-row", model, batch.ToString(), mode, reps.ToString() },
                        $"libtorch model={model} batch={batch} mode={mode} threads={Threads}").Ok;
        Console.WriteLine($"libtorch done load_average=\"{LoadAverage()}\"");
        return all;
    }

    /// <summary>The 1, 5 and 15 minute load averages: others' work on this shared machine shows in the timings.</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    /// <summary>One row, in this process.</summary>
    public static void RunRow(string model, int batch, string mode, int reps)
    {
        torch.set_num_threads(Threads);
        torch.set_default_dtype(ScalarType.Float32);
        torch.manual_seed(224);
        var net = Zoo.Get(model).TorchVision(1000);
        net.eval();
        foreach (var p in net.parameters()) p.requires_grad_(false);
        var x = torch.randn(batch, 3, 224, 224);
        var targets = torch.randint(1000, new long[] { batch, 1 }, dtype: ScalarType.Int64);

        Action once = mode switch {
            "forward" => () =>
            {
                using var scope = torch.NewDisposeScope();
                using var _ = torch.no_grad();
                net.call(x);
            },
            "saliency" => () =>
            {
                using var scope = torch.NewDisposeScope();
                var input = x.detach().requires_grad_(true);
                var selected = net.call(input).gather(1, targets).sum();
                torch.autograd.grad(new[] { selected }, new[] { input })[0].abs();
            },
            _ => throw new ArgumentException($"mode '{mode}': forward or saliency"),
        };
        int warmUp = batch == 1 ? 5 : 2;
        for (int i = 0; i < warmUp; i++) once();
        var times = new List<double>();
        var cpu = new List<double>(); // the process's CPU time (all its threads): robust to others' load, unlike the wall clock
        for (int i = 0; i < reps; i++)
        {
            TimeSpan cpu0 = Environment.CpuUsage.TotalTime;
            var sw = Stopwatch.StartNew();
            once();
            times.Add(sw.Elapsed.TotalMilliseconds);
            cpu.Add((Environment.CpuUsage.TotalTime - cpu0).TotalMilliseconds);
        }
        times.Sort();
        cpu.Sort();
        double median = times[times.Count / 2];
        Console.WriteLine($"libtorch model={model} batch={batch} mode={mode} threads={Threads} ms_per_example={median / batch:F2} median_ms={median:F2} min_ms={times[0]:F2} max_ms={times[^1]:F2} cpu_ms_per_example={cpu[cpu.Count / 2] / batch:F2} reps={reps}");
    }
}
