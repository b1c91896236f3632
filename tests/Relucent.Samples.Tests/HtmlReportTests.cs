using System.Text;
using System.Text.RegularExpressions;
using Relucent.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Relucent.Samples.Tests;

/// <summary>
/// <see cref="HtmlReport"/>: one self-contained file (every picture a PNG data URI holding the exact bytes given), all
/// text encoded, small pictures enlarged by a whole factor, the same report giving the same bytes, and wrong input refused
/// naming what is wrong. (<see cref="ShapesSampleTests"/> shows real reports in a browser.)
/// </summary>
public sealed partial class HtmlReportTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"relucent-report-{Guid.NewGuid():N}");

    public HtmlReportTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static ReportFigure Figure(string title, int width, int height, string? caption = null)
    {
        var values = Enumerable.Range(0, width * height).Select(i => (float)i).ToArray();
        using Image<Rgb24> picture = Heatmap.Render<float>(values, height, width);
        return ReportFigure.Of(title, picture, caption);
    }

    private static HtmlReport Report()
    {
        var report = new HtmlReport("Maps <of> \"everything\" & more");
        report.Notes.Add("Weights: a<b>.safetensors");
        report.Tables.Add(new ReportTable("Numbers", ["method", "AUC ↓"], [["Saliency", "0.25"], ["<script>", "1 & 2"]], "lower is better"));
        var example = new ReportExample("image 1: triangle");
        example.Facts.Add(("prediction", "triangle (class 2), p = 0.9"));
        example.Figures.Add(Figure("input", 32, 32));
        example.Figures.Add(Figure("Saliency", 32, 16, "pointing ✓"));
        example.Figures.Add(Figure("big", 400, 300));
        report.Examples.Add(example);
        return report;
    }

    [Fact]
    public void Every_picture_is_inlined_as_the_exact_png_given_and_nothing_else_is_referenced()
    {
        HtmlReport report = Report();
        string html = report.ToHtml();
        string[] sources = Source().Matches(html).Select(m => m.Groups["src"].Value).ToArray();
        Assert.Equal(3, sources.Length);
        IList<ReportFigure> figures = report.Examples[0].Figures;
        for (int i = 0; i < sources.Length; i++)
        {
            Assert.StartsWith("data:image/png;base64,", sources[i]);
            Assert.Equal(figures[i].Png, Convert.FromBase64String(sources[i]["data:image/png;base64,".Length..]));
        }

        // No file, stylesheet or script the page would have to fetch.
        Assert.DoesNotContain("href=", html);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("<link", html);
    }

    [Fact]
    public void Small_pictures_are_enlarged_by_a_whole_factor_and_large_ones_kept()
    {
        string html = Report().ToHtml();
        Assert.Contains("width=\"160\" height=\"160\" alt=\"input\"", html);    // 32×32, 5×
        Assert.Contains("width=\"160\" height=\"80\" alt=\"Saliency\"", html);  // 32×16, 5× on the longer side
        Assert.Contains("width=\"400\" height=\"300\" alt=\"big\"", html);      // larger than 160: as it is
        Assert.Contains("image-rendering: pixelated", html);
    }

    [Fact]
    public void All_text_is_encoded()
    {
        string html = Report().ToHtml();
        Assert.Contains("<title>Maps &lt;of&gt; &quot;everything&quot; &amp; more</title>", html);
        Assert.Contains("<td>&lt;script&gt;</td><td>1 &amp; 2</td>", html);
        Assert.Contains("Weights: a&lt;b&gt;.safetensors", html);
        Assert.Contains("<span class=\"title\">Saliency</span><span class=\"caption\">pointing ✓</span>", html);
        Assert.Contains("<dt>prediction</dt><dd>triangle (class 2), p = 0.9</dd>", html);
    }

    [Fact]
    public void Save_writes_the_same_utf8_bytes_for_the_same_report()
    {
        string a = Path.Combine(_folder, "a.html"), b = Path.Combine(_folder, "b.html");
        Report().Save(a);
        Report().Save(b);
        byte[] bytes = File.ReadAllBytes(a);
        Assert.Equal(bytes, File.ReadAllBytes(b));
        Assert.False(bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble), "a byte-order mark");
        Assert.StartsWith("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">", Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void Wrong_input_is_refused_naming_what_is_wrong()
    {
        var report = new HtmlReport("r");
        report.Tables.Add(new ReportTable("Numbers", ["method", "AUC"], [["Saliency"]]));
        var e = Assert.Throws<ArgumentException>(() => report.ToHtml());
        Assert.Contains("Row 0 of the table 'Numbers' has 1 cells; the table has 2 columns", e.Message);

        var notPng = new HtmlReport("r");
        var example = new ReportExample("x");
        example.Figures.Add(new ReportFigure("map", [1, 2, 3]));
        notPng.Examples.Add(example);
        Assert.Contains("'map' is not a PNG", Assert.Throws<InvalidDataException>(() => notPng.ToHtml()).Message);

        Assert.Throws<ArgumentException>(() => new HtmlReport(" "));
        Assert.Throws<ArgumentException>(() => new ReportExample(""));
    }

    [GeneratedRegex("<img src=\"(?<src>[^\"]*)\"")]
    private static partial Regex Source();
}
