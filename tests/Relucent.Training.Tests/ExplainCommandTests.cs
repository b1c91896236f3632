using Relucent.Attribution;
using Relucent.Explain;
using Relucent.Samples.Shapes;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Relucent.Training.Tests;

/// <summary>
/// samples/Explain's <c>explain explain</c> command with the Shapes CNN (the class compiled into the tool from
/// samples/Shapes/ShapesCnn.cs): maps identical to the library's, and clear usage errors with exit code 2.
/// </summary>
public sealed class ExplainCommandTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"relucent-explain-{Guid.NewGuid():N}");
    private readonly string _weights;
    private readonly ShapesCnn _net;
    private readonly float[] _x;

    public ExplainCommandTests()
    {
        Directory.CreateDirectory(_folder);
        _net = ShapesCnn.FromTensors(Init.PyTorchDefault(ShapesCnn.ParameterShapes, 4));
        _weights = Path.Combine(_folder, "shapes-cnn.safetensors");
        _net.Save(_weights);
        var random = new Random(9);
        // Values k/255, so a PNG holds them exactly.
        _x = Enumerable.Range(0, ShapesCnn.InputSize).Select(_ => random.Next(256) / 255f).ToArray();
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        int code = Cli.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private string WritePng(string name, float[] x, int width = 32, int height = 32)
    {
        var pixels = new Rgb24[width * height];
        int plane = width * height;
        for (int p = 0; p < plane; p++)
        {
            pixels[p] = new Rgb24((byte)Math.Round(x[p] * 255), (byte)Math.Round(x[plane + p] * 255), (byte)Math.Round(x[2 * plane + p] * 255));
        }

        using Image<Rgb24> image = Image.LoadPixelData<Rgb24>(pixels, width, height);
        string path = PathOf(name);
        image.SaveAsPng(path);
        return path;
    }

    private string WriteTensor(string name, string tensorName, float[] x, params int[] shape)
    {
        string path = PathOf(name);
        SafeTensors.Write(path, new Dictionary<string, Tensor> { [tensorName] = Tensor.FromSingle(x, shape) });
        return path;
    }

    private float[] RawMap(string input, string method, int target)
    {
        string output = PathOf($"{method}-{target}.safetensors");
        (int code, string stdout, string error) = Run("explain", input, "--weights", _weights, "--method", method, "--target", $"{target}", "--output", output);
        Assert.True(code == 0, error);
        Assert.Contains($"{method} map of class {target}", stdout);
        Tensor map = SafeTensors.Read(output)["map"];
        Assert.Equal(new[] { 3, 32, 32 }, map.GetShape());
        return map.ToSingle();
    }

    [Fact]
    public void Every_method_gives_the_librarys_map()
    {
        string input = WriteTensor("input.safetensors", "input", _x, 3, 32, 32);
        Assert.Equal(_net.Explain(BackwardRule.Saliency, _x, 1), RawMap(input, "saliency", 1));
        Assert.Equal(_net.Explain(BackwardRule.DeconvNet, _x, 2), RawMap(input, "deconvnet", 2));
        Assert.Equal(_net.Explain(BackwardRule.GuidedBackprop, _x, 3), RawMap(input, "guidedbackprop", 3));
        Assert.Equal(_net.IntegratedGradients(_x, 0), RawMap(input, "integrated-gradients", 0));
        Assert.Equal(_net.SmoothGrad(_x, 2), RawMap(input, "smoothgrad", 2));
    }

    [Fact]
    public void A_png_is_read_as_rgb_scaled_to_one()
    {
        string png = WritePng("input.png", _x);
        string tensor = WriteTensor("input.safetensors", "input", _x, 1, 3, 32, 32);
        Assert.Equal(RawMap(tensor, "guidedbackprop", 2), RawMap(png, "guidedbackprop", 2));
    }

    [Fact]
    public void The_default_output_is_a_heatmap_png_of_the_predicted_class()
    {
        string output = PathOf("map.png");
        (int code, string stdout, string error) = Run("explain", WritePng("in.png", _x), "--weights", _weights, "--output", output);
        Assert.True(code == 0, error);
        int predicted = CrossEntropy.ArgMax<float>(_net.Forward(_x));
        Assert.Contains($"prediction: {ShapesCnn.Classes[predicted]} (class {predicted}", stdout);
        Assert.Contains($"saliency map of class {predicted}", stdout);
        using Image<Rgb24> picture = Image.Load<Rgb24>(output);
        Assert.Equal((256, 256), (picture.Width, picture.Height));
    }

    [Fact]
    public void A_wrong_image_size_says_what_was_expected_and_what_came()
    {
        (int code, _, string error) = Run("explain", WritePng("small.png", new float[3 * 28 * 28], 28, 28), "--weights", _weights);
        Assert.Equal(2, code);
        Assert.Contains("28×28", error);
        Assert.Contains("expects 32×32 RGB", error);

        (code, _, error) = Run("explain", WriteTensor("wrong.safetensors", "input", new float[3 * 28 * 28], 3, 28, 28), "--weights", _weights);
        Assert.Equal(2, code);
        Assert.Contains("[3, 28, 28]; expected [3, 32, 32]", error);

        (code, _, error) = Run("explain", WriteTensor("named.safetensors", "image", _x, 3, 32, 32), "--weights", _weights);
        Assert.Equal(2, code);
        Assert.Contains("no tensor named 'input'", error);
        Assert.Contains("'image' [3, 32, 32]", error);
    }

    [Fact]
    public void Missing_files_are_usage_errors()
    {
        string png = WritePng("in.png", _x);
        (int code, _, string error) = Run("explain", PathOf("missing.png"), "--weights", _weights);
        Assert.Equal(2, code);
        Assert.Contains("no input file at", error);

        (code, _, error) = Run("explain", png, "--weights", PathOf("missing.safetensors"));
        Assert.Equal(2, code);
        Assert.Contains("no weights file at", error);

        (code, _, error) = Run("explain", png);
        Assert.Equal(2, code);
        Assert.Contains("--weights", error);

        Assert.Equal(2, Run("explain").Code);
    }

    [Fact]
    public void An_unknown_method_lists_the_valid_ones()
    {
        (int code, _, string error) = Run("explain", WritePng("in.png", _x), "--weights", _weights, "--method", "lrp");
        Assert.Equal(2, code);
        Assert.Contains("unknown method 'lrp'", error);
        Assert.Contains("saliency, deconvnet, guidedbackprop, integrated-gradients, smoothgrad", error);
    }

    [Fact]
    public void Other_usage_errors_exit_with_2()
    {
        string png = WritePng("in.png", _x);
        Assert.Equal(2, Run("explain", png, "--weights", _weights, "--target", "4").Code);
        Assert.Equal(2, Run("explain", png, "--weights", _weights, "--target", "two").Code);
        Assert.Equal(2, Run("explain", png, "--weights", _weights, "--colour", "red").Code);
        Assert.Equal(2, Run("explain", png, "--weights", _weights, "--steps", "0").Code);
        Assert.Equal(2, Run("explain", png, png, "--weights", _weights).Code);
        File.WriteAllText(PathOf("input.txt"), "not an image");
        Assert.Equal(2, Run("explain", PathOf("input.txt"), "--weights", _weights).Code);
    }

    [Fact]
    public void Weights_of_another_network_or_an_unreadable_image_exit_with_1()
    {
        string png = WritePng("in.png", _x);
        string other = PathOf("other.safetensors");
        ToyNet.FromTensors(Init.PyTorchDefault(ToyNet.ParameterShapes, 0)).Save(other);
        (int code, _, string error) = Run("explain", png, "--weights", other);
        Assert.Equal(1, code);
        Assert.Contains("do not fit the Shapes CNN", error);

        File.WriteAllText(PathOf("broken.png"), "not a png");
        (code, _, error) = Run("explain", PathOf("broken.png"), "--weights", _weights);
        Assert.Equal(1, code);
        Assert.Contains("cannot read", error);
    }

    [Fact]
    public void Help_lists_the_explain_command_and_import_still_works()
    {
        (int code, string output, _) = Run("--help");
        Assert.Equal(0, code);
        Assert.Contains("explain <input.png|input.safetensors> --weights", output);
        Assert.Contains("import <model.onnx>", output);
        (code, output, _) = Run("explain", "--help");
        Assert.Equal(0, code);
        Assert.Contains("integrated-gradients", output);
    }
}
