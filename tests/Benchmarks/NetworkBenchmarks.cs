using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Relucent.Benchmarks;

/// <summary>
/// Every network, forward and each rule at batch 1 (the generated span overloads with a workspace), batch 64 through
/// a <see cref="BatchRunner{T}"/> on all cores (reported per example), and the MathNet reference path (the baseline).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class NetworkBenchmarks
{
    private Subject _subject = null!;

    [Params("mlp", "lenet", "vgg", "mnist_cnn")]
    public string Network { get; set; } = "mlp";

    [GlobalSetup]
    public void Setup() => _subject = Subject.Create(Network);

    [GlobalCleanup]
    public void Cleanup() => _subject.Dispose();

    [Benchmark(Baseline = true, Description = "Saliency, MathNet reference")]
    public void ReferenceSaliency() => _subject.ReferenceSaliency();

    [Benchmark]
    public void Forward() => _subject.Forward();

    [Benchmark]
    public void Saliency() => _subject.Saliency();

    [Benchmark]
    public void DeconvNet() => _subject.DeconvNet();

    [Benchmark]
    public void GuidedBackprop() => _subject.GuidedBackprop();

    [Benchmark(OperationsPerInvoke = Subject.BatchSize, Description = "Forward, batch 64 (per example)")]
    public void ForwardBatch() => _subject.ForwardBatch();

    [Benchmark(OperationsPerInvoke = Subject.BatchSize, Description = "Saliency, batch 64 (per example)")]
    public void SaliencyBatch() => _subject.SaliencyBatch();

    [Benchmark(OperationsPerInvoke = Subject.BatchSize, Description = "DeconvNet, batch 64 (per example)")]
    public void DeconvNetBatch() => _subject.DeconvNetBatch();

    [Benchmark(OperationsPerInvoke = Subject.BatchSize, Description = "GuidedBackprop, batch 64 (per example)")]
    public void GuidedBackpropBatch() => _subject.GuidedBackpropBatch();

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new GflopsColumn());
    }
}

/// <summary>GFLOP/s of a benchmark: the network's convolution and dense FLOPs per operation over the mean time.</summary>
public sealed class GflopsColumn : IColumn
{
    private static readonly Dictionary<string, long> s_forward = new(StringComparer.Ordinal);

    public string Id => nameof(GflopsColumn);
    public string ColumnName => "GFLOP/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Convolution and dense floating-point operations (2 per multiply-add) per second, per operation";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        BenchmarkReport? report = summary[benchmarkCase];
        if (report?.ResultStatistics is null) return "-";
        string network = (string)benchmarkCase.Parameters["Network"];
        long forward;
        lock (s_forward)
        {
            if (!s_forward.TryGetValue(network, out forward))
            {
                using Subject s = Subject.Create(network, workers: 1);
                forward = s_forward[network] = s.ForwardFlops;
            }
        }
        bool isForward = benchmarkCase.Descriptor.WorkloadMethod.Name.StartsWith("Forward", StringComparison.Ordinal);
        double flops = isForward ? forward : 2.0 * forward;
        double nanoseconds = report.ResultStatistics.Mean; // per operation (OperationsPerInvoke accounted for)
        return (flops / nanoseconds).ToString("F1", CultureInfo.InvariantCulture);
    }

    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
