using System.Globalization;

namespace Relucent.Samples.Shapes
{
    /// <summary>The sample's command-line options; every one has a default, so no argument is needed.</summary>
    public sealed class ShapesOptions
    {
        /// <summary>The folder for weights and pictures.</summary>
        public string Output { get; private set; } = "shapes-output";

        /// <summary>The seed of the data, the initial weights and the shuffling.</summary>
        public int Seed { get; private set; } = 1;

        /// <summary>Training epochs.</summary>
        public int Epochs { get; private set; } = 6;

        /// <summary>Training images.</summary>
        public int TrainSize { get; private set; } = 8000;

        /// <summary>Test images (accuracy).</summary>
        public int TestSize { get; private set; } = 1000;

        /// <summary>Test images explained and measured.</summary>
        public int Measure { get; private set; } = 200;

        /// <summary>PNG grids written.</summary>
        public int Images { get; private set; } = 12;

        /// <summary>Images of the randomisation sanity check.</summary>
        public int SanityImages { get; private set; } = 8;

        /// <summary>Examples per mini-batch.</summary>
        public int BatchSize { get; private set; } = 32;

        /// <summary>Adam's learning rate.</summary>
        public double LearningRate { get; private set; } = 2e-3;

        /// <summary>Threads (0: one per core).</summary>
        public int Workers { get; private set; }

        /// <summary>Where to write the README picture, if anywhere.</summary>
        public string? ReadmeImage { get; private set; }

        /// <summary>Whether --help was asked for.</summary>
        public bool Help { get; private set; }

        /// <summary>The help text.</summary>
        public const string Usage = """
            Usage: dotnet run --project samples/Shapes -c Release [-- options]

            Trains a small CNN (declared in ShapesCnn.cs) on synthetic 3×32×32 images of circles, squares,
            triangles and crosses, then explains test images with Saliency, DeconvNet, GuidedBackprop,
            integrated gradients, SmoothGrad, Grad-CAM and Guided Grad-CAM: one PNG grid per image and a
            table of metrics per method.

            Options:
              --output DIR          folder for the weights and pictures (default: shapes-output)
              --seed N              seed of the data, initial weights and shuffling (default: 1)
              --epochs N            training epochs (default: 6)
              --train-size N        training images (default: 8000)
              --test-size N         test images for the accuracy (default: 1000)
              --measure N           test images explained and measured (default: 200)
              --images N            PNG grids written, one per test image (default: 12)
              --sanity-images N     images of the model-randomisation check (default: 8)
              --batch-size N        examples per mini-batch (default: 32)
              --lr X                Adam's learning rate (default: 0.002)
              --workers N           threads (default: one per core); results do not depend on it
              --readme-image FILE   also write a representative grid there (docs/images/shapes-grid.png)
              --help                this text

            Each grid row: the input, then |map| (maximum over channels, clipped at its 99th percentile for
            display) of Saliency, DeconvNet, GuidedBackprop, integrated gradients, SmoothGrad, Grad-CAM
            (at relu3, its positive part enlarged bilinearly) and Guided Grad-CAM for the labelled class. An
            image with a distractor has a second row: the masks (labelled object white, distractor orange),
            then the same seven maps for the distractor's class.
            """;

        /// <summary>Parses <paramref name="args"/>; returns null and writes the reason to <paramref name="error"/> on a usage error.</summary>
        public static ShapesOptions? Parse(string[] args, TextWriter error)
        {
            var options = new ShapesOptions();
            for (int i = 0; i < args.Length; i++)
            {
                string arg = args[i];
                if (arg is "--help" or "-h" or "help")
                {
                    options.Help = true;
                    return options;
                }

                if (!arg.StartsWith("--", StringComparison.Ordinal))
                {
                    error.WriteLine($"shapes: unexpected argument '{arg}'. Run with --help for the options.");
                    return null;
                }

                string option = arg, value;
                int equals = arg.IndexOf('=', StringComparison.Ordinal);
                if (equals > 0)
                {
                    option = arg[..equals];
                    value = arg[(equals + 1)..];
                }
                else if (i + 1 < args.Length)
                {
                    value = args[++i];
                }
                else
                {
                    error.WriteLine($"shapes: the option {arg} needs a value.");
                    return null;
                }

                bool ok = true;
                switch (option)
                {
                    case "--output": options.Output = value; break;
                    case "--readme-image": options.ReadmeImage = value; break;
                    case "--seed": ok = Int(value, int.MinValue, out int seed); options.Seed = seed; break;
                    case "--epochs": ok = Int(value, 1, out int epochs); options.Epochs = epochs; break;
                    case "--train-size": ok = Int(value, 1, out int train); options.TrainSize = train; break;
                    case "--test-size": ok = Int(value, 1, out int test); options.TestSize = test; break;
                    case "--measure": ok = Int(value, 1, out int measure); options.Measure = measure; break;
                    case "--images": ok = Int(value, 0, out int images); options.Images = images; break;
                    case "--sanity-images": ok = Int(value, 1, out int sanity); options.SanityImages = sanity; break;
                    case "--batch-size": ok = Int(value, 1, out int batch); options.BatchSize = batch; break;
                    case "--workers": ok = Int(value, 0, out int workers); options.Workers = workers; break;
                    case "--lr":
                        ok = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double lr) && lr > 0 && double.IsFinite(lr);
                        options.LearningRate = lr;
                        break;
                    default:
                        error.WriteLine($"shapes: unknown option '{option}'. Run with --help for the options.");
                        return null;
                }

                if (!ok)
                {
                    error.WriteLine($"shapes: '{value}' is not a valid value for {option}. Run with --help for the options.");
                    return null;
                }
            }

            options.Measure = Math.Min(options.Measure, options.TestSize);
            options.Images = Math.Min(options.Images, options.Measure);
            options.SanityImages = Math.Min(options.SanityImages, options.Measure);
            return options;
        }

        private static bool Int(string value, int minimum, out int result) =>
            int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out result) && result >= minimum;
    }
}
