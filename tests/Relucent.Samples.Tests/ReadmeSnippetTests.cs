using Microsoft.CodeAnalysis;
using Relucent.Testing;
using Xunit.Abstractions;

namespace Relucent.Samples.Tests;

/// <summary>
/// Every C# block of the READMEs compiles as written, as the only file of a new console app with Relucent
/// (<see cref="SnippetCompiler"/>), without an error or a warning. A block that is deliberately not a program (an
/// excerpt of generated code) says so on the line before its fence, <c>&lt;!-- not compiled: the reason --&gt;</c>;
/// such a block must indeed fail to compile, so the mark is never left on a block that would compile.
/// </summary>
public sealed class ReadmeSnippetTests(ITestOutputHelper log)
{
    private const string NotCompiled = "not compiled:";

    /// <summary>The Markdown files whose blocks are checked, and the assemblies their blocks may use beyond Relucent's.</summary>
    public static TheoryData<string> Documents() => ["README.md", "samples/Shapes/README.md"];

    private static string[] ExtraReferences(string document) =>
        document == "samples/Shapes/README.md" ? [Path.Combine(AppContext.BaseDirectory, "shapes.dll")] : [];

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_csharp_block_compiles_as_written(string document)
    {
        IReadOnlyList<CodeBlock> blocks = Markdown.CodeBlocks(File.ReadAllText(Repository.File(document)))
            .Where(b => b.Language is "csharp" or "cs" or "c#")
            .ToList();
        Assert.NotEmpty(blocks);

        var failures = new List<string>();
        foreach (CodeBlock block in blocks)
        {
            IReadOnlyList<Diagnostic> diagnostics = SnippetCompiler.Diagnostics(block.Text, ExtraReferences(document));
            bool marked = block.Comment?.StartsWith(NotCompiled, StringComparison.Ordinal) == true;
            if (marked)
            {
                string reason = block.Comment![NotCompiled.Length..].Trim();
                log.WriteLine($"{block.Where(document)}: not compiled ({reason})");
                if (reason.Length == 0) failures.Add($"{block.Where(document)}: `<!-- {NotCompiled} -->` gives no reason.");
                if (!diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error)) failures.Add($"{block.Where(document)}: marked `{NotCompiled}` but compiles; remove the mark.");
                continue;
            }

            log.WriteLine($"{block.Where(document)}: {diagnostics.Count} diagnostics");
            if (diagnostics.Count > 0)
            {
                failures.Add($"{block.Where(document)} (section '{block.Section}') does not compile as written:\n  "
                    + string.Join("\n  ", diagnostics.Select(d => $"{Position(block, d)} {d.Severity.ToString().ToLowerInvariant()} {d.Id}: {d.GetMessage()}")));
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n\n", failures)
            + $"\n\nFix the block, or, if it is deliberately not a program, put `<!-- {NotCompiled} the reason -->` on the line before its fence.");
    }

    /// <summary>Where in the document a diagnostic of a block is: <c>README.md line 12, column 5</c> (the block's first line follows its fence).</summary>
    private static string Position(CodeBlock block, Diagnostic diagnostic)
    {
        FileLinePositionSpan span = diagnostic.Location.GetMappedLineSpan();
        return span.Path == "Program.cs" ? $"line {block.Line + 1 + span.StartLinePosition.Line}, column {span.StartLinePosition.Character + 1}:" : $"{span.Path}:";
    }
}
