using System.Diagnostics;
using System.Globalization;
using Relucent.Attribution;
using Relucent.Imaging;
using Relucent.Metrics;
using Relucent.Training;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Spectre.Console;

namespace Relucent.Samples.Shapes
{
    /// <summary>
    /// The sample: make the data, train <see cref="ShapesCnn"/> in Relucent, save its weights, explain test images with
    /// every method, and report pictures and numbers.
    /// </summary>
    public static class ShapesApp
    {
        /// <summary>An attribution method of the comparison: its name, how to build it, and the rule it integrates.</summary>
        private sealed record Method(string Name, BackwardRule Rule, Func<IExplainer<float>, IAttribution<float>> Create);

        private static readonly Method[] s_methods =
        {
            new("Saliency", BackwardRule.Saliency, n => new RuleMap<float>(n, BackwardRule.Saliency)),
            new("DeconvNet", BackwardRule.DeconvNet, n => new RuleMap<float>(n, BackwardRule.DeconvNet)),
            new("GuidedBackprop", BackwardRule.GuidedBackprop, n => new RuleMap<float>(n, BackwardRule.GuidedBackprop)),
            new("IntegratedGradients", BackwardRule.Saliency, n => new IntegratedGradients<float>(n)),
            new("SmoothGrad", BackwardRule.Saliency, n => new SmoothGrad<float>(n)),
        };

        // Deletion: pixels replaced 16 at a time by the image's mean colour; the curve reads the softmax probability.
        private const int DeletionPixelsPerStep = 16;

        // Pictures: each map value becomes a 4×4 square.
        private const int PixelSize = 4;

        /// <summary>The maps and numbers of one measured test image.</summary>
        private sealed class Measured
        {
            public required ShapeImage Image { get; init; }
            public required int Index { get; init; }
            public required int Predicted { get; init; }
            public required float[][] LabelMaps { get; init; }
            public float[][]? DistractorMaps { get; init; }
            public required double[] Deletion { get; init; }
            public required float[] RandomMap { get; init; }
            public required double RandomDeletion { get; init; }
        }

        /// <summary>Runs the sample; returns the exit code (0 done, 2 usage error).</summary>
        public static int Run(string[] args)
        {
            ShapesOptions? options = ShapesOptions.Parse(args, Console.Error);
            if (options is null) return 2;
            if (options.Help)
            {
                Console.Write(ShapesOptions.Usage.ReplaceLineEndings("\n") + "\n");
                return 0;
            }

            var total = Stopwatch.StartNew();
            string output = Path.GetFullPath(options.Output);
            Directory.CreateDirectory(output);
            int workers = options.Workers == 0 ? Environment.ProcessorCount : options.Workers;
            AnsiConsole.MarkupLine($"[bold]Relucent · Shapes[/]  output folder: [blue]{Markup.Escape(output)}[/]");

            // 1. Data: deterministic, from the seed.
            ShapeImage[] train = ShapesDataset.Generate(options.TrainSize, options.Seed);
            ShapeImage[] test = ShapesDataset.Generate(options.TestSize, unchecked(options.Seed * 7919 + 104729));
            (float[] trainX, int[] trainY) = ShapesDataset.Stack(train);
            (float[] testX, int[] testY) = ShapesDataset.Stack(test);
            AnsiConsole.MarkupLine(
                $"Data: {train.Length} training and {test.Length} test images, 3×32×32, classes {string.Join(", ", ShapesCnn.Classes)}; " +
                $"{Percent(train.Count(i => i.HasDistractor), train.Length)} with a smaller distractor of another class.");

            // 2. Train.
            // Kaiming-uniform for ReLU (a = 0) rather than PyTorch's default (a = √5): with the default, this network sits at
            // chance for several epochs before it starts to learn; with the ReLU gain it learns from the first epoch.
            ShapesCnn net = ShapesCnn.FromTensors(Init.KaimingUniform(ShapesCnn.ParameterShapes, options.Seed));
            var adam = new Adam<float>(net, options.LearningRate);
            var trainer = new Trainer<float>(net, adam, new TrainerOptions { BatchSize = options.BatchSize, Workers = workers, Seed = options.Seed });
            AnsiConsole.MarkupLine(
                $"Training {ShapesCnn.ParameterShapes.Sum(p => p.ElementCount):N0} parameters (Kaiming-uniform start): Adam (lr {options.LearningRate.ToString(CultureInfo.InvariantCulture)}, cosine decay), " +
                $"batches of {options.BatchSize}, {trainer.Workers} worker(s), {options.Epochs} epochs.");
            var epochs = new List<(EpochResult Train, Evaluation Test)>();
            var trainClock = Stopwatch.StartNew();
            AnsiConsole.Progress()
                .AutoClear(false)
                .HideCompleted(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(context =>
                {
                    ProgressTask? task = null;
                    for (int e = 0; e < options.Epochs; e++)
                    {
                        adam.LearningRate = options.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * e / options.Epochs));
                        task = context.AddTask($"epoch {e + 1}/{options.Epochs}", maxValue: 1);
                        ProgressTask current = task;
                        EpochResult result = trainer.TrainEpoch(trainX, trainY, p =>
                        {
                            current.MaxValue = p.Batches;
                            current.Value = p.Batch;
                            current.Description = $"epoch {p.Epoch}/{options.Epochs}  loss {p.Loss:F3}  accuracy {p.Accuracy:P1}";
                        });
                        Evaluation evaluation = Trainer.Evaluate(net, testX, testY, workers);
                        epochs.Add((result, evaluation));
                        current.Description = $"epoch {result.Epoch}/{options.Epochs}  loss {result.Loss:F3}  accuracy {result.Accuracy:P1}  test {evaluation.Accuracy:P1}";
                        current.StopTask();
                    }
                });
            TimeSpan trainingTime = trainClock.Elapsed;
            Evaluation final = epochs[^1].Test;

            var epochTable = new Table().Title("Training").AddColumns("epoch", "loss", "train accuracy", "test loss", "test accuracy", "time");
            foreach ((EpochResult r, Evaluation t) in epochs)
            {
                epochTable.AddRow($"{r.Epoch}", $"{r.Loss:F4}", $"{r.Accuracy:P1}", $"{t.Loss:F4}", $"{t.Accuracy:P1}", $"{r.Elapsed.TotalSeconds:F1} s");
            }

            AnsiConsole.Write(epochTable);
            AnsiConsole.MarkupLine(
                $"Trained in [bold]{trainingTime.TotalSeconds:F1} s[/]; test accuracy [bold]{final.Accuracy:P1}[/] on {test.Length} images " +
                $"({Percent(Correct(test, final, i => i.HasDistractor), test.Count(i => i.HasDistractor))} of those with a distractor).");
            string weights = Path.Combine(output, "shapes-cnn.safetensors");
            net.Save(weights);
            AnsiConsole.MarkupLine($"Weights: [blue]{Markup.Escape(weights)}[/] (explain one image: [grey]dotnet run --project samples/Explain -c Release -- explain image.png --weights {Markup.Escape(weights)}[/])");

            // 3. Explain the first test images with every method, and measure.
            var explainClock = Stopwatch.StartNew();
            Measured[] measured = Measure(net, test, final, options.Measure, workers, options.Seed);
            ModelRandomisationResult[] sanity = Sanity(net, test, options.SanityImages, workers, options.Seed);
            TimeSpan explainTime = explainClock.Elapsed;
            WriteTables(measured, sanity, options.SanityImages);

            // 4. Pictures.
            for (int i = 0; i < options.Images; i++)
            {
                Measured m = measured[i];
                string file = Path.Combine(output, $"test-{m.Index:000}-{ShapesCnn.Classes[m.Image.Label]}{(m.Image.HasDistractor ? "-distractor-" + ShapesCnn.Classes[m.Image.Distractor] : "")}.png");
                List<Image<Rgb24>> rows = Rows(m);
                using Image<Rgb24> grid = Heatmap.Grid(rows, columns: s_methods.Length + 1, spacing: 2);
                Heatmap.SavePng(grid, file);
                rows.ForEach(picture => picture.Dispose());
            }

            if (options.Images > 0)
            {
                AnsiConsole.MarkupLine(
                    $"Pictures: {options.Images} grids in [blue]{Markup.Escape(output)}[/]; each row is the input, then |map| (max over channels) of " +
                    $"{string.Join(", ", s_methods.Select(m => m.Name))}; an image with a distractor has a second row: the masks, then the maps of the distractor's class.");
            }

            if (options.ReadmeImage is { } readme)
            {
                string path = Path.GetFullPath(readme);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                using Image<Rgb24> grid = ReadmeGrid(measured);
                Heatmap.SavePng(grid, path);
                AnsiConsole.MarkupLine($"README picture: [blue]{Markup.Escape(path)}[/]");
            }

            AnsiConsole.MarkupLine(
                $"Done in [bold]{total.Elapsed.TotalSeconds:F1} s[/] (training {trainingTime.TotalSeconds:F1} s, explaining and measuring {explainTime.TotalSeconds:F1} s).");
            return 0;
        }

        private static int Correct(ShapeImage[] images, Evaluation evaluation, Func<ShapeImage, bool> which)
        {
            int correct = 0;
            for (int i = 0; i < images.Length; i++)
            {
                if (which(images[i]) && evaluation.Predictions[i] == images[i].Label) correct++;
            }

            return correct;
        }

        private static string Percent(int part, int whole) => whole == 0 ? "–" : $"{(double)part / whole:P1}";

        // Maps of every method for the first 'count' test images (the labelled class, and the distractor's class if any),
        // and their deletion curves. Fixed slices per worker: the result does not depend on the number of workers.
        private static Measured[] Measure(ShapesCnn net, ShapeImage[] test, Evaluation evaluation, int count, int workers, int seed)
        {
            var results = new Measured[count];
            var shape = ShapesCnn.Architecture.InputShape;
            var deletion = new PerturbationOptions { PixelsPerStep = DeletionPixelsPerStep, Score = CurveScore.Softmax };
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
            {
                IAttribution<float>[] methods = s_methods.Select(m => m.Create(net)).ToArray();
                for (int i = w * count / workers, end = (w + 1) * count / workers; i < end; i++)
                {
                    ShapeImage image = test[i];
                    float[] x = image.Pixels;
                    float[] baseline = MeanColour(x);
                    float[][] label = methods.Select(m => PixelMap(m.Attribute(x, image.Label), shape)).ToArray();
                    float[][]? distractor = image.HasDistractor
                        ? methods.Select(m => PixelMap(m.Attribute(x, image.Distractor), shape)).ToArray()
                        : null;
                    double[] areas = label.Select(map => Faithfulness.Deletion<float>(net, x, baseline, image.Label, map, deletion).Area).ToArray();
                    var random = new Random(unchecked(seed * 31 + i));
                    float[] randomMap = Enumerable.Range(0, ShapesDataset.Plane).Select(_ => (float)random.NextDouble()).ToArray();
                    results[i] = new Measured
                    {
                        Image = image,
                        Index = i,
                        Predicted = evaluation.Predictions[i],
                        LabelMaps = label,
                        DistractorMaps = distractor,
                        Deletion = areas,
                        RandomMap = randomMap,
                        RandomDeletion = Faithfulness.Deletion<float>(net, x, baseline, image.Label, randomMap, deletion).Area,
                    };
                }
            });
            return results;
        }

        // The model-parameter randomisation check of every method on the first test images (Adebayo et al. 2018).
        private static ModelRandomisationResult[] Sanity(ShapesCnn net, ShapeImage[] test, int count, int workers, int seed)
        {
            var inputs = new float[count * ShapesDataset.Values];
            var targets = new Target[count];
            for (int i = 0; i < count; i++)
            {
                test[i].Pixels.CopyTo(inputs, i * ShapesDataset.Values);
                targets[i] = test[i].Label;
            }

            Dictionary<string, Tensor> parameters = net.ToTensors();
            var results = new ModelRandomisationResult[s_methods.Length];
            Parallel.For(0, s_methods.Length, new ParallelOptions { MaxDegreeOfParallelism = workers }, m =>
            {
                Method method = s_methods[m];
                results[m] = SanityChecks.ModelRandomisation<float>(
                    t => ShapesCnn.FromTensors(t), parameters, inputs, targets,
                    new ModelRandomisationOptions { Rules = new[] { method.Rule }, Seed = seed },
                    (explainer, _) => method.Create(explainer));
            });
            return results;
        }

        private static void WriteTables(Measured[] measured, ModelRandomisationResult[] sanity, int sanityImages)
        {
            int n = measured.Length;
            double maskArea = measured.Average(m => m.Image.Mask.Count(b => b)) / ShapesDataset.Plane;
            int correct = measured.Count(m => m.Predicted == m.Image.Label);
            var table = new Table()
                .Title($"Explaining {n} test images ({correct} classified correctly), labelled class")
                .AddColumn(new TableColumn("method").NoWrap())
                .AddColumn(new TableColumn("pointing game ↑").RightAligned())
                .AddColumn(new TableColumn("mass on object ↑").RightAligned())
                .AddColumn(new TableColumn("deletion AUC ↓").RightAligned())
                .AddColumn(new TableColumn("random top layer: ρ ↓").RightAligned())
                .AddColumn(new TableColumn("random all layers: ρ ↓").RightAligned());
            for (int k = 0; k < s_methods.Length; k++)
            {
                double pointing = measured.Average(m => Localisation.PointingGame<float>(m.LabelMaps[k], m.Image.Mask) ? 1.0 : 0.0);
                double mass = measured.Average(m => Localisation.MassInside<float>(m.LabelMaps[k], m.Image.Mask));
                double area = measured.Average(m => m.Deletion[k]);
                ModelRandomisationResult s = sanity[k];
                RandomisationStep top = s.Steps[0], all = s.Steps[^1];
                table.AddRow(s_methods[k].Name, $"{pointing:P1}", $"{mass:P1}", $"{area:F3}", $"{top.SpearmanOfAbsolute:F2}", $"{all.SpearmanOfAbsolute:F2}");
            }

            table.AddRow(
                "[grey]random map[/]",
                $"[grey]{measured.Average(m => Localisation.PointingGame<float>(m.RandomMap, m.Image.Mask) ? 1.0 : 0.0):P1}[/]",
                $"[grey]{measured.Average(m => Localisation.MassInside<float>(m.RandomMap, m.Image.Mask)):P1}[/]",
                $"[grey]{measured.Average(m => m.RandomDeletion):F3}[/]",
                "[grey]–[/]",
                "[grey]–[/]");
            AnsiConsole.Write(table);
            Notes(
                $"Maps are |map|, maximum over channels, for the labelled class. Pointing game: the map's largest value lies on the labelled object (for a random pixel: {maskArea:P1} of the time).",
                "Mass on object: the share of the map's total on the labelled object.",
                $"Deletion AUC: area under the softmax probability of the labelled class while pixels, most attributed first and {DeletionPixelsPerStep} at a time, are replaced by the image's mean colour.",
                $"Random top / all layers (Adebayo et al. 2018): Spearman ρ between |map| of the trained network and |map| once its top layer, then all {sanity[0].Layers.Count} layers, are re-initialised, " +
                $"mean over {sanityImages} test images: near 0 the map depends on what the network learned (the check passes); near 1 it hardly does.");

            Measured[] withDistractor = measured.Where(m => m.DistractorMaps is not null).ToArray();
            if (withDistractor.Length == 0) return;
            var classes = new Table()
                .Title($"Class sensitivity: {withDistractor.Length} images with a distractor, maps for the labelled class and for the distractor's class")
                .AddColumn(new TableColumn("method").NoWrap())
                .AddColumn(new TableColumn("labelled map → labelled object ↑").RightAligned())
                .AddColumn(new TableColumn("distractor map → distractor ↑").RightAligned())
                .AddColumn(new TableColumn("both: different objects ↑").RightAligned())
                .AddColumn(new TableColumn("ρ between the two maps ↓").RightAligned());
            for (int k = 0; k < s_methods.Length; k++)
            {
                int onLabel = 0, onDistractor = 0, both = 0;
                double rho = 0;
                foreach (Measured m in withDistractor)
                {
                    bool a = Localisation.PointingGame<float>(m.LabelMaps[k], m.Image.Mask);
                    bool b = Localisation.PointingGame<float>(m.DistractorMaps![k], m.Image.DistractorMask);
                    onLabel += a ? 1 : 0;
                    onDistractor += b ? 1 : 0;
                    both += a && b ? 1 : 0;
                    rho += RankCorrelation.Spearman<float>(m.LabelMaps[k], m.DistractorMaps[k]);
                }

                int count = withDistractor.Length;
                classes.AddRow(s_methods[k].Name, Percent(onLabel, count), Percent(onDistractor, count), Percent(both, count), $"{rho / count:F2}");
            }

            AnsiConsole.Write(classes);
            Notes(
                "A class-sensitive method points at the labelled object in the labelled class's map and at the distractor in the distractor class's map (both: the two maps point at different objects), and its two maps differ (low ρ).",
                "DeconvNet and guided backpropagation are known to be weakly class-sensitive: their maps largely reconstruct the image whatever class is asked for (Nie et al. 2018; Adebayo et al. 2018). The numbers above are what this network gives.");
        }

        private static void Notes(params string[] lines)
        {
            foreach (string line in lines) AnsiConsole.MarkupLine($"[grey]{Markup.Escape(line)}[/]");
        }

        // |map|, maximum over channels: one value per pixel.
        private static float[] PixelMap(float[] map, Relucent.Model.Shape shape) => map.Abs().ReduceChannels(ChannelReduction.Max, shape);

        private static float[] MeanColour(float[] x)
        {
            var baseline = new float[x.Length];
            for (int c = 0; c < ShapesDataset.Channels; c++)
            {
                double sum = 0;
                for (int p = 0; p < ShapesDataset.Plane; p++) sum += x[c * ShapesDataset.Plane + p];
                baseline.AsSpan(c * ShapesDataset.Plane, ShapesDataset.Plane).Fill((float)(sum / ShapesDataset.Plane));
            }

            return baseline;
        }

        // One row (input, then the labelled class's maps), and a second for an image with a distractor.
        private static List<Image<Rgb24>> Rows(Measured m)
        {
            var pictures = new List<Image<Rgb24>> { Input(m.Image) };
            pictures.AddRange(m.LabelMaps.Select(Map));
            if (m.DistractorMaps is { } maps)
            {
                pictures.Add(Masks(m.Image));
                pictures.AddRange(maps.Select(Map));
            }

            return pictures;
        }

        private static Image<Rgb24> Input(ShapeImage image)
        {
            var pixels = new Rgb24[ShapesDataset.Plane];
            for (int p = 0; p < pixels.Length; p++)
            {
                pixels[p] = new Rgb24(Byte(image.Pixels[p]), Byte(image.Pixels[ShapesDataset.Plane + p]), Byte(image.Pixels[2 * ShapesDataset.Plane + p]));
            }

            return Enlarge(pixels);
        }

        private static Image<Rgb24> Masks(ShapeImage image)
        {
            var pixels = new Rgb24[ShapesDataset.Plane];
            for (int p = 0; p < pixels.Length; p++)
            {
                pixels[p] = image.Mask[p] ? new Rgb24(255, 255, 255) : image.DistractorMask[p] ? new Rgb24(255, 140, 0) : new Rgb24(40, 40, 40);
            }

            return Enlarge(pixels);
        }

        // For display only, each map is clipped at its 99th percentile, so a few extreme pixels do not wash out the rest.
        private static Image<Rgb24> Map(float[] map) =>
            Heatmap.Render<float>(map.ClipPercentiles(0, 99), ShapesDataset.Size, ShapesDataset.Size, new HeatmapOptions { PixelSize = PixelSize, Scale = HeatmapScale.Sequential });

        private static Image<Rgb24> Enlarge(Rgb24[] pixels)
        {
            int size = ShapesDataset.Size * PixelSize;
            var large = new Rgb24[size * size];
            for (int y = 0; y < size; y++)
            {
                for (int x = 0; x < size; x++) large[y * size + x] = pixels[(y / PixelSize) * ShapesDataset.Size + x / PixelSize];
            }

            return Image.LoadPixelData<Rgb24>(large, size, size);
        }

        private static byte Byte(float v) => (byte)Math.Clamp((int)Math.Round(v * 255), 0, 255);

        // The README picture: correctly classified test images, one per class; the last two with a distractor (two rows each).
        private static Image<Rgb24> ReadmeGrid(Measured[] measured)
        {
            var pictures = new List<Image<Rgb24>>();
            for (int c = 0; c < ShapesCnn.Classes.Length; c++)
            {
                bool distractor = c >= 2;
                Measured? m = measured.FirstOrDefault(x => x.Image.Label == c && x.Predicted == c && x.Image.HasDistractor == distractor)
                    ?? measured.FirstOrDefault(x => x.Image.Label == c);
                if (m is not null) pictures.AddRange(Rows(m));
            }

            Image<Rgb24> grid = Heatmap.Grid(pictures, columns: s_methods.Length + 1, spacing: 2);
            pictures.ForEach(picture => picture.Dispose());
            return grid;
        }
    }
}
