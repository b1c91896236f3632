using System.Diagnostics;
using System.Globalization;
using Relucent.Samples.TorchVision;

namespace Relucent.Benchmarks;

/// <summary>
/// Loading VGG-11-BN's state_dict (531 MB of float32, 132.9 M values) with the generated <c>Vgg11BN.Load(path)</c>:
/// the time to a ready network and the process's peak resident memory (VmHWM), each load in a fresh child process so
/// the peak is the load's own. The file is written once by the project's safetensors writer (random weights, names and
/// layout as <c>safetensors.torch.save_file</c> writes them) and then read from the page cache (a warm read, as a
/// second run of a program reads it).
/// </summary>
public static class ModelLoading
{
    /// <summary>Writes the file if it is missing, then loads it in <paramref name="children"/> child processes one after another.</summary>
    public static void Run(string path, int children, TextWriter output)
    {
        if (!File.Exists(path))
        {
            var clock = Stopwatch.StartNew();
            SafeTensors.Write(path, ModelSubject.Weights(Vgg11BN.ParameterShapes, new Random(224)));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"relucent wrote {path} in {clock.Elapsed.TotalSeconds:F1} s"));
        }
        long fileBytes = new FileInfo(path).Length;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"relucent load file={path} file_mb={fileBytes / 1e6:F1} load_average=\"{ModelBenchmarks.LoadAverage()}\""));
        for (int i = 0; i < children; i++)
        {
            var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") start.ArgumentList.Add(typeof(ModelLoading).Assembly.Location);
            start.ArgumentList.Add("models-load-child");
            start.ArgumentList.Add(path);
            using var process = Process.Start(start)!;
            output.WriteLine(process.StandardOutput.ReadToEnd().TrimEnd());
            process.WaitForExit();
            if (process.ExitCode != 0) output.WriteLine($"relucent load child failed exit={process.ExitCode}");
        }
    }

    /// <summary>One load in this (fresh) process: times <c>Vgg11BN.Load</c>, then makes a workspace and runs one saliency map.</summary>
    public static void Child(string path, TextWriter output)
    {
        long fileBytes = new FileInfo(path).Length;
        double before = Status("VmRSS");
        var clock = Stopwatch.StartNew();
        Vgg11BN net = Vgg11BN.Load(path);
        double loadSeconds = clock.Elapsed.TotalSeconds;
        double peakLoad = Status("VmHWM");
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        var workspace = new Vgg11BN.Workspace();
        long workspaceBytes = GC.GetAllocatedBytesForCurrentThread() - allocated;
        var result = new float[Vgg11BN.InputSize];
        net.Saliency(new float[Vgg11BN.InputSize], 1, result, workspace);
        double peak = Status("VmHWM");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"relucent load model=vgg11_bn load_s={loadSeconds:F3} rss_before_mb={before:F0} peak_after_load_mb={peakLoad:F0} workspace_mb={workspaceBytes / 1e6:F0} peak_after_saliency_mb={peak:F0} peak_over_file={(peak - before) * 1e6 / fileBytes:F2} target_mb={(2.0 * fileBytes + workspaceBytes) / 1e6:F0}"));
        GC.KeepAlive(net);
        net = null!;
        workspace = null!;
        GC.Collect();

        // Where the time goes, after the peak is recorded: reading the file, converting its bytes to float (the binder),
        // and the whole FromTensors (the binder, then the constructor's copy of each weight matrix into the kernels'
        // column-major layout).
        clock.Restart();
        SafeTensorsFile file = SafeTensors.Read(path);
        double read = clock.Elapsed.TotalSeconds;
        clock.Restart();
        float[][] values = ParameterBinder.Bind<float>(file, Vgg11BN.ParameterShapes);
        double bind = clock.Elapsed.TotalSeconds;
        values = null!;
        GC.Collect();
        clock.Restart();
        net = Vgg11BN.FromTensors(file);
        double fromTensors = clock.Elapsed.TotalSeconds;
        // What the constructor derives from the parameters (BatchNorm merges, Winograd's prepared weights), once more alone.
        clock.Restart();
        net.ParametersChanged();
        double derive = clock.Elapsed.TotalSeconds;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"relucent load phases read_s={read:F3} bind_s={bind:F3} from_tensors_s={fromTensors:F3} layout_s={fromTensors - bind:F3} parameters_changed_s={derive:F3}"));
        GC.KeepAlive(net);
    }

    // A field of /proc/self/status in MB (VmRSS: resident now; VmHWM: the peak resident so far).
    private static double Status(string field)
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024 / 1e6;
            }
        }
        throw new InvalidOperationException($"/proc/self/status has no {field}");
    }
}
