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
        public static IReadOnlyList<string> Methods { get; } = ["saliency", "deconvnet", "guidedbackprop", "integrated-gradients", "smoothgrad"];

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
            string? input = null, weights = null, method = "saliency", outputPath = "map.png";
            int? target = null;
            int steps = 50, samples = 50;
            var line = CommandLine.Parse(args);
            if (line.Help)
            {
                output.Write(Usage.ReplaceLineEndings("\n") + "\n");
                return 0;
            }
            if (line.Error != null) return UsageError(error, line.Error);
            foreach ((string option, string value) in line.Options)
            {
                switch (option)
                {
                    case "--method": method = value; break;
                    case "--weights": weights = value; break;
                    case "--output": outputPath = value; break;
                    case "--target":
                        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int t) || t < 0 || t >= ShapesCnn.OutputSize)
                        {
                            return UsageError(error, $"--target is a class index 0..{ShapesCnn.OutputSize - 1} ({string.Join(", ", ShapesCnn.Classes.Select((c, k) => $"{k} {c}"))}); got '{value}'.");
                        }

                        target = t;
                        break;
                    case "--steps":
                        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out steps) || steps < 1) return UsageError(error, $"--steps is a whole number, 1 or more; got '{value}'.");
                        break;
                    case "--samples":
                        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out samples) || samples < 1) return UsageError(error, $"--samples is a whole number, 1 or more; got '{value}'.");
                        break;
                    default:
                        return UsageError(error, $"unknown option '{option}'; explain takes --weights, --method, --target, --output, --steps and --samples.");
                }
            }
            if (line.Positional.Count > 1) return UsageError(error, $"one input at a time; got '{line.Positional[0]}' and '{line.Positional[1]}'.");
            input = line.Positional.FirstOrDefault();

            if (input == null) return UsageError(error, "give the input: explain explain <input.png|input.safetensors> --weights <file.safetensors> [--method M].");
            if (!Methods.Contains(method)) return UsageError(error, $"unknown method '{method}'; the methods are {string.Join(", ", Methods)}.");
            if (weights == null) return UsageError(error, "give the network's weights: --weights shapes-cnn.safetensors (samples/Shapes writes them).");
            if (!File.Exists(input)) return UsageError(error, $"no input file at '{input}'.");
            if (!File.Exists(weights)) return UsageError(error, $"no weights file at '{weights}'.");
            string extension = Path.GetExtension(input).ToLowerInvariant();
            if (extension is not (".png" or ".safetensors")) return UsageError(error, $"the input is a .png image or a .safetensors tensor; got '{input}'.");

            float[] x;
            try
            {
                (x, string? problem) = extension == ".png" ? ReadPng(input) : ReadTensor(input);
                if (problem != null) return UsageError(error, problem);
            }
            catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException or SafeTensorsFormatException or IOException or NotSupportedException)
            {
                error.WriteLine($"explain: cannot read '{input}': {e.Message}");
                return 1;
            }

            if (!x.All(float.IsFinite)) return UsageError(error, $"'{input}' holds a NaN or an infinity.");

            ShapesCnn net;
            try
            {
                net = ShapesCnn.Load(weights);
            }
            catch (Exception e) when (e is ParameterBindingException or SafeTensorsFormatException or IOException)
            {
                error.WriteLine($"explain: the weights in '{weights}' do not fit the Shapes CNN: {e.Message}");
                return 1;
            }

            float[] logits = net.Forward(x);
            int predicted = Training.CrossEntropy.ArgMax<float>(logits);
            var probabilities = new float[logits.Length];
            Training.CrossEntropy.Softmax<float>(logits, probabilities);
            int explained = target ?? predicted;
            float[] map = method switch
            {
                "saliency" => net.Explain(BackwardRule.Saliency, x, explained),
                "deconvnet" => net.Explain(BackwardRule.DeconvNet, x, explained),
                "guidedbackprop" => net.Explain(BackwardRule.GuidedBackprop, x, explained),
                "integrated-gradients" => net.IntegratedGradients(x, explained, steps: steps),
                _ => net.SmoothGrad(x, explained, samples: samples),
            };

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
            output.WriteLine($"{method} map of class {explained} ({ShapesCnn.Classes[explained]}) written to {outputPath}");
            return 0;
        }

        // The PNG as 3×32×32 values in [0, 1], or the reason it is not one.
        private static (float[] Values, string? Problem) ReadPng(string path)
        {
            // The size from the header first: a 30000×30000 PNG of a few kilobytes would otherwise be decoded (2.7 GB) before it is refused.
            IImageInfo? info = Image.Identify(path) ?? throw new UnknownImageFormatException($"'{path}' is not an image ImageSharp recognises.");
            if (info.Width != 32 || info.Height != 32)
            {
                return ([], $"'{path}' is {info.Width}×{info.Height} pixels; the network expects 32×32 RGB images (3×32×32).");
            }

            using Image<Rgb24> image = Image.Load<Rgb24>(path);
            if (image.Width != 32 || image.Height != 32)
            {
                return ([], $"'{path}' is {image.Width}×{image.Height} pixels; the network expects 32×32 RGB images (3×32×32).");
            }

            var pixels = new Rgb24[32 * 32];
            image.CopyPixelDataTo(pixels);
            var x = new float[3 * 32 * 32];
            for (int p = 0; p < pixels.Length; p++)
            {
                x[p] = pixels[p].R / 255f;
                x[1024 + p] = pixels[p].G / 255f;
                x[2048 + p] = pixels[p].B / 255f;
            }

            return (x, null);
        }

        // The tensor 'input' [3, 32, 32] (or [1, 3, 32, 32]), or the reason there is none.
        private static (float[] Values, string? Problem) ReadTensor(string path)
        {
            SafeTensorsFile file = SafeTensors.Read(path);
            if (!file.TryGetValue("input", out Tensor? tensor))
            {
                string held = file.Count == 0 ? "no tensors" : string.Join(", ", file.Select(t => $"'{t.Key}' {Tensor.FormatShape(t.Value.Shape)}"));
                return ([], $"'{path}' has no tensor named 'input' (expected [3, 32, 32]); it holds {held}.");
            }

            int[] shape = tensor.GetShape();
            bool fits = shape.SequenceEqual([3, 32, 32]) || shape.SequenceEqual([1, 3, 32, 32]);
            if (!fits) return ([], $"the tensor 'input' in '{path}' has shape {Tensor.FormatShape(shape)}; expected [3, 32, 32].");
            if (tensor.DType is DType.I32 or DType.I64) return ([], $"the tensor 'input' in '{path}' is {tensor.DType}; expected floating-point values.");
            return (tensor.ToSingle(), null);
        }

        private static int UsageError(TextWriter error, string message)
        {
            error.WriteLine($"explain: {message}");
            return 2;
        }
    }
}
