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
        internal sealed record Method(string Name, BackwardRule Rule, Func<IExplainer<float>, IAttribution<float>> Create);

        private static readonly Method[] s_methods =
        {
            new("Saliency", BackwardRule.Saliency, n => new RuleMap<float>(n, BackwardRule.Saliency)),
            new("DeconvNet", BackwardRule.DeconvNet, n => new RuleMap<float>(n, BackwardRule.DeconvNet)),
            new("GuidedBackprop", BackwardRule.GuidedBackprop, n => new RuleMap<float>(n, BackwardRule.GuidedBackprop)),
            new("EpsilonGammaBox", BackwardRule.EpsilonGammaBox, n => new RuleMap<float>(n, BackwardRule.EpsilonGammaBox)),
            new("IntegratedGradients", BackwardRule.Saliency, n => new IntegratedGradients<float>(n)),
            new("SmoothGrad", BackwardRule.Saliency, n => new SmoothGrad<float>(n)),
            new("GradCam", BackwardRule.Saliency, n => new CamAtInput(n, ShapesCnn.CamLayer)),
            new("GuidedGradCam", BackwardRule.GuidedBackprop, n => new GuidedGradCam<float>((ILayerExplainer<float>)n, ShapesCnn.CamLayer)),
        };

        /// <summary>The methods compared, in the order of every table, grid and report.</summary>
        internal static IReadOnlyList<Method> Methods => s_methods;

        // Deletion: pixels replaced 16 at a time by the image's mean colour; the curve reads the softmax probability.
        internal const int DeletionPixelsPerStep = 16;

        /// <summary>The maps and numbers of one measured test image.</summary>
        internal sealed class Measured
        {
            public required ShapeImage Image { get; init; }
            public required int Index { get; init; }
            public required int Predicted { get; init; }
            public required float[] Probabilities { get; init; }
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

            // On a terminal: colours, live progress bars and lines fitted to its width. Redirected to a file or a pipe:
            // plain lines, one per epoch, never wrapped, so the log reads (and its commands run) as printed.
            bool terminal = !Console.IsOutputRedirected;
            IAnsiConsole console = terminal ? AnsiConsole.Console : PlainConsole();

            var total = Stopwatch.StartNew();
            string output = Path.GetFullPath(options.Output);
            Directory.CreateDirectory(output);
            int workers = options.Workers == 0 ? Environment.ProcessorCount : options.Workers;
            console.MarkupLine($"[bold]Relucent · Shapes[/]  output folder: [blue]{Markup.Escape(output)}[/]");

            // 1. Data: deterministic, from the seed.
            ShapeImage[] train = ShapesDataset.Generate(options.TrainSize, options.Seed);
            ShapeImage[] test = ShapesDataset.Generate(options.TestSize, unchecked(options.Seed * 7919 + 104729));
            (float[] trainX, int[] trainY) = ShapesDataset.Stack(train);
            (float[] testX, int[] testY) = ShapesDataset.Stack(test);
            console.MarkupLine(
                $"Data: {train.Length} training and {test.Length} test images, 3×32×32, classes {string.Join(", ", ShapesCnn.Classes)}; " +
                $"{Percent(train.Count(i => i.HasDistractor), train.Length)} with a smaller distractor of another class.");

            // 2. Train.
            // Kaiming-uniform for ReLU (a = 0) rather than PyTorch's default (a = √5): with the default, this network sits at
            // chance for several epochs before it starts to learn; with the ReLU gain it learns from the first epoch.
            ShapesCnn net = ShapesCnn.FromTensors(Init.KaimingUniform(ShapesCnn.ParameterShapes, options.Seed));
            var adam = new Adam<float>(net, options.LearningRate);
            var trainer = new Trainer<float>(net, adam, new TrainerOptions { BatchSize = options.BatchSize, Workers = workers, Seed = options.Seed });
            console.MarkupLine(
                $"Training {ShapesCnn.ParameterShapes.Sum(p => p.ElementCount):N0} parameters (Kaiming-uniform start): Adam (lr {options.LearningRate.ToString(CultureInfo.InvariantCulture)}, cosine decay), " +
                $"batches of {options.BatchSize}, {trainer.Workers} worker(s), {options.Epochs} epochs.");
            var trainClock = Stopwatch.StartNew();
            List<(EpochResult Train, Evaluation Test)> epochs = terminal
                ? TrainWithProgressBars(console, net, trainer, adam, options, trainX, trainY, testX, testY, workers)
                : TrainWithLines(console, net, trainer, adam, options, trainX, trainY, testX, testY, workers);
            TimeSpan trainingTime = trainClock.Elapsed;
            Evaluation final = epochs[^1].Test;

            var epochTable = new Table().Title("Training").AddColumns("epoch", "loss", "train accuracy", "test loss", "test accuracy", "time");
            foreach ((EpochResult r, Evaluation t) in epochs)
            {
                epochTable.AddRow($"{r.Epoch}", $"{r.Loss:F4}", $"{r.Accuracy:P1}", $"{t.Loss:F4}", $"{t.Accuracy:P1}", $"{r.Elapsed.TotalSeconds:F1} s");
            }

            console.Write(epochTable);
            string trained =
                $"Trained in {trainingTime.TotalSeconds:F1} s; test accuracy {final.Accuracy:P1} on {test.Length} images " +
                $"({Percent(Correct(test, final, i => i.HasDistractor), test.Count(i => i.HasDistractor))} of those with a distractor).";
            console.MarkupLine(Markup.Escape(trained));
            string weights = Path.Combine(output, "shapes-cnn.safetensors");
            net.Save(weights);
            console.MarkupLine($"Weights: [blue]{Markup.Escape(weights)}[/]");

            // 3. Explain the first test images with every method, and measure.
            var explainClock = Stopwatch.StartNew();
            Measured[] measured = Measure(net, test, final, options.Measure, workers, options.Seed);
            ModelRandomisationResult[] sanity = Sanity(net, test, options.SanityImages, workers, options.Seed);
            TimeSpan explainTime = explainClock.Elapsed;
            List<ReportTable> tables = ShapesTables.Build(measured, sanity, options.SanityImages);
            foreach (ReportTable table in tables) ShapesTables.Write(console, table);

            // 4. Pictures: a grid per pictured image, the images themselves as the PNGs samples/Explain reads, and the report.
            Measured[] pictured = measured.Take(options.Images).ToArray();
            string inputs = Path.Combine(output, "inputs");
            if (pictured.Length > 0) Directory.CreateDirectory(inputs);
            var inputFiles = new List<string>();
            foreach (Measured m in pictured)
            {
                string name = $"test-{m.Index:000}-{ShapesCnn.Classes[m.Image.Label]}{(m.Image.HasDistractor ? "-distractor-" + ShapesCnn.Classes[m.Image.Distractor] : "")}";
                List<Image<Rgb24>> rows = ShapesPictures.Rows(m);
                using (Image<Rgb24> grid = Heatmap.Grid(rows, columns: s_methods.Length + 1, spacing: 2))
                {
                    Heatmap.SavePng(grid, Path.Combine(output, name + ".png"));
                }

                rows.ForEach(picture => picture.Dispose());
                string input = Path.Combine(inputs, name + ".png");
                ShapesPictures.SaveInput(m.Image, input);
                inputFiles.Add(input);
            }

            string report = Path.Combine(output, "report.html");
            string summary = $"{train.Length} training images, {options.Epochs} epochs, seed {options.Seed}. {trained} Weights: {weights}.";
            ShapesReport.Build(summary, tables, pictured).Save(report);

            if (pictured.Length > 0)
            {
                console.MarkupLine(
                    $"Pictures: {pictured.Length} grids in [blue]{Markup.Escape(output)}[/]; each row is the input, then |map| (max over channels) of " +
                    $"{string.Join(", ", s_methods.Select(m => m.Name))}; an image with a distractor has a second row: the masks, then the maps of the distractor's class.");
                console.MarkupLine($"Inputs: the same {pictured.Length} test images as 32×32 PNGs in [blue]{Markup.Escape(inputs)}[/], the pictures samples/Explain reads.");
            }

            console.MarkupLine($"Report: [blue]{Markup.Escape(report)}[/] (open it in a browser): the tables, and each pictured image with its prediction and every method's map, titled, with its metrics.");

            if (options.ReadmeImage is { } readme)
            {
                string path = Path.GetFullPath(readme);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                using Image<Rgb24> grid = ShapesPictures.ReadmeGrid(measured);
                Heatmap.SavePng(grid, path);
                console.MarkupLine($"README picture: [blue]{Markup.Escape(path)}[/]");
            }

            console.MarkupLine(
                $"Done in [bold]{total.Elapsed.TotalSeconds:F1} s[/] (training {trainingTime.TotalSeconds:F1} s, explaining and measuring {explainTime.TotalSeconds:F1} s).");

            // Printed as plain lines, never wrapped or marked up, so they can be copied and run from this folder as they are.
            if (inputFiles.Count > 0)
            {
                string first = Path.GetFileNameWithoutExtension(inputFiles[0]);
                Console.Out.WriteLine("Explain one of the images with the saved weights:");
                Console.Out.WriteLine("  " + ExplainCommands.Explain(inputFiles[0], weights, Path.Combine(output, first + "-saliency.png")));
                Console.Out.WriteLine("Every method on all of them, as one web page:");
                Console.Out.WriteLine("  " + ExplainCommands.Report(inputs, weights, Path.Combine(output, "explain-report.html")));
            }

            return 0;
        }

        // A console for redirected output: no colours or cursor movement, and wide enough that no line is ever broken.
        private static IAnsiConsole PlainConsole()
        {
            IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
                Out = new AnsiConsoleOutput(Console.Out),
            });
            console.Profile.Width = 4096;
            return console;
        }

        private static List<(EpochResult Train, Evaluation Test)> TrainWithProgressBars(
            IAnsiConsole console, ShapesCnn net, Trainer<float> trainer, Adam<float> adam, ShapesOptions options,
            float[] trainX, int[] trainY, float[] testX, int[] testY, int workers)
        {
            var epochs = new List<(EpochResult Train, Evaluation Test)>();
            console.Progress()
                .AutoClear(false)
                .HideCompleted(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(context =>
                {
                    for (int e = 0; e < options.Epochs; e++)
                    {
                        adam.LearningRate = LearningRate(options, e);
                        ProgressTask task = context.AddTask($"epoch {e + 1}/{options.Epochs}", maxValue: 1);
                        EpochResult result = trainer.TrainEpoch(trainX, trainY, p =>
                        {
                            task.MaxValue = p.Batches;
                            task.Value = p.Batch;
                            task.Description = $"epoch {p.Epoch}/{options.Epochs}  loss {p.Loss:F3}  accuracy {p.Accuracy:P1}";
                        });
                        Evaluation evaluation = Trainer.Evaluate(net, testX, testY, workers);
                        epochs.Add((result, evaluation));
                        task.Description = EpochLine(result, evaluation, options);
                        task.StopTask();
                    }
                });
            return epochs;
        }

        private static List<(EpochResult Train, Evaluation Test)> TrainWithLines(
            IAnsiConsole console, ShapesCnn net, Trainer<float> trainer, Adam<float> adam, ShapesOptions options,
            float[] trainX, int[] trainY, float[] testX, int[] testY, int workers)
        {
            var epochs = new List<(EpochResult Train, Evaluation Test)>();
            for (int e = 0; e < options.Epochs; e++)
            {
                adam.LearningRate = LearningRate(options, e);
                EpochResult result = trainer.TrainEpoch(trainX, trainY);
                Evaluation evaluation = Trainer.Evaluate(net, testX, testY, workers);
                epochs.Add((result, evaluation));
                console.MarkupLine(Markup.Escape($"{EpochLine(result, evaluation, options)}  {result.Elapsed.TotalSeconds:F1} s"));
            }

            return epochs;
        }

        // Cosine decay over the epochs.
        private static double LearningRate(ShapesOptions options, int epoch) => options.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * epoch / options.Epochs));

        private static string EpochLine(EpochResult result, Evaluation evaluation, ShapesOptions options) =>
            $"epoch {result.Epoch}/{options.Epochs}  loss {result.Loss:F3}  accuracy {result.Accuracy:P1}  test {evaluation.Accuracy:P1}";

        private static int Correct(ShapeImage[] images, Evaluation evaluation, Func<ShapeImage, bool> which)
        {
            int correct = 0;
            for (int i = 0; i < images.Length; i++)
            {
                if (which(images[i]) && evaluation.Predictions[i] == images[i].Label) correct++;
            }

            return correct;
        }

        internal static string Percent(int part, int whole) => whole == 0 ? "–" : $"{(double)part / whole:P1}";

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
                    float[] baseline = MeanColour.Of(x);
                    float[][] label = methods.Select(m => PixelMap(m.Attribute(x, image.Label), shape)).ToArray();
                    float[][]? distractor = image.HasDistractor
                        ? methods.Select(m => PixelMap(m.Attribute(x, image.Distractor), shape)).ToArray()
                        : null;
                    double[] areas = label.Select(map => Faithfulness.Deletion<float>(net, x, baseline, image.Label, map, deletion).Area).ToArray();
                    var random = new Random(unchecked(seed * 31 + i));
                    float[] randomMap = Enumerable.Range(0, ShapesDataset.Plane).Select(_ => (float)random.NextDouble()).ToArray();
                    var probabilities = new float[ShapesCnn.OutputSize];
                    CrossEntropy.Softmax<float>(net.Forward(x), probabilities);
                    results[i] = new Measured
                    {
                        Image = image,
                        Index = i,
                        Predicted = evaluation.Predictions[i],
                        Probabilities = probabilities,
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

        // |map|, maximum over channels: one value per pixel.
        private static float[] PixelMap(float[] map, Relucent.Model.Shape shape) => map.Abs().ReduceChannels(ChannelReduction.Max, shape);
    }
}
