using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Relucent.Generator.Pipeline
{
    /// <summary>
    /// A source location as pipeline data: the syntax tree (compared by reference: an edit to another file keeps this
    /// file's tree, so the data stays equal and the pipeline cached) and the span in it. Reported in the tree itself, so
    /// <c>#pragma warning disable</c> and editor squiggles apply.
    /// </summary>
    internal sealed record LocationInfo(SyntaxTree? Tree, TextSpan Span, string FilePath, LinePositionSpan LineSpan)
    {
        public static LocationInfo From(Location location) =>
            new LocationInfo(location.SourceTree, location.SourceSpan, location.SourceTree?.FilePath ?? "", location.GetLineSpan().Span);

        public static LocationInfo From(SyntaxNode node) => From(node.GetLocation());

        public Location ToLocation() => Tree != null ? Location.Create(Tree, Span) : Location.Create(FilePath, Span, LineSpan);
    }
}
