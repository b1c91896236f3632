using Microsoft.CodeAnalysis.Text;

namespace Relucent.Generator.Tests;

/// <summary>Source text with one span marked <c>[|like this|]</c>: where a diagnostic must point.</summary>
public static class Markup
{
    public static (string Source, TextSpan Span) Parse(string markup)
    {
        int start = markup.IndexOf("[|", StringComparison.Ordinal);
        int end = markup.IndexOf("|]", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "the test source must mark one span with [| |]");
        string source = markup.Remove(end, 2).Remove(start, 2);
        return (source, TextSpan.FromBounds(start, end - 2));
    }
}
