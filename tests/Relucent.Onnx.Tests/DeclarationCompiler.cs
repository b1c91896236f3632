using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Relucent.Onnx.Tests;

/// <summary>Compiles a declaration with Roslyn against Relucent.Dsl and the platform assemblies only (no generator).</summary>
public static class DeclarationCompiler
{
    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        string dsl = typeof(Net).Assembly.Location;
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => !Path.GetFileName(p).StartsWith("Relucent.", StringComparison.OrdinalIgnoreCase))
            .Append(dsl)
            .Distinct(StringComparer.Ordinal);
        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToArray();
    });

    public static IReadOnlyList<Diagnostic> Errors(string source)
    {
        SyntaxTree tree = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest));
        var compilation = CSharpCompilation.Create(
            "Declaration",
            new[] { tree },
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        return compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
    }

    public static void AssertCompiles(string source)
    {
        IReadOnlyList<Diagnostic> errors = Errors(source);
        Assert.True(errors.Count == 0, "The declaration does not compile:\n" + string.Join("\n", errors) + "\n" + source);
    }
}
