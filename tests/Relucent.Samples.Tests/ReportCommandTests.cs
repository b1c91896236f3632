using System.Text.RegularExpressions;
using Relucent.Attribution;
using Relucent.Explain;
using Relucent.Imaging;
using Relucent.Samples.Shapes;
using Relucent.Training;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Relucent.Samples.Tests;

/// <summary>
/// <c>explain report</c>, in process: one page per run with every method's map of every input, the maps those of the
/// library, and the explain commands' usage errors and exit codes.
/// </summary>
public sealed partial class ReportCommandTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"relucent-explain-report-{Guid.NewGuid():N}");
    private readonly string _weights;
    private readonly ShapesCnn _net;

    public ReportCommandTests()
    {
        Directory.CreateDirectory(_folder);
        _net = ShapesCnn.FromTensors(Init.PyTorchDefault(ShapesCnn.ParameterShapes, 3));
        _weights = Path.Combine(_folder, "shapes-cnn.safetensors");
        _net.Save(_weights);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        int code = Cli.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    // An image of k/255 values, so the PNG holds it exactly.
    private (string Path, float[] X) Input(string name, int seed)
    {
        var random = new Random(seed);
        float[] x = Enumerable.Range(0, ShapesCnn.InputSize).Select(_ => random.Next(256) / 255f).ToArray();
        var pixels = new Rgb24[1024];
        for (int p = 0; p < 1024; p++) pixels[p] = new Rgb24((byte)(x[p] * 255), (byte)(x[1024 + p] * 255), (byte)(x[2048 + p] * 255));
        string path = Path.Combine(_folder, name);
        using Image<Rgb24> image = Image.LoadPixelData<Rgb24>(pixels, 32, 32);
        image.SaveAsPng(path);
        return (path, x);
    }

    [Fact]
    public void The_report_holds_every_methods_map_of_every_input_as_the_library_draws_it()
    {
        (string a, float[] xa) = Input("a.png", 1);
        (string b, _) = Input("b.png", 2);
        string html = Path.Combine(_folder, "report.html");
        (int code, string output, string error) = Run("report", a, b, "--weights", _weights, "--output", html, "--target", "2");
        Assert.True(code == 0, error);
        Assert.Equal($"report of 2 input(s), 5 methods each, written to {html}\n", output);

        string page = File.ReadAllText(html);
        string[] titles = Title().Matches(page).Select(m => m.Groups["t"].Value).ToArray();
        string[] methods = ["input", "Saliency", "DeconvNet", "GuidedBackprop", "IntegratedGradients", "SmoothGrad"];
        Assert.Equal(methods.Concat(methods), titles);
        Assert.Contains("<h2>a.png</h2>", page);
        Assert.Contains("<h2>b.png</h2>", page);
        Assert.Contains("<dt>explained</dt><dd>triangle (class 2)", page);
        Assert.Equal(10, Regex.Matches(page, "deletion AUC [0-9.]+ ↓ · insertion AUC [0-9.]+ ↑").Count);

        // The GuidedBackprop picture of the first input is the library's map, drawn as the report draws maps.
        string guided = Regex.Matches(page, "<img src=\"data:image/png;base64,(?<png>[^\"]+)\"[^>]*alt=\"GuidedBackprop\"")[0].Groups["png"].Value;
        float[] map = _net.Explain(BackwardRule.GuidedBackprop, xa, 2).Abs().ReduceChannels(ChannelReduction.Max, ShapesCnn.Architecture.InputShape);
        using Image<Rgb24> expected = Heatmap.Render<float>(map.ClipPercentiles(0, 99), 32, 32, new HeatmapOptions { Scale = HeatmapScale.Sequential });
        Assert.Equal(Heatmap.EncodePng(expected), Convert.FromBase64String(guided));
    }

    [Fact]
    public void Usage_errors_exit_with_2_and_unreadable_files_with_1()
    {
        (string a, _) = Input("a.png", 1);
        (int code, _, string error) = Run("report", "--weights", _weights);
        Assert.Equal(2, code);
        Assert.Contains("explain report: give one or more inputs", error);

        (code, _, error) = Run("report", a);
        Assert.Equal(2, code);
        Assert.Contains("--weights", error);

        (code, _, error) = Run("report", a, Path.Combine(_folder, "missing.png"), "--weights", _weights);
        Assert.Equal(2, code);
        Assert.Contains("explain report: no input file at", error);

        (code, _, error) = Run("report", a, "--weights", _weights, "--method", "saliency");
        Assert.Equal(2, code);
        Assert.Contains("unknown option '--method'; report takes --weights, --output, --target, --steps and --samples.", error);

        File.WriteAllText(Path.Combine(_folder, "broken.png"), "not a png");
        (code, _, error) = Run("report", Path.Combine(_folder, "broken.png"), "--weights", _weights);
        Assert.Equal(1, code);
        Assert.Contains("cannot read", error);

        (code, string output, _) = Run("--help");
        Assert.Equal(0, code);
        Assert.Contains("report <input.png|input.safetensors>... --weights shapes-cnn.safetensors [--output report.html]", output);
    }

    [GeneratedRegex("<span class=\"title\">(?<t>[^<]*)</span>")]
    private static partial Regex Title();
}
