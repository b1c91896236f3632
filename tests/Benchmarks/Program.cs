using BenchmarkDotNet.Running;
using Relucent.Benchmarks;

// dotnet run -c Release -- quick [network ...]          the quick table (a minute or two)
// dotnet run -c Release -- kernels                       convolution layers and other kernels alone (CPU time)
// dotnet run -c Release -- cam [blocks]                  Grad-CAM at ResNet-18's layer4 against a full saliency map, side by side
// dotnet run -c Release -- dense-head <model> [rounds]    batch-8 maps with the dense head run once per group against whole single calls (alexnet, vgg11_bn)
// dotnet run -c Release -- batch-phases <model> [rounds [switch]] a headed model's batch-8 maps phase by phase, a BatchRunner switch (SerialHead) A/B
// dotnet run -c Release -- dense-batch-ab <field> [rounds] AlexNet's dense layers, batch kernels, a DenseKernels switch (t_noPrefetch) A/B on 1 and 2 threads
// dotnet run -c Release -- dense-batch [rounds]          AlexNet's and VGG's dense layers, 8 examples: single-example kernels against the batch kernels
// dotnet run -c Release -- residual-fusion [blocks]       a residual sum and its ReLU in one pass against two (ResidualKernels), at ResNet sizes
// dotnet run -c Release -- ab-build <dll> <model> [blocks]  a model as this build generates it against another build's torchvision-models.dll, one process
// dotnet run -c Release -- lrp                           LRP maps against saliency maps of the same network (issue 20's cost bound)
// dotnet run -c Release -- zoo [--sgemm G] [network ...] the layers of ResNet-18/50, VGG-11-BN, AlexNet, MobileNetV2, GoogLeNet at 224×224
// dotnet run -c Release -- models [reps [model ...]]     the full torchvision models at 224×224 (models.sh pairs them with libtorch)
// dotnet run -c Release -- models-load [file]             loading VGG-11-BN's 531 MB state_dict: time and peak memory
// dotnet run -c Release -- --filter '*' --job short      BenchmarkDotNet, short job (about four minutes)
// dotnet run -c Release -- --filter '*'                  BenchmarkDotNet, default job (long)
// Development tools: profile <network> <seconds> [forward] (a steady loop for perf), profile-batch <model> <seconds> (batch-8 maps), profile-conv C H W F k s p
// forward|backward [seconds], ab <network> <Type.field>[,...] <blocks> (A/B of internal switches, e.g. Winograd.t_off),
// passes [rounds] (element-wise passes split against serial by size), spin <model> <µs,...> [rounds [serial]] (helper spin windows),
// ab-zoo <Type.field>[,...] [--blocks N] [network ...] (switches over every convolution and max pool of the zoo, e.g. Tiles.t_unchunked;
// Tiles.t_unpackedA and Tiles.t_threeOne switch off the register tiles' packed A panel and their 2 + 2 cut of a block's last 4 vectors;
// Tiles.t_tables has the tiles read every tap's offsets from the tables (no pointer steps, no prefetch), Tiles.t_unprefetched keeps the steps without the prefetch;
// Tiles.t_alwaysBlocked cuts the columns into blocks even where a chunk of taps over all of them fits in L2 (the transposed products);
// Winograd.t_unpanelled has the forward read prepared Winograd weights in place, not from their row-tile panels;
// ConvolutionKernels.t_phased stages 1×1 stride-2 forward passes in s × s phases, not TapColumns; ConvolutionByTaps.t_summed
// gathers their input gradient through phase sums, not spread straight into the rows; ConvolutionByTaps.t_unbanded runs an input
// gradient's product by taps whole, then col2im, not in bands of output rows (first layers) or chunks of channels;
// ConvolutionKernels.t_unbanded runs a forward product whole before its copy-out, not in bands of output rows).
// RESULTS.md has the figures and measure.sh runs the whole side-by-side comparison.
if (args.Length > 0 && args[0] == "quick")
{
    string[] names = args.Length > 1 ? args[1..] : Subject.Names;
    Console.WriteLine($"{Environment.ProcessorCount} cores, Vector512 accelerated: {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}");
    Quick.Run(names, repetitions: 31, Console.Out);
}
else if (args.Length > 2 && args[0] == "profile-batch")
{
    // A steady loop of batch-8 maps through the model's BatchRunner, for a sampling profiler: profile-batch <model> <seconds>
    using ModelSubject subject = ModelSubject.Create(args[1]);
    var clock = System.Diagnostics.Stopwatch.StartNew();
    long batches = 0;
    while (clock.Elapsed.TotalSeconds < double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture)) { subject.SaliencyBatch(); batches++; }
    Console.WriteLine($"{batches} batches, {clock.Elapsed.TotalMilliseconds / batches / ModelSubject.Batch:F1} ms per example");
}
else if (args.Length > 1 && args[0] == "dense-head")
{
    DenseHeadSpeed.Run(args[1], args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 7, Console.Out);
}
else if (args.Length > 1 && args[0] == "batch-phases")
{
    // batch-phases <model> [rounds [switch]]: a headed model's batch-8 maps, phase by phase, a BatchRunner switch on (A) against off (B)
    BatchPhases.Run(args[1], args.Length > 3 ? args[3] : "SerialHead",
        args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 9, Console.Out);
}
else if (args.Length > 1 && args[0] == "dense-batch-ab")
{
    // dense-batch-ab <DenseKernels field> [rounds]: AlexNet's dense layers through the batch kernels, a [ThreadStatic] switch on (A) against off (B)
    DenseBatchAhead.Run(args[1], args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 15, Console.Out);
}
else if (args.Length > 0 && args[0] == "dense-batch")
{
    DenseBatchSpeed.Run(rounds: args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 15, Console.Out);
}
else if (args.Length > 0 && args[0] == "lrp")
{
    LrpCost.Run(Console.Out);
}
else if (args.Length > 0 && args[0] == "models")
{
    int reps = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 7;
    ModelBenchmarks.Run(reps, args.Length > 2 ? args[2..] : ModelSubject.Names, Console.Out);
}
else if (args.Length > 0 && args[0] == "models-load")
{
    ModelLoading.Run(args.Length > 1 ? args[1] : Path.Combine(Path.GetTempPath(), "relucent-vgg11_bn.safetensors"), children: 3, Console.Out);
}
else if (args.Length > 1 && args[0] == "models-load-child")
{
    ModelLoading.Child(args[1], Console.Out);
}
else if (args.Length > 1 && args[0] == "profile")
{
    // A steady loop for a sampling profiler: profile <network> <seconds> [forward|saliency]
    var (subject, forward, saliency) = AnySubject(args[1]);
    using IDisposable owned = subject;
    Action action = args.Length > 3 && args[3] == "forward" ? forward : saliency;
    var clock = System.Diagnostics.Stopwatch.StartNew();
    long calls = 0;
    while (clock.Elapsed.TotalSeconds < double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture)) { action(); calls++; }
    Console.WriteLine($"{calls} calls, {clock.Elapsed.TotalMilliseconds * 1000 / calls:F1} µs each");
}
else if (args.Length > 8 && args[0] == "profile-conv")
{
    // profile-conv C H W F k s p forward|backward seconds
    int[] n = args[1..8].Select(int.Parse).ToArray();
    var g = new Relucent.Kernels.ConvolutionGeometry(n[0], n[1], n[2], n[3], n[4], n[5], n[6]);
    var rng = new Random(1);
    float[] x = Subject.Uniform(rng, g.InputSize, -1, 1), w = Subject.Uniform(rng, g.WeightSize, -1, 1), b = Subject.Uniform(rng, g.Filters, -1, 1);
    float[] y = new float[g.OutputSize], dx = new float[g.InputSize];
    bool forward = args[8] == "forward";
    double seconds = args.Length > 9 ? double.Parse(args[9], System.Globalization.CultureInfo.InvariantCulture) : 5;
    var clock = System.Diagnostics.Stopwatch.StartNew();
    long calls = 0;
    double cpu0 = Quick.ThreadCpuSeconds();
    while (clock.Elapsed.TotalSeconds < seconds)
    {
        if (forward) Relucent.Kernels.ConvolutionKernels.Forward<float>(x, w, b, y, g);
        else Relucent.Kernels.ConvolutionKernels.BackwardInput<float>(y, w, dx, g);
        calls++;
    }
    Console.WriteLine($"{calls} calls, {(Quick.ThreadCpuSeconds() - cpu0) * 1e6 / calls:F1} µs CPU each");
}
else if (args.Length > 3 && args[0] == "ab")
{
    // ab <network> <Type.field>[,<Type.field>...] <blocks>: alternates internal bool switches of the runtime (all off, all on)
    // between blocks of calls (an A/B comparison robust to a machine whose load changes over time).
    // A torchvision model takes fewer calls per block (each is tens of milliseconds).
    var (subject, _, saliency) = AnySubject(args[1]);
    using IDisposable owned = subject;
    bool large = ModelSubject.Names.Contains(args[1]);
    var fields = KernelSwitches.Parse(args[2]);
    int blocks = int.Parse(args[3]);
    var times = new[] { new List<double>(), new List<double>() };
    for (int i = 0; i < (large ? 5 : 200); i++) saliency();
    for (int b = 0; b < 2 * blocks; b++)
    {
        int which = b % 2;
        foreach (var field in fields) field.SetValue(null, which == 1);
        for (int i = 0; i < (large ? 1 : 5); i++) saliency();
        int calls = large ? 5 : 20;
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        for (int i = 0; i < calls; i++) saliency();
        times[which].Add(System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds * 1000 / calls);
    }
    foreach (int which in new[] { 0, 1 })
    {
        var t = times[which].OrderBy(v => v).ToArray();
        Console.WriteLine($"{args[2]} = {which == 1}: median {t[t.Length / 2]:F1} µs, best {t[0]:F1} µs, quartiles {t[t.Length / 4]:F1}–{t[3 * t.Length / 4]:F1}");
    }
}
else if (args.Length > 3 && args[0] == "profile-layer")
{
    // profile-layer <network> <layer name prefix> forward|backward <seconds>: a steady loop of one zoo layer, for perf.
    var (forward, backward) = Zoo.Calls(Zoo.Find(args[1], args[2]));
    Action action = args[3] == "forward" ? forward : backward;
    double seconds = args.Length > 4 ? double.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture) : 5;
    var clock = System.Diagnostics.Stopwatch.StartNew();
    long calls = 0;
    double cpu0 = Quick.ThreadCpuSeconds();
    while (clock.Elapsed.TotalSeconds < seconds) { action(); calls++; }
    Console.WriteLine($"{calls} calls, {(Quick.ThreadCpuSeconds() - cpu0) * 1e6 / calls:F1} µs CPU each");
}
else if (args.Length > 3 && args[0] == "ab-layer")
{
    // ab-layer <network> <layer name prefix> <Type.field>[,...] [blocks]: a zoo layer's forward and input gradient (thread CPU time)
    // with internal [ThreadStatic] bool switches of the kernels off and on, alternating blocks.
    var layer = Zoo.Find(args[1], args[2]);
    var fields = KernelSwitches.Parse(args[3]);
    int blocks = args.Length > 4 ? int.Parse(args[4]) : 6;
    var (forward, backward) = Zoo.Calls(layer);
    var times = new[] { new List<double>(), new List<double>(), new List<double>(), new List<double>() };
    using var one = Relucent.Kernels.KernelParallelism.Override(1); // thread CPU time counts this thread only
    for (int b = 0; b < 2 * blocks; b++)
    {
        int which = b % 2;
        foreach (var field in fields) field.SetValue(null, which == 1);
        times[which].Add(Quick.CpuTime(forward, 3));
        times[2 + which].Add(Quick.CpuTime(backward, 3));
    }
    foreach (int which in new[] { 0, 1 })
    {
        Console.WriteLine($"{layer.Name}: {args[3]} = {which == 1}: forward best {times[which].Min() * 1e3:F3} ms, median {times[which].Order().ElementAt(blocks / 2) * 1e3:F3}; input gradient best {times[2 + which].Min() * 1e3:F3} ms, median {times[2 + which].Order().ElementAt(blocks / 2) * 1e3:F3}");
    }
}
else if (args.Length > 1 && args[0] == "ab-zoo")
{
    // ab-zoo <Type.field>[,<Type.field>...] [--blocks N] [network ...]: every convolution and max pool of the zoo with internal
    // [ThreadStatic] bool switches of the kernels all off and all on, alternating blocks, summed per network.
    var rest = args[2..].ToList();
    int blocks = 4, at = rest.IndexOf("--blocks");
    if (at >= 0)
    {
        blocks = int.Parse(rest[at + 1]);
        rest.RemoveRange(at, 2);
    }
    var fields = KernelSwitches.Parse(args[1]);
    Zoo.AB(rest.ToArray(), fields, blocks, Console.Out);
}
else if (args.Length > 0 && args[0] == "zoo")
{
    // zoo [--sgemm GFLOPS] [network ...]: every layer of the 224×224 model zoo alone, 1 and 2 kernel threads.
    var rest = args[1..].ToList();
    double? sgemm = null;
    int at = rest.IndexOf("--sgemm");
    if (at >= 0)
    {
        sgemm = double.Parse(rest[at + 1], System.Globalization.CultureInfo.InvariantCulture);
        rest.RemoveRange(at, 2);
    }
    Zoo.Run(rest.ToArray(), sgemm, Console.Out);
}
else if (args.Length > 0 && args[0] == "passes")
{
    // passes [rounds]: the element-wise passes split over 2 kernel threads against serial, size by size (PassRanges' threshold)
    PassSpeed.Sizes(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 9, Console.Out);
}
else if (args.Length > 2 && args[0] == "spin")
{
    // spin <model> <µs>[,<µs>...] [rounds [serial]]: batch-1 maps on 2 kernel threads under each helper spin window, wall and
    // process CPU, helper sleeps per call; "serial" runs the element-wise passes on the calling thread alone
    PassSpeed.Spin(args[1], args[2].Split(',').Select(long.Parse).ToArray(),
        args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 9, args.Length > 4 && args[4] == "serial", Console.Out);
}
else if (args.Length > 0 && args[0] == "cam")
{
    LayerAttributionSpeed.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 7, Console.Out);
}
else if (args.Length > 0 && args[0] == "residual-fusion")
{
    ResidualFusion.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 6, Console.Out);
}
else if (args.Length > 2 && args[0] == "ab-build")
{
    BuildAB.Run(args[1], args[2], args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 8, Console.Out);
}
else if (args.Length > 0 && args[0] == "kernels")
{
    Console.WriteLine(Quick.KernelTable(repetitions: 40));
    Console.WriteLine(Quick.OtherKernels(repetitions: 40));
}
else
{
    BenchmarkSwitcher.FromAssembly(typeof(NetworkBenchmarks).Assembly).Run(args);
}

// A torchvision model of samples/TorchVision by its torchvision name, or one of the quick networks: what to dispose, its
// batch-1 forward and saliency calls.
static (IDisposable Subject, Action Forward, Action Saliency) AnySubject(string name)
{
    if (ModelSubject.Names.Contains(name))
    {
        var m = ModelSubject.Create(name);
        return (m, m.Forward, m.Saliency);
    }
    var q = Subject.Create(name);
    return (q, q.Forward, q.Saliency);
}

