extern alias gen;

using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using RelucentGenerator = gen::Relucent.Generator.RelucentGenerator;

namespace Relucent.Benchmarks;

/// <summary>
/// What the generator costs the user's build: a full run over a compilation holding 1, 10 or 50 network classes
/// (LeNet- and mnist-sized, all three rules, about 900 generated lines each), and the incremental run after an edit
/// that touches no network (the IDE's case on every keystroke), which must reuse every cached step.
/// </summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private CSharpCompilation _compilation = null!;
    private CSharpCompilation _edited = null!;
    private GeneratorDriver _warm = null!;

    [Params(1, 10, 50)]
    public int Classes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var trees = Enumerable.Range(0, Classes).Select(i => CSharpSyntaxTree.ParseText(NetworkSource(i), ParseOptions, path: $"Network{i}.cs")).ToList();
        SyntaxTree unrelated = CSharpSyntaxTree.ParseText("namespace Demo; public static class Helpers { public static int Answer => 42; }", ParseOptions, path: "Helpers.cs");
        trees.Add(unrelated);
        _compilation = CSharpCompilation.Create("UserAssembly", trees, References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        _edited = _compilation.ReplaceSyntaxTree(unrelated,
            CSharpSyntaxTree.ParseText("namespace Demo; public static class Helpers { public static int Answer => 43; }", ParseOptions, path: "Helpers.cs"));
        _warm = Driver().RunGenerators(_compilation);
        GeneratorRunResult result = _warm.GetRunResult().Results.Single();
        if (result.Exception != null || result.GeneratedSources.Length != Classes)
        {
            throw new InvalidOperationException($"The generator produced {result.GeneratedSources.Length} files for {Classes} classes: {result.Exception}");
        }
    }

    [Benchmark(Description = "Full run")]
    public GeneratorDriver FullRun() => Driver().RunGenerators(_compilation);

    [Benchmark(Description = "Incremental run after an unrelated edit")]
    public GeneratorDriver IncrementalRun() => _warm.RunGenerators(_edited);

    private static GeneratorDriver Driver() =>
        CSharpGeneratorDriver.Create(new[] { new RelucentGenerator().AsSourceGenerator() }, parseOptions: ParseOptions);

    // Alternating two shapes so the classes are not all alike.
    private static string NetworkSource(int i) => i % 2 == 0
        ? $$"""
            using Relucent;

            namespace Demo;

            [Saliency, DeconvNet, GuidedBackprop]
            public partial class LeNet{{i}}
            {
                static readonly Network Spec = Net.Input(channels: 1, height: 12, width: 12)
                    .Conv2D(4, kernel: 3, padding: 1).ReLU().MaxPool(2)
                    .Conv2D(8, kernel: 3).ReLU().MaxPool(2)
                    .Flatten()
                    .Dense(16).ReLU()
                    .Dense(5);
            }
            """
        : $$"""
            using Relucent;

            namespace Demo;

            [Saliency, DeconvNet, GuidedBackprop]
            public partial class MnistCnn{{i}}
            {
                static readonly Network Spec = Net.Input(1, 28, 28)
                    .Conv2D(32, kernel: 3).ReLU()
                    .Conv2D(64, kernel: 3).ReLU().MaxPool(2)
                    .Flatten()
                    .Dense(128).ReLU()
                    .Dense(10);
            }
            """;

    // The platform plus Relucent's Dsl and Runtime and MathNet, as a user's project references them; not the
    // generator itself, whose linked copies of the model types would clash with the Dsl's.
    private static ImmutableArray<MetadataReference> References()
    {
        string[] platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => !Path.GetFileName(p).StartsWith("Relucent.", StringComparison.Ordinal))
            .ToArray();
        var ours = new[] { typeof(Net).Assembly, typeof(Interpreter<>).Assembly, typeof(MathNet.Numerics.LinearAlgebra.Matrix<>).Assembly }.Select(a => a.Location);
        return platform.Concat(ours).Distinct().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    }
}
