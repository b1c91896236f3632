using System.Diagnostics;
using System.Globalization;
using Relucent.Attribution;
using Relucent.Imaging;

namespace Relucent.Samples.TorchVision;

/// <summary>
/// The sample's command line: the models, one model's architecture, or a torchvision state_dict loaded and explained
/// on a photograph (its top classes, and a PNG of the picture beside its Saliency, DeconvNet and GuidedBackprop maps).
/// </summary>
public static class TorchVisionCommand
{
    private const string Usage = """
        usage: torchvision-models                                    the models, with the values in their state_dicts
               torchvision-models MODEL                              MODEL's architecture, layer by layer
               torchvision-models MODEL STATE_DICT [IMAGE [OUT.png]] loads torchvision's state_dict of MODEL (saved with
                                                                     safetensors.torch.save_file), classifies IMAGE (a grey
                                                                     image without one) and writes its maps to OUT.png
                                                                     (MODEL-maps.png by default)
        """;

    /// <summary>Runs the command; returns the process exit code (0, or 2 for a usage error).</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output)
    {
        if (args.Count == 0)
        {
            foreach (TorchVisionModel m in TorchVisionModels.All)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{m.Name,-14}{m.Architecture.ParameterCount,13:N0} values (weights and BatchNorm statistics)"));
            }
            return 0;
        }
        if (args.Count > 4 || args[0] is "-h" or "--help" or "help" || TorchVisionModels.All.All(m => m.Name != args[0]))
        {
            output.WriteLine(args.Count > 0 && args[0] is not ("-h" or "--help" or "help") && TorchVisionModels.All.All(m => m.Name != args[0])
                ? $"no model '{args[0]}'; the models are {string.Join(", ", TorchVisionModels.All.Select(m => m.Name))}"
                : "");
            output.WriteLine(Usage);
            return 2;
        }
        TorchVisionModel model = TorchVisionModels.Get(args[0]);
        if (args.Count == 1)
        {
            output.WriteLine(model.Architecture);
            return 0;
        }
        Explain(model, args[1], args.Count > 2 ? args[2] : null, args.Count > 3 ? args[3] : $"{model.Name}-maps.png", output);
        return 0;
    }

    private static void Explain(TorchVisionModel model, string stateDict, string? image, string picturePath, TextWriter output)
    {
        var clock = Stopwatch.StartNew();
        IExplainer<float> net = model.Single(SafeTensors.Read(stateDict));
        output.WriteLine($"{model.Name}: loaded {stateDict} in {clock.ElapsedMilliseconds} ms");

        float[] input = image == null ? ImageNetInput.Grey() : ImageNetInput.FromFile(image);
        IWorkspace workspace = net.CreateWorkspace();
        var logits = new float[net.OutputSize];
        net.Forward(input, logits, workspace);
        int[] top = Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).Take(5).ToArray();
        output.WriteLine("top classes (ImageNet index: logit): "
            + string.Join(", ", top.Select(i => string.Create(CultureInfo.InvariantCulture, $"{i}: {logits[i]:F2}"))));

        var seed = new float[net.OutputSize];
        seed[top[0]] = 1;
        var shape = Model.Shape.Image(3, 224, 224);
        var pictures = new List<SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24>> { Heatmap.Picture<float>(input, shape) };
        foreach (BackwardRule rule in net.Rules)
        {
            var map = new float[net.InputSize];
            clock.Restart();
            net.Explain(rule, input, seed, map, workspace);
            output.WriteLine($"{rule} of class {top[0]}: {clock.Elapsed.TotalMilliseconds:F0} ms");
            pictures.Add(Heatmap.Render<float>(map.Abs().ReduceChannels(ChannelReduction.Max, shape), 224, 224));
        }
        using var grid = Heatmap.Grid(pictures);
        Heatmap.SavePng(grid, picturePath);
        output.WriteLine($"wrote {picturePath}: the picture, then {string.Join(", ", net.Rules)} (|map|, largest over the channels)");
    }
}
