using BenchmarkDotNet.Running;
using Relucent.Benchmarks;

// dotnet run -c Release -- quick [network ...]          the quick table (a minute or two)
// dotnet run -c Release -- kernels                       convolution layers alone, GFLOP/s
// dotnet run -c Release -- --filter '*' --job short      BenchmarkDotNet, short job (a few minutes)
// dotnet run -c Release -- --filter '*'                  BenchmarkDotNet, default job (long)
if (args.Length > 0 && args[0] == "quick")
{
    string[] names = args.Length > 1 ? args[1..] : Subject.Names;
    Console.WriteLine($"{Environment.ProcessorCount} cores, Vector512 accelerated: {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}");
    Quick.Run(names, repetitions: 15, Console.Out);
}
else if (args.Length > 0 && args[0] == "kernels")
{
    Console.WriteLine(Quick.KernelTable(repetitions: 15));
}
else
{
    BenchmarkSwitcher.FromAssembly(typeof(NetworkBenchmarks).Assembly).Run(args);
}
