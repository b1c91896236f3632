using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Relucent.CodeFixes;

namespace Relucent.Generator.Tests;

/// <summary>
/// The code fixes for the two commonest mistakes, applied in a workspace as an editor would: the generator reports
/// the diagnostic, the fix rewrites the source, and the generator then accepts it.
/// </summary>
public class CodeFixTests
{
    [Fact]
    public async Task A_class_that_is_not_partial_is_made_partial()
    {
        string fixedSource = await Fix(new MakePartialCodeFix(), "RLC001", """
            using Relucent;
            namespace Demo;
            [Saliency]
            public sealed class Mlp { static readonly Network Spec = Net.Input(8).Dense(4).ReLU(); }
            """);
        Assert.Contains("public sealed partial class Mlp", fixedSource);
    }

    [Fact]
    public async Task An_enclosing_type_that_is_not_partial_is_made_partial()
    {
        string fixedSource = await Fix(new MakePartialCodeFix(), "RLC002", """
            using Relucent;
            namespace Demo;
            public static class Outer { [Saliency] public partial class Mlp { static readonly Network Spec = Net.Input(8).ReLU(); } }
            """);
        Assert.Contains("public static partial class Outer", fixedSource);
    }

    [Fact]
    public async Task Flatten_is_inserted_before_a_dense_layer_on_an_image()
    {
        string fixedSource = await Fix(new InsertFlattenCodeFix(), "RLC009", """
            using Relucent;
            namespace Demo;
            [Saliency]
            public partial class Cnn
            {
                static readonly Network Spec = Net.Input(1, 8, 8).Conv2D(2, kernel: 3).ReLU()
                    .Dense(4);
            }
            """);
        Assert.Contains(".ReLU().Flatten()\n        .Dense(4)", fixedSource.Replace("\r\n", "\n"));
    }

    [Fact]
    public async Task Other_shape_errors_are_not_offered_flatten()
    {
        var (document, diagnostic) = await Diagnose("""
            using Relucent;
            namespace Demo;
            [Saliency] public partial class Cnn { static readonly Network Spec = Net.Input(1, 5, 5).Conv2D(2, kernel: 7).ReLU(); }
            """, "RLC009");
        var actions = new List<CodeAction>();
        await new InsertFlattenCodeFix().RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (a, _) => actions.Add(a), CancellationToken.None));
        Assert.Empty(actions);
    }

    private static async Task<string> Fix(CodeFixProvider provider, string id, string source)
    {
        var (document, diagnostic) = await Diagnose(source, id);
        var actions = new List<CodeAction>();
        await provider.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (a, _) => actions.Add(a), CancellationToken.None));
        CodeAction action = Assert.Single(actions);
        ImmutableArray<CodeActionOperation> operations = await action.GetOperationsAsync(CancellationToken.None);
        Solution changed = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution;
        string fixedSource = (await changed.GetDocument(document.Id)!.GetTextAsync()).ToString();

        // The fixed source passes the generator: no RLC error is left.
        var (result, _) = GeneratorHarness.Run(fixedSource);
        Assert.DoesNotContain(result.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        return fixedSource;
    }

    private static async Task<(Document Document, Diagnostic Diagnostic)> Diagnose(string source, string id)
    {
        var workspace = new AdhocWorkspace();
        Project project = workspace.AddProject("User", LanguageNames.CSharp)
            .WithParseOptions(GeneratorHarness.ParseOptions)
            .WithCompilationOptions(new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary))
            .WithMetadataReferences(GeneratorHarness.Compilation().References);
        Document document = project.AddDocument("Source0.cs", SourceText.From(source), filePath: "Source0.cs");
        Compilation compilation = (await document.Project.GetCompilationAsync())!;
        GeneratorRunResult result = GeneratorHarness.Driver().RunGenerators(compilation).GetRunResult().Results.Single();
        Diagnostic diagnostic = result.Diagnostics.Single(d => d.Id == id);
        Assert.Same(await document.GetSyntaxTreeAsync(), diagnostic.Location.SourceTree);
        return (document, diagnostic);
    }
}
