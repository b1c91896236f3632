extern alias gen;

using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using RelucentGenerator = gen::Relucent.Generator.RelucentGenerator;

namespace Relucent.Samples.Tests;

/// <summary>
/// Compiles a code block as a reader would paste it: the only file of a console app (a library when it has no
/// top-level statements) made by <c>dotnet new console</c>, so with that template's implicit usings and nullable
/// checks, with Relucent's generator running, against the real Relucent assemblies and their dependencies.
/// </summary>
public static class SnippetCompiler
{
    // What `dotnet new console` turns on: <ImplicitUsings>enable</ImplicitUsings> (these global usings) and <Nullable>enable</Nullable>.
    private const string ImplicitUsings = """
        global using global::System;
        global using global::System.Collections.Generic;
        global using global::System.IO;
        global using global::System.Linq;
        global using global::System.Net.Http;
        global using global::System.Threading;
        global using global::System.Threading.Tasks;
        """;

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<ImmutableArray<MetadataReference>> Platform = new(() =>
    {
        // The test host's assemblies, without its own and the samples' (whose copies of ShapesCnn would clash), and
        // without the generator, whose linked copies of the Dsl's model types would clash with Relucent.Dsl's.
        string[] excluded = ["Relucent.", "explain", "shapes", "Relucent.Samples.Tests"];
        IEnumerable<string> paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => !excluded.Any(e => Path.GetFileName(p).StartsWith(e, StringComparison.Ordinal)))
            .Concat([typeof(Net).Assembly.Location, typeof(Interpreter<>).Assembly.Location])
            .Distinct(StringComparer.Ordinal);
        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    });

    /// <summary>The errors and warnings of <paramref name="source"/> compiled with the generator, plus <paramref name="references"/>.</summary>
    public static IReadOnlyList<Diagnostic> Diagnostics(string source, params string[] references) => Diagnostics(source, withGenerator: true, references);

    /// <summary>The errors and warnings of <paramref name="source"/>, compiled with or without the generator, plus <paramref name="references"/>.</summary>
    public static IReadOnlyList<Diagnostic> Diagnostics(string source, bool withGenerator, params string[] references)
    {
        SyntaxTree tree = CSharpSyntaxTree.ParseText(source, ParseOptions, path: "Program.cs");
        bool program = tree.GetCompilationUnitRoot().Members.OfType<GlobalStatementSyntax>().Any();
        var compilation = CSharpCompilation.Create(
            "Snippet",
            [tree, CSharpSyntaxTree.ParseText(ImplicitUsings, ParseOptions, path: "GlobalUsings.g.cs")],
            Platform.Value.AddRange(references.Select(r => (MetadataReference)MetadataReference.CreateFromFile(r))),
            new CSharpCompilationOptions(program ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        ISourceGenerator[] generators = withGenerator ? [new RelucentGenerator().AsSourceGenerator()] : [];
        CSharpGeneratorDriver.Create(generators, parseOptions: ParseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
        return generatorDiagnostics.Concat(output.GetDiagnostics())
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .ToList();
    }
}
