namespace Relucent.Imaging
{
    /// <summary>A table of an <see cref="HtmlReport"/>: a title, column headers, rows of cells as text, and an optional note under it.</summary>
    /// <param name="Title">The heading of the table.</param>
    /// <param name="Columns">The column headers.</param>
    /// <param name="Rows">The rows, each with one cell per column.</param>
    /// <param name="Note">A paragraph under the table (what the columns mean); null for none.</param>
    public sealed record ReportTable(string Title, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows, string? Note = null);
}
