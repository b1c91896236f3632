using System.Globalization;
using Relucent.Samples.Shapes;

namespace Relucent.Explain
{
    /// <summary>The options the explain commands share (<c>--weights</c>, <c>--target</c>, <c>--steps</c>, ...), each parsed and checked one way.</summary>
    internal sealed class ExplainOptions
    {
        public string? Weights { get; private set; }
        public string Method { get; private set; } = "saliency";
        public string? Output { get; private set; }
        public int? Target { get; private set; }
        public int Steps { get; private set; } = 50;
        public int Samples { get; private set; } = 50;

        /// <summary>
        /// The options of <paramref name="line"/> that <paramref name="command"/> takes (<paramref name="allowed"/>), or
        /// null with the usage error written to <paramref name="error"/>.
        /// </summary>
        public static ExplainOptions? Parse(CommandLine line, string command, IReadOnlyList<string> allowed, TextWriter error)
        {
            var options = new ExplainOptions();
            foreach ((string option, string value) in line.Options)
            {
                if (!allowed.Contains(option)) return Fail(error, command, $"unknown option '{option}'; {command.Split(' ')[^1]} takes {string.Join(", ", allowed.SkipLast(1))} and {allowed[^1]}.");
                switch (option)
                {
                    case "--weights": options.Weights = value; break;
                    case "--method": options.Method = value; break;
                    case "--output": options.Output = value; break;
                    case "--target":
                        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int t) || t < 0 || t >= ShapesCnn.OutputSize)
                        {
                            return Fail(error, command, $"--target is a class index 0..{ShapesCnn.OutputSize - 1} ({string.Join(", ", ShapesCnn.Classes.Select((c, k) => $"{k} {c}"))}); got '{value}'.");
                        }

                        options.Target = t;
                        break;
                    case "--steps":
                        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int steps) || steps < 1) return Fail(error, command, $"--steps is a whole number, 1 or more; got '{value}'.");
                        options.Steps = steps;
                        break;
                    case "--samples":
                        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int samples) || samples < 1) return Fail(error, command, $"--samples is a whole number, 1 or more; got '{value}'.");
                        options.Samples = samples;
                        break;
                }
            }

            if (!ShapesMethods.Names.Contains(options.Method)) return Fail(error, command, $"unknown method '{options.Method}'; the methods are {string.Join(", ", ShapesMethods.Names)}.");
            if (options.Weights == null) return Fail(error, command, "give the network's weights: --weights shapes-cnn.safetensors (samples/Shapes writes them).");
            return options;
        }

        private static ExplainOptions? Fail(TextWriter error, string command, string message)
        {
            error.WriteLine($"{command}: {message}");
            return null;
        }
    }
}
