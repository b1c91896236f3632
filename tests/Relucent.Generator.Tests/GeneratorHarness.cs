extern alias gen;

using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using RelucentGenerator = gen::Relucent.Generator.RelucentGenerator;

namespace Relucent.Generator.Tests;

/// <summary>Runs the generator over in-memory sources, as the compiler would for a user's project.</summary>
public static class GeneratorHarness
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        // The test host's trusted assemblies include the generator itself, whose linked copies of the Dsl's
        // model types would clash with Relucent.Dsl's: a user's compilation never references it.
        string[] platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => !Path.GetFileName(p).StartsWith("Relucent.", StringComparison.Ordinal))
            .ToArray();
        var ours = new[] { typeof(Relucent.Net).Assembly, typeof(Relucent.Interpreter<>).Assembly, typeof(MathNet.Numerics.LinearAlgebra.Matrix<>).Assembly }
            .Select(a => a.Location);
        return platform.Concat(ours).Distinct().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    });

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    public static CSharpCompilation Compilation(params string[] sources) =>
        CSharpCompilation.Create(
            "UserAssembly",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Source{i}.cs")),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver Driver(bool trackSteps = false) =>
        CSharpGeneratorDriver.Create(
            new[] { new RelucentGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>Runs the generator; returns its result and the compilation with the generated files added.</summary>
    public static (GeneratorRunResult Result, Compilation Output) Run(params string[] sources)
    {
        CSharpCompilation input = Compilation(sources);
        GeneratorDriver driver = Driver().RunGeneratorsAndUpdateCompilation(input, out Compilation output, out _);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        Assert.DoesNotContain(output.GetDiagnostics(), d => d.Id == "CS8785");
        return (result, output);
    }

    /// <summary>The generated text of the only generated file.</summary>
    public static string GeneratedText(GeneratorRunResult result) => result.GeneratedSources.Single().SourceText.ToString();

    /// <summary>Emits <paramref name="compilation"/> to an assembly loaded in this process, failing on any compile error.</summary>
    public static Assembly Load(Compilation compilation)
    {
        using var stream = new MemoryStream();
        var emit = compilation.Emit(stream);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        return Assembly.Load(stream.ToArray());
    }
}
