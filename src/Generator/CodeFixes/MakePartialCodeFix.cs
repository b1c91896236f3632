using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Relucent.CodeFixes
{
    /// <summary>RLC001 / RLC002: adds <c>partial</c> to the class (or the enclosing type) the diagnostic names.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakePartialCodeFix)), Shared]
    public sealed class MakePartialCodeFix : CodeFixProvider
    {
        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create("RLC001", "RLC002");

        /// <inheritdoc />
        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        /// <inheritdoc />
        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            Diagnostic diagnostic = context.Diagnostics[0];
            var declaration = root?.FindToken(diagnostic.Location.SourceSpan.Start).Parent?.AncestorsAndSelf().OfType<TypeDeclarationSyntax>().FirstOrDefault();
            if (root == null || declaration == null) return;

            // RLC002 points at the nested class; the type to fix is the first enclosing one that is not partial.
            TypeDeclarationSyntax target = diagnostic.Id == "RLC002"
                ? declaration.Ancestors().OfType<TypeDeclarationSyntax>().FirstOrDefault(t => !t.Modifiers.Any(SyntaxKind.PartialKeyword)) ?? declaration
                : declaration;
            if (target.Modifiers.Any(SyntaxKind.PartialKeyword)) return;

            context.RegisterCodeFix(
                CodeAction.Create($"Make '{target.Identifier.ValueText}' partial", _ =>
                {
                    // 'partial' goes last among the modifiers, just before the keyword: 'public static partial class'.
                    SyntaxToken partial = SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space);
                    TypeDeclarationSyntax updated = target.Modifiers.Count == 0
                        ? target.WithoutLeadingTrivia().AddModifiers(partial.WithLeadingTrivia(target.GetLeadingTrivia()))
                        : target.AddModifiers(partial);
                    return Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(target, updated)));
                }, equivalenceKey: nameof(MakePartialCodeFix)),
                diagnostic);
        }
    }
}
