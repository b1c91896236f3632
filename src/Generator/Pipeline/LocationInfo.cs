using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Relucent.Generator.Pipeline
{
    /// <summary>
    /// A source location as plain values: a <see cref="Location"/> holds its syntax tree, which would keep old
    /// compilations alive and defeat the incremental pipeline's caching.
    /// </summary>
    internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
    {
        public static LocationInfo From(Location location) =>
            new LocationInfo(location.SourceTree?.FilePath ?? "", location.SourceSpan, location.GetLineSpan().Span);

        public static LocationInfo From(SyntaxNode node) => From(node.GetLocation());

        /// <summary>
        /// A location in the compilation's own syntax tree when it has one, so <c>#pragma warning disable</c> and
        /// editor squiggles apply; otherwise a file location.
        /// </summary>
        public Location ToLocation(Compilation compilation)
        {
            foreach (SyntaxTree tree in compilation.SyntaxTrees)
            {
                if (tree.FilePath == FilePath && Span.End <= tree.Length) return Location.Create(tree, Span);
            }
            return Location.Create(FilePath, Span, LineSpan);
        }
    }
}
