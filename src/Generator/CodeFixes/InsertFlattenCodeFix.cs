using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Relucent.Generator.Diagnostics;

namespace Relucent.CodeFixes
{
    /// <summary>RLC009 "Dense needs a feature vector … insert .Flatten() before it": inserts <c>.Flatten()</c> before the call.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(InsertFlattenCodeFix)), Shared]
    public sealed class InsertFlattenCodeFix : CodeFixProvider
    {
        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create("RLC009");

        /// <inheritdoc />
        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        /// <inheritdoc />
        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            Diagnostic diagnostic = context.Diagnostics[0];
            // RLC009 covers several shape errors; only "needs a feature vector" is fixed by flattening, and it says so.
            if (!diagnostic.Properties.TryGetValue(DiagnosticProperties.Fix, out string? fix) || fix != DiagnosticProperties.InsertFlatten) return;
            SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            // The diagnostic spans `Dense(4)` in `x.Dense(4)`: the name starts it.
            var invocation = root?.FindToken(diagnostic.Location.SourceSpan.Start).Parent?.AncestorsAndSelf().OfType<InvocationExpressionSyntax>().FirstOrDefault();
            if (root == null || invocation?.Expression is not MemberAccessExpressionSyntax member) return;

            context.RegisterCodeFix(
                CodeAction.Create($"Insert .Flatten() before .{member.Name.Identifier.ValueText}(...)", _ =>
                {
                    InvocationExpressionSyntax flatten = SyntaxFactory.InvocationExpression(
                        SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, member.Expression.WithoutTrailingTrivia(), SyntaxFactory.IdentifierName("Flatten")));
                    MemberAccessExpressionSyntax updated = member.WithExpression(flatten.WithTrailingTrivia(member.Expression.GetTrailingTrivia()));
                    return Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(member, updated)));
                }, equivalenceKey: nameof(InsertFlattenCodeFix)),
                diagnostic);
        }
    }
}
