using System.Globalization;
using Relucent.Attribution;
using Relucent.Imaging;
using Relucent.Samples.Shapes;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Relucent.Explain
{
    /// <summary>
    /// <c>explain explain &lt;input&gt; --weights W [--method M] [--target N] [--output map.png]</c>: one map of one 3×32×32
    /// image with the Shapes sample's CNN (<see cref="ShapesCnn"/>, the same declaration samples/Shapes trains).
    /// </summary>
    public static class ExplainCommand
    {
        /// <summary>The methods, as named on the command line.</summary>
        public static IReadOnlyList<string> Methods => ShapesMethods.Names;

        private const string Usage = """
            Usage: explain explain <input.png|input.safetensors> --weights <shapes-cnn.safetensors> [options]

            Explains one image with the Shapes sample's CNN (3×32×32 RGB → circle, square, triangle, cross),
            whose weights samples/Shapes saves (shapes-output/shapes-cnn.safetensors).
              <input.png>             a 32×32 RGB image (other PNG colour types are converted), scaled to [0, 1]
              <input.safetensors>     a tensor named 'input' of shape [3, 32, 32] (C·H·W, as the network reads it)
              --weights FILE          the network's weights (safetensors, PyTorch names); required
              --method M              saliency (default), deconvnet, guidedbackprop, integrated-gradients, smoothgrad
              --target N              the class explained, 0..3 (default: the predicted class)
              --output FILE           map.png (default): |map| maximum over channels as a heatmap, 8× enlarged;
                                      FILE.safetensors: the raw signed map, a tensor 'map' [3, 32, 32]
              --steps N               integrated gradients: steps (50, Gauss–Legendre, zero baseline)
              --samples N             smoothgrad: noisy samples (50, σ = 15% of the input's range, seed 0)
            """;

        /// <summary>Runs the command; returns the exit code (0 done, 1 unreadable weights or image, 2 usage error).</summary>
        public static int Run(string[] args, TextWriter output, TextWriter error)
        {
            const string Command = "explain";
            var line = CommandLine.Parse(args);
            if (line.Help)
            {
                output.Write(Usage.ReplaceLineEndings("\n") + "\n");
                return 0;
            }
            if (line.Error != null) return UsageError(error, line.Error);
            ExplainOptions? options = ExplainOptions.Parse(line, Command, ["--weights", "--method", "--target", "--output", "--steps", "--samples"], error);
            if (options == null) return 2;
            if (line.Positional.Count > 1) return UsageError(error, $"one input at a time; got '{line.Positional[0]}' and '{line.Positional[1]}'.");
            if (line.Positional.Count == 0) return UsageError(error, "give the input: explain explain <input.png|input.safetensors> --weights <file.safetensors> [--method M].");

            string input = line.Positional[0];
            float[]? x = ShapesInput.Read(input, Command, error, out int code);
            if (x == null) return code;
            ShapesCnn? net = ShapesInput.LoadNetwork(options.Weights!, Command, error, out code);
            if (net == null) return code;

            float[] logits = net.Forward(x);
            int predicted = Training.CrossEntropy.ArgMax<float>(logits);
            var probabilities = new float[logits.Length];
            Training.CrossEntropy.Softmax<float>(logits, probabilities);
            int explained = options.Target ?? predicted;
            float[] map = ShapesMethods.Map(net, options.Method, x, explained, options.Steps, options.Samples);

            string outputPath = options.Output ?? "map.png";
            if (Path.GetExtension(outputPath).Equals(".safetensors", StringComparison.OrdinalIgnoreCase))
            {
                SafeTensors.Write(outputPath, new Dictionary<string, Tensor> { ["map"] = Tensor.FromSingle(map, 3, 32, 32) });
            }
            else
            {
                float[] plane = map.Abs().ReduceChannels(ChannelReduction.Max, ShapesCnn.Architecture.InputShape);
                using Image<Rgb24> picture = Heatmap.Render<float>(plane, 32, 32, new HeatmapOptions { PixelSize = 8 });
                Heatmap.SavePng(picture, outputPath);
            }

            var culture = CultureInfo.InvariantCulture;
            output.WriteLine($"prediction: {ShapesCnn.Classes[predicted]} (class {predicted}, p = {probabilities[predicted].ToString("F3", culture)})");
            output.WriteLine("logits: " + string.Join(", ", ShapesCnn.Classes.Select((c, k) => $"{c} {logits[k].ToString("F3", culture)}")));
            output.WriteLine($"{options.Method} map of class {explained} ({ShapesCnn.Classes[explained]}) written to {outputPath}");
            return 0;
        }

        private static int UsageError(TextWriter error, string message)
        {
            error.WriteLine($"explain: {message}");
            return 2;
        }
    }
}
