using System.Text.RegularExpressions;
using Relucent.Testing;

namespace Relucent.Samples.Tests;

/// <summary>docs/diagnostics.md lists its IDs in ascending order, in its table and in its sections, the same IDs in both.</summary>
public sealed partial class DiagnosticsDocumentTests
{
    [Fact]
    public void The_ids_are_in_order_in_the_table_and_in_the_sections()
    {
        string text = File.ReadAllText(Repository.File("docs/diagnostics.md"));
        string[] table = TableRow().Matches(text).Select(m => m.Groups["id"].Value).ToArray();
        string[] sections = Section().Matches(text).Select(m => m.Groups["id"].Value).ToArray();

        Assert.True(table.Length >= 16, $"Only {table.Length} rows found in the table of docs/diagnostics.md.");
        Assert.Equal(table.Order(StringComparer.Ordinal), table);
        Assert.Equal(sections.Order(StringComparer.Ordinal), sections);
        Assert.Equal(table, sections);
    }

    [GeneratedRegex(@"^\| \[(?<id>RLC\d{3})\]", RegexOptions.Multiline)]
    private static partial Regex TableRow();

    [GeneratedRegex(@"^## (?<id>RLC\d{3})\s*$", RegexOptions.Multiline)]
    private static partial Regex Section();
}
