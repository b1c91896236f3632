using System.Globalization;
using System.Text;

namespace Relucent.Imaging
{
    /// <summary>
    /// A report a person can read without the README: one self-contained HTML file with a title, notes, tables of
    /// numbers and, for each explained input, its pictures side by side, each titled (the input, then each method's map
    /// with the method's name and its metrics) under the prediction. The pictures are inlined as PNG data URIs, so the
    /// one file is the whole report: it can be mailed, archived or opened from anywhere.
    /// </summary>
    /// <remarks>
    /// Small pictures (a 32×32 map) are shown enlarged to about <see cref="DisplaySize"/> pixels with their pixels kept
    /// sharp, never smoothed. All text is HTML-encoded. The same report gives the same bytes.
    /// </remarks>
    public sealed class HtmlReport
    {
        /// <summary>The size, in CSS pixels, small pictures are enlarged to (by a whole factor) on the page.</summary>
        public const int DisplaySize = 160;

        /// <summary>A report titled <paramref name="title"/>.</summary>
        public HtmlReport(string title)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(title);
            Title = title;
        }

        /// <summary>The title of the page and its first heading.</summary>
        public string Title { get; }

        /// <summary>Paragraphs under the title: what was explained, with which network and weights.</summary>
        public IList<string> Notes { get; } = new List<string>();

        /// <summary>Tables of numbers, shown after the notes.</summary>
        public IList<ReportTable> Tables { get; } = new List<ReportTable>();

        /// <summary>The explained inputs, shown after the tables.</summary>
        public IList<ReportExample> Examples { get; } = new List<ReportExample>();

        /// <summary>Writes the report to <paramref name="path"/> (UTF-8).</summary>
        public void Save(string path)
        {
            ArgumentNullException.ThrowIfNull(path);
            File.WriteAllText(path, ToHtml(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        }

        /// <summary>The report as one HTML document.</summary>
        /// <exception cref="InvalidDataException">A figure's bytes are not a PNG.</exception>
        /// <exception cref="ArgumentException">A table row has another number of cells than the table has columns.</exception>
        public string ToHtml()
        {
            var html = new StringBuilder();
            html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .Append("<title>").Append(Text(Title)).Append("</title>\n")
                .Append("<style>\n").Append(Style).Append("</style>\n</head>\n<body>\n")
                .Append("<h1>").Append(Text(Title)).Append("</h1>\n");
            foreach (string note in Notes) html.Append("<p class=\"note\">").Append(Text(note)).Append("</p>\n");
            foreach (ReportTable table in Tables) AppendTable(html, table);
            for (int i = 0; i < Examples.Count; i++) AppendExample(html, Examples[i], i + 1);
            html.Append("</body>\n</html>\n");
            return html.ToString();
        }

        private const string Style = """
            body { font-family: system-ui, sans-serif; margin: 2em; color: #222; background: #fff; }
            h1 { font-size: 1.6em; } h2 { font-size: 1.2em; margin: 1.5em 0 0.4em; }
            p.note { max-width: 60em; color: #444; }
            table { border-collapse: collapse; margin: 0.5em 0; }
            th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; } td { text-align: right; } td:first-child { text-align: left; }
            dl.facts { display: grid; grid-template-columns: max-content auto; gap: 0.1em 1em; margin: 0.3em 0 0.6em; }
            dl.facts dt { color: #666; } dl.facts dd { margin: 0; }
            div.figures { display: flex; flex-wrap: wrap; gap: 1em; }
            figure { margin: 0; } figure img { display: block; image-rendering: pixelated; border: 1px solid #ddd; }
            figcaption { max-width: 12em; font-size: 0.9em; } figcaption .title { display: block; font-weight: bold; }
            figcaption .caption { display: block; color: #555; }

            """;

        private static void AppendTable(StringBuilder html, ReportTable table)
        {
            ArgumentNullException.ThrowIfNull(table);
            html.Append("<section class=\"table\">\n<h2>").Append(Text(table.Title)).Append("</h2>\n<table>\n<thead><tr>");
            foreach (string column in table.Columns) html.Append("<th>").Append(Text(column)).Append("</th>");
            html.Append("</tr></thead>\n<tbody>\n");
            for (int r = 0; r < table.Rows.Count; r++)
            {
                IReadOnlyList<string> row = table.Rows[r];
                if (row.Count != table.Columns.Count)
                {
                    throw new ArgumentException($"Row {r} of the table '{table.Title}' has {row.Count} cells; the table has {table.Columns.Count} columns.", nameof(table));
                }

                html.Append("<tr>");
                foreach (string cell in row) html.Append("<td>").Append(Text(cell)).Append("</td>");
                html.Append("</tr>\n");
            }

            html.Append("</tbody>\n</table>\n");
            if (table.Note is { } note) html.Append("<p class=\"note\">").Append(Text(note)).Append("</p>\n");
            html.Append("</section>\n");
        }

        private static void AppendExample(StringBuilder html, ReportExample example, int number)
        {
            ArgumentNullException.ThrowIfNull(example);
            html.Append("<section class=\"example\" id=\"example-").Append(number.ToString(CultureInfo.InvariantCulture)).Append("\">\n")
                .Append("<h2>").Append(Text(example.Title)).Append("</h2>\n");
            if (example.Facts.Count > 0)
            {
                html.Append("<dl class=\"facts\">");
                foreach ((string name, string value) in example.Facts) html.Append("<dt>").Append(Text(name)).Append("</dt><dd>").Append(Text(value)).Append("</dd>");
                html.Append("</dl>\n");
            }

            html.Append("<div class=\"figures\">\n");
            foreach (ReportFigure figure in example.Figures)
            {
                (int width, int height) = figure.Size;
                int factor = Math.Max(1, DisplaySize / Math.Max(width, height));
                html.Append("<figure><img src=\"data:image/png;base64,").Append(Convert.ToBase64String(figure.Png)).Append('"')
                    .Append(" width=\"").Append((width * factor).ToString(CultureInfo.InvariantCulture)).Append('"')
                    .Append(" height=\"").Append((height * factor).ToString(CultureInfo.InvariantCulture)).Append('"')
                    .Append(" alt=\"").Append(Text(figure.Title)).Append("\">")
                    .Append("<figcaption><span class=\"title\">").Append(Text(figure.Title)).Append("</span>");
                if (figure.Caption is { } caption) html.Append("<span class=\"caption\">").Append(Text(caption)).Append("</span>");
                html.Append("</figcaption></figure>\n");
            }

            html.Append("</div>\n</section>\n");
        }

        // The five characters HTML gives a meaning to, as entities; every other character as it is (the file is UTF-8).
        private static string Text(string? text) =>
            (text ?? string.Empty).Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
                .Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal).Replace("'", "&#39;", StringComparison.Ordinal);
    }
}
