using System.Globalization;

namespace Relucent.Samples.Photographs;

/// <summary>The sample's command-line options; every one has a default, so no argument is needed.</summary>
public sealed class PhotographsOptions
{
    /// <summary>The pairs explained, one row each: the photograph, then the one whose embedding is the seed.</summary>
    public static IReadOnlyList<(string Photograph, string Other)> Pairs { get; } = new[]
    {
        ("astronaut", "rocket"), ("rocket", "astronaut"), ("chelsea", "coffee"), ("coffee", "chelsea"),
    };

    /// <summary>The folder for the picture.</summary>
    public string Output { get; private set; } = "photographs-output";

    /// <summary>Points of integrated gradients.</summary>
    public int Steps { get; private set; } = 32;

    /// <summary>Where to write the picture for the README (at half size), if anywhere.</summary>
    public string? ReadmeImage { get; private set; }

    /// <summary>Whether --help was asked for.</summary>
    public bool Help { get; private set; }

    /// <summary>The help text.</summary>
    public const string Usage = """
        Usage: dotnet run --project samples/Photographs -c Release [-- options]

        Loads the ImageNet-trained ResNet-18 of the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18
        (restored with this project), declared in ResNet18.cs as `explain import` wrote it, and explains which
        pixels make one photograph's 512 features similar to another's: the maps of f(y)ᵀ·f(x) under Saliency,
        DeconvNet, GuidedBackprop, integrated gradients and Grad-CAM (at ReLU393, the last block's output), for
        four pairs of the photographs in images/.

        Options:
          --output DIR          folder for photographs-grid.png (default: photographs-output)
          --steps N             points of integrated gradients (default: 32)
          --readme-image FILE   also write it there at half size (docs/images/photographs-grid.png)
          --help                this text
        """;

    /// <summary>Parses <paramref name="args"/>; returns null and writes the reason to <paramref name="error"/> on a usage error.</summary>
    public static PhotographsOptions? Parse(string[] args, TextWriter error)
    {
        var options = new PhotographsOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (name is "--help" or "-h")
            {
                options.Help = true;
                continue;
            }

            if (name is not ("--output" or "--steps" or "--readme-image"))
            {
                error.WriteLine($"photographs: unknown option '{name}'.\n\n{Usage}");
                return null;
            }

            if (i + 1 >= args.Length)
            {
                error.WriteLine($"photographs: {name} needs a value.");
                return null;
            }

            string value = args[++i];
            switch (name)
            {
                case "--output":
                    options.Output = value;
                    break;
                case "--readme-image":
                    options.ReadmeImage = value;
                    break;
                default:
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int steps) || steps < 1)
                    {
                        error.WriteLine($"photographs: --steps takes a positive whole number, not '{value}'.");
                        return null;
                    }

                    options.Steps = steps;
                    break;
            }
        }

        return options;
    }
}
