using System.Globalization;
using Relucent.Attribution;
using Relucent.Imaging;
using Relucent.Metrics;
using Relucent.Samples.Shapes;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Relucent.Explain
{
    /// <summary>
    /// <c>explain report &lt;input&gt;... --weights W [--output report.html]</c>: every method's map of each 3×32×32 image
    /// with the Shapes sample's CNN, in one self-contained HTML file (<see cref="HtmlReport"/>): per input the picture,
    /// the prediction, and each method's map titled with its name and captioned with its deletion and insertion AUC.
    /// </summary>
    public static class ReportCommand
    {
        private const string Command = "explain report";

        // Deletion and insertion as the Shapes sample measures them: 16 pixels a step, to or from the image's mean
        // colour, reading the softmax probability of the explained class.
        private static readonly PerturbationOptions s_curve = new() { PixelsPerStep = 16, Score = CurveScore.Softmax };

        private const string Usage = """
            Usage: explain report <input.png|input.safetensors>... --weights <shapes-cnn.safetensors> [options]

            Explains each image with every method (saliency, deconvnet, guidedbackprop, integrated-gradients,
            smoothgrad) with the Shapes sample's CNN, and writes one self-contained HTML file: per image the input,
            the prediction, and each method's map titled with its name, with its deletion and insertion AUC.
              <input.png>             a 32×32 RGB image, scaled to [0, 1]
              <input.safetensors>     a tensor named 'input' of shape [3, 32, 32]
              --weights FILE          the network's weights (samples/Shapes writes shapes-cnn.safetensors); required
              --output FILE           the HTML file (default: report.html)
              --target N              the class explained, 0..3 (default: each image's predicted class)
              --steps N               integrated gradients: steps (50, Gauss–Legendre, zero baseline)
              --samples N             smoothgrad: noisy samples (50, σ = 15% of the input's range, seed 0)
            """;

        /// <summary>Runs the command; returns the exit code (0 done, 1 unreadable weights or image, 2 usage error).</summary>
        public static int Run(string[] args, TextWriter output, TextWriter error)
        {
            var line = CommandLine.Parse(args);
            if (line.Help)
            {
                output.Write(Usage.ReplaceLineEndings("\n") + "\n");
                return 0;
            }
            if (line.Error != null)
            {
                error.WriteLine($"{Command}: {line.Error}");
                return 2;
            }
            ExplainOptions? options = ExplainOptions.Parse(line, Command, ["--weights", "--output", "--target", "--steps", "--samples"], error);
            if (options == null) return 2;
            if (line.Positional.Count == 0)
            {
                error.WriteLine($"{Command}: give one or more inputs: explain report <input.png|input.safetensors>... --weights <file.safetensors>.");
                return 2;
            }

            var inputs = new List<(string Path, float[] X)>();
            foreach (string path in line.Positional)
            {
                float[]? x = ShapesInput.Read(path, Command, error, out int code);
                if (x == null) return code;
                inputs.Add((path, x));
            }

            ShapesCnn? net = ShapesInput.LoadNetwork(options.Weights!, Command, error, out int loaded);
            if (net == null) return loaded;

            string outputPath = options.Output ?? "report.html";
            HtmlReport report = Build(net, inputs, options);
            report.Save(outputPath);
            output.WriteLine($"report of {inputs.Count} input(s), {ShapesMethods.Names.Count} methods each, written to {outputPath}");
            return 0;
        }

        private static HtmlReport Build(ShapesCnn net, List<(string Path, float[] X)> inputs, ExplainOptions options)
        {
            var culture = CultureInfo.InvariantCulture;
            var report = new HtmlReport("Relucent · explain report");
            report.Notes.Add($"The Shapes sample's CNN (3×32×32 RGB → {string.Join(", ", ShapesCnn.Classes)}) with the weights {Path.GetFullPath(options.Weights!)}; "
                + $"{inputs.Count} input(s), each explained for {(options.Target is { } t ? $"class {t} ({ShapesCnn.Classes[t]})" : "its predicted class")}.");
            report.Notes.Add("Each map is |map|, maximum over channels, clipped at its 99th percentile for display (black: none, white: the most). "
                + $"Integrated gradients: zero baseline, {options.Steps} Gauss–Legendre steps; SmoothGrad: {options.Samples} samples, σ = 15% of the input's range, seed 0.");
            report.Notes.Add($"Deletion AUC (lower is better): the area under the softmax probability of the explained class while pixels, most attributed first and {s_curve.PixelsPerStep} at a time, "
                + "are replaced by the image's mean colour. Insertion AUC (higher is better): the same, putting the pixels back into the mean-colour image.");

            var sums = new double[ShapesMethods.Names.Count, 2];
            foreach ((string path, float[] x) in inputs)
            {
                float[] logits = net.Forward(x);
                var probabilities = new float[logits.Length];
                Training.CrossEntropy.Softmax<float>(logits, probabilities);
                int predicted = Training.CrossEntropy.ArgMax<float>(logits);
                int explained = options.Target ?? predicted;

                var example = new ReportExample(Path.GetFileName(path));
                example.Facts.Add(("file", Path.GetFullPath(path)));
                example.Facts.Add(("prediction", $"{ShapesCnn.Classes[predicted]} (class {predicted}), p = {probabilities[predicted].ToString("F3", culture)}"));
                example.Facts.Add(("explained", $"{ShapesCnn.Classes[explained]} (class {explained}), p = {probabilities[explained].ToString("F3", culture)}"));
                example.Facts.Add(("logits", string.Join(", ", ShapesCnn.Classes.Select((c, k) => $"{c} {logits[k].ToString("F3", culture)}"))));
                using (Image<Rgb24> picture = Heatmap.Picture<float>(x, ShapesCnn.Architecture.InputShape))
                {
                    example.Figures.Add(ReportFigure.Of("input", picture));
                }

                float[] baseline = MeanColour.Of(x);
                for (int m = 0; m < ShapesMethods.Names.Count; m++)
                {
                    string method = ShapesMethods.Names[m];
                    float[] map = ShapesMethods.Map(net, method, x, explained, options.Steps, options.Samples)
                        .Abs().ReduceChannels(ChannelReduction.Max, ShapesCnn.Architecture.InputShape);
                    double deletion = Faithfulness.Deletion<float>(net, x, baseline, explained, map, s_curve).Area;
                    double insertion = Faithfulness.Insertion<float>(net, x, baseline, explained, map, s_curve).Area;
                    sums[m, 0] += deletion;
                    sums[m, 1] += insertion;
                    using Image<Rgb24> picture = Heatmap.Render<float>(map.ClipPercentiles(0, 99), 32, 32, new HeatmapOptions { Scale = HeatmapScale.Sequential });
                    example.Figures.Add(ReportFigure.Of(ShapesMethods.Title(method), picture,
                        $"deletion AUC {deletion.ToString("F3", culture)} ↓ · insertion AUC {insertion.ToString("F3", culture)} ↑"));
                }

                report.Examples.Add(example);
            }

            report.Tables.Insert(0, new ReportTable(
                $"Mean over {inputs.Count} input(s)",
                ["method", "deletion AUC ↓", "insertion AUC ↑"],
                ShapesMethods.Names.Select((method, m) => (IReadOnlyList<string>)[ShapesMethods.Title(method), (sums[m, 0] / inputs.Count).ToString("F3", culture), (sums[m, 1] / inputs.Count).ToString("F3", culture)]).ToList()));
            return report;
        }
    }
}
