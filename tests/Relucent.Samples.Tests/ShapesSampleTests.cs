extern alias shapes;

using System.Text.RegularExpressions;
using Relucent.Testing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit.Abstractions;

namespace Relucent.Samples.Tests;

/// <summary>
/// The main sample as a newcomer meets it: its log, redirected, is plain lines; it writes test images as the PNGs
/// samples/Explain reads; the commands it prints run as printed; and its HTML report, and the report of the command it
/// prints, show in a real browser every picture, decoded, under its title.
/// </summary>
public sealed partial class ShapesSampleTests(ShapesRun run, ITestOutputHelper log) : IClassFixture<ShapesRun>
{
    private static readonly string[] MethodTitles = ["Saliency", "DeconvNet", "GuidedBackprop", "IntegratedGradients", "SmoothGrad"];

    // The sample's own report adds LRP and the layer methods; the explain commands' report has the five above.
    private static readonly string[] SampleMethodTitles = [.. MethodTitles, "EpsilonGammaBox", "GradCam", "GuidedGradCam"];

    private CommandResult Sample
    {
        get
        {
            Assert.True(run.Sample.Succeeded, run.Sample.Describe());
            return run.Sample;
        }
    }

    [Fact]
    public void Its_log_redirected_to_a_file_is_plain_lines()
    {
        string output = Sample.Output;
        Assert.DoesNotContain('\u001b', output); // no colours or cursor movement
        Assert.DoesNotContain('\r', output);     // no progress bar redrawn in place
        string[] lines = output.Split('\n');
        // One line per epoch, whole: no progress fragments such as "accuracy 27.4 %: 40%".
        Assert.Equal(2, lines.Count(l => EpochLine().IsMatch(l)));
        Assert.Equal(2, lines.Count(l => l.StartsWith("epoch ", StringComparison.Ordinal)));
        Assert.DoesNotContain(lines, l => PercentFragment().IsMatch(l));
        // Nothing wrapped: each printed command is one line, and so is each sentence.
        Assert.Single(lines, l => l.StartsWith("Weights: ", StringComparison.Ordinal) && l.EndsWith("shapes-cnn.safetensors", StringComparison.Ordinal));
        Assert.Equal(2, run.PrintedCommands.Length);
        log.WriteLine(output);
    }

    [Fact]
    public void It_writes_its_pictured_test_images_as_the_32x32_pngs_explain_reads()
    {
        _ = Sample;
        string[] inputs = Directory.GetFiles(Path.Combine(run.Output, "inputs"), "*.png").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(3, inputs.Length);
        Assert.Matches(@"test-000-[a-z]+\.png$", inputs[0]);

        // The same pixels as the data set's image, each value rounded to a byte.
        var image = shapes::Relucent.Samples.Shapes.ShapesDataset.Generate(64, unchecked(1 * 7919 + 104729))[0];
        using Image<Rgb24> png = Image.Load<Rgb24>(inputs[0]);
        Assert.Equal((32, 32), (png.Width, png.Height));
        for (int p = 0; p < 32 * 32; p++)
        {
            Rgb24 pixel = png[p % 32, p / 32];
            Assert.Equal(Math.Round(image.Pixels[p] * 255), pixel.R);
            Assert.Equal(Math.Round(image.Pixels[1024 + p] * 255), pixel.G);
            Assert.Equal(Math.Round(image.Pixels[2048 + p] * 255), pixel.B);
        }
    }

    [Fact]
    public void The_commands_it_prints_run_as_printed()
    {
        _ = Sample;
        Assert.Equal(2, run.PrintedCommands.Length);
        for (int i = 0; i < run.PrintedCommands.Length; i++)
        {
            CommandResult result = run.CommandResults[i];
            log.WriteLine($"{run.PrintedCommands[i]}\n  exit {result.ExitCode}, {result.Elapsed.TotalSeconds:F1} s");
            Assert.True(result.Succeeded, result.Describe());
        }

        // explain explain: a map of the first image, as a 256×256 picture (8× the 32×32 map).
        Assert.Contains(" explain ", run.PrintedCommands[0]);
        Assert.Contains("map of class", run.CommandResults[0].Output);
        string map = Assert.Single(Directory.GetFiles(run.Output, "*-saliency.png"));
        using (Image<Rgb24> picture = Image.Load<Rgb24>(map))
        {
            Assert.Equal((256, 256), (picture.Width, picture.Height));
        }

        // explain report: every pictured image in one page.
        Assert.Contains(" report ", run.PrintedCommands[1]);
        Assert.Contains("report of 3 input(s), 5 methods each", run.CommandResults[1].Output);
        Assert.True(File.Exists(Path.Combine(run.Output, "explain-report.html")));
    }

    [Fact]
    public void The_samples_readme_shows_the_commands_as_the_sample_prints_them()
    {
        // The README shows a run from the repository root with the default output folder and data set; this run wrote
        // elsewhere, and its smaller test set names its first image otherwise.
        string readme = File.ReadAllText(Repository.File("samples/Shapes/README.md"));
        CodeBlock shown = Assert.Single(Markdown.CodeBlocks(readme), b => b.Text.Contains("Explain one of the images", StringComparison.Ordinal));
        string[] expected = shown.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => FirstImage().Replace(l.Replace("shapes-output/", run.Output + "/", StringComparison.Ordinal), "test-000-IMAGE"))
            .ToArray();
        string[] printed = Sample.Output.Split('\n').Select(l => FirstImage().Replace(l.TrimEnd(), "test-000-IMAGE")).ToArray();
        int start = Array.IndexOf(printed, expected[0]);
        Assert.True(start >= 0, $"The sample no longer prints \"{expected[0]}\".\n{Sample.Output}");
        Assert.Equal(expected, printed.Skip(start).Take(expected.Length));
    }

    [Fact]
    public void Its_report_shows_every_picture_under_its_title_in_a_browser()
    {
        _ = Sample;
        string report = Path.Combine(run.Output, "report.html");
        Assert.True(File.Exists(report), "The sample wrote no report.html.");
        PageCheck page = Chromium.Inspect(report, run.Scratch);

        // Three images, each the input and a map per method; one with a distractor has the masks and a map per method more.
        int distractors = Directory.GetFiles(Path.Combine(run.Output, "inputs"), "*-distractor-*.png").Length;
        Assert.InRange(distractors, 1, 2);
        int methods = SampleMethodTitles.Length;
        AssertShown(page, expectedImages: 3 * (1 + methods) + distractors * (1 + methods));
        Assert.Equal(2, page.Tables);
        Assert.Contains(page.Headings, h => h.Text == "Relucent · Shapes");
        Assert.Equal(3, page.Headings.Count(h => h.Text.StartsWith("Test image ", StringComparison.Ordinal)));
        foreach (string method in SampleMethodTitles)
        {
            Assert.Equal(3, page.Titles.Count(t => t.Text == method));
            Assert.Equal(distractors, page.Titles.Count(t => t.Text.StartsWith(method + ", for ", StringComparison.Ordinal)));
        }

        AssertScreenshot(report);
    }

    [Fact]
    public void The_report_of_the_printed_command_shows_every_picture_under_its_title_in_a_browser()
    {
        _ = Sample;
        string report = Path.Combine(run.Output, "explain-report.html");
        Assert.True(run.CommandResults.Length == 2 && run.CommandResults[1].Succeeded, "The printed report command did not run.");
        PageCheck page = Chromium.Inspect(report, run.Scratch);

        AssertShown(page, expectedImages: 3 * 6);
        Assert.Equal(1, page.Tables);
        Assert.Equal(3, page.Titles.Count(t => t.Text == "input"));
        foreach (string method in MethodTitles) Assert.Equal(3, page.Titles.Count(t => t.Text == method));
        AssertScreenshot(report);
    }

    // Every image decoded, shown at its size or larger, under a shown title equal to its alternative text.
    private static void AssertShown(PageCheck page, int expectedImages)
    {
        Assert.Equal(expectedImages, page.Images.Length);
        Assert.All(page.Images, image =>
        {
            Assert.True(image.Loaded, $"The picture '{image.Alt}' did not load.");
            Assert.True(image.Shown && image.Width >= image.NaturalWidth && image.Height >= image.NaturalHeight, $"The picture '{image.Alt}' is not shown whole: {image}.");
            Assert.False(string.IsNullOrWhiteSpace(image.Alt));
        });
        Assert.Equal(page.Images.Select(i => i.Alt), page.Titles.Select(t => t.Text));
        Assert.All(page.Titles, t => Assert.True(t.Shown, $"The title '{t.Text}' is not shown."));
        Assert.All(page.Headings, h => Assert.True(h.Shown, $"The heading '{h.Text}' is not shown."));
    }

    // A screenshot of the top of the page: the pictures are drawn (colours of the heatmaps' scale, not only white and grey).
    private void AssertScreenshot(string report)
    {
        string png = Path.Combine(run.Scratch, Path.GetFileNameWithoutExtension(report) + ".screenshot.png");
        Chromium.Screenshot(report, png, 1280, 2400, run.Scratch);
        using Image<Rgb24> shot = Image.Load<Rgb24>(png);
        Assert.Equal((1280, 2400), (shot.Width, shot.Height));
        int coloured = 0;
        for (int y = 0; y < shot.Height; y += 2)
        {
            for (int x = 0; x < shot.Width; x += 2)
            {
                Rgb24 p = shot[x, y];
                if (Math.Max(p.R, Math.Max(p.G, p.B)) - Math.Min(p.R, Math.Min(p.G, p.B)) > 80) coloured++;
            }
        }

        log.WriteLine($"{png}: {coloured} strongly coloured pixels of {shot.Width * shot.Height / 4} sampled");
        Assert.True(coloured > 2000, $"The screenshot {png} shows almost no colour ({coloured} pixels): the pictures were not drawn.");
    }

    [GeneratedRegex(@"^epoch \d+/2  loss \d+\.\d{3}  accuracy \d+\.\d ?%  test \d+\.\d ?%  \d+\.\d s$")]
    private static partial Regex EpochLine();

    [GeneratedRegex(@"test-000-[a-z-]+")]
    private static partial Regex FirstImage();

    [GeneratedRegex(@": ?\d+%\s*$")]
    private static partial Regex PercentFragment();
}
