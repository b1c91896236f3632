using System.Text.RegularExpressions;

namespace Relucent.Testing;

/// <summary>A fenced code block of a Markdown file.</summary>
/// <param name="Language">The first word of the fence's info string (<c>csharp</c>, <c>sh</c>, <c>xml</c>), empty when it has none.</param>
/// <param name="Text">The lines between the fences, each ending in <c>\n</c>.</param>
/// <param name="Line">The 1-based line of the opening fence.</param>
/// <param name="Section">The text of the nearest <c>## </c> heading above it (empty above the first one).</param>
/// <param name="Comment">The text of an HTML comment alone on the line right before the fence (<c>&lt;!-- not compiled: ... --&gt;</c>), else null.</param>
public sealed record CodeBlock(string Language, string Text, int Line, string Section, string? Comment)
{
    /// <summary>Where the block is, for messages: <c>README.md:42</c>.</summary>
    public string Where(string file) => $"{file}:{Line}";
}

/// <summary>Reads the parts of Markdown the documentation tests need: fenced code blocks and sections.</summary>
public static partial class Markdown
{
    /// <summary>Every fenced (<c>```</c>) code block, in order.</summary>
    public static IReadOnlyList<CodeBlock> CodeBlocks(string markdown)
    {
        string[] lines = markdown.ReplaceLineEndings("\n").Split('\n');
        var blocks = new List<CodeBlock>();
        string section = string.Empty;
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            if (line.StartsWith("## ", StringComparison.Ordinal)) section = line[3..].Trim();
            Match open = Fence().Match(line);
            if (!open.Success) continue;

            string fence = open.Groups["fence"].Value;
            string language = open.Groups["info"].Value.Trim().Split(' ', 2)[0];
            Match comment = i > 0 ? CommentLine().Match(lines[i - 1]) : Match.Empty;
            var text = new System.Text.StringBuilder();
            int start = i;
            for (i++; i < lines.Length && lines[i].Trim() != fence; i++) text.Append(lines[i]).Append('\n');
            blocks.Add(new CodeBlock(language, text.ToString(), start + 1, section, comment.Success ? comment.Groups["text"].Value.Trim() : null));
        }

        return blocks;
    }

    /// <summary>The text of the section under <c>## <paramref name="heading"/></c>, up to the next <c>## </c> heading.</summary>
    public static string Section(string markdown, string heading)
    {
        string text = markdown.ReplaceLineEndings("\n");
        int start = text.IndexOf("\n## " + heading + "\n", StringComparison.Ordinal);
        if (start < 0) throw new InvalidOperationException($"No section '## {heading}'.");
        int end = text.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        return end < 0 ? text[(start + 1)..] : text[(start + 1)..(end + 1)];
    }

    [GeneratedRegex(@"^ {0,3}(?<fence>```+)(?<info>[^`]*)$")]
    private static partial Regex Fence();

    [GeneratedRegex(@"^\s*<!--(?<text>.*)-->\s*$")]
    private static partial Regex CommentLine();
}
