using Relucent;

return Relucent.Explain.Cli.Run(args, Console.Out, Console.Error);

namespace Relucent.Explain
{
    /// <summary>
    /// <c>explain COMMAND ...</c>. Exit codes: 0 done, 1 the model or weights could not be loaded (unsupported or
    /// invalid), 2 a usage error (unknown command, option or method, missing file, wrong image size).
    /// </summary>
    public static class Cli
    {
        private const string Usage = """
            Usage: explain <command> [arguments]

            Commands:
              import <model.onnx> [--class Name] [--namespace Ns] [--rules R,R,...]
                  Print the C# declaration of the network in an ONNX file (torch.onnx.export),
                  ready for the Relucent generator. Notes on renamed or transposed weights go to stderr.
              explain <input.png|input.safetensors> --weights shapes-cnn.safetensors [--method M] [--target N] [--output map.png]
                  Explain one 3×32×32 image with the Shapes sample's CNN (weights saved by samples/Shapes):
                  saliency, deconvnet, guidedbackprop, integrated-gradients or smoothgrad.
              report <input.png|input.safetensors>... --weights shapes-cnn.safetensors [--output report.html]
                  Explain each image with every method and write one self-contained HTML page: the inputs,
                  the predictions, each method's map titled with its name, and their deletion and insertion AUC.
              help
                  Show this help (also --help, -h).

            Run 'explain <command> --help' for a command's help.
            """;

        private const string ImportUsage = """
            Usage: explain import <model.onnx> [--class Name] [--namespace Ns] [--rules R,R,...]

            Prints the C# declaration of the ONNX model's network to standard output:
              --class Name      the class name (default: from the file name, lenet.onnx -> Lenet)
              --namespace Ns    the namespace (default: none)
              --rules R,R,...   the rule attributes, each a method of the class (default: Saliency,DeconvNet,GuidedBackprop);
                                any of Saliency, DeconvNet, GuidedBackprop, EpsilonPlus, EpsilonPlusFlat,
                                EpsilonAlpha2Beta1, EpsilonAlpha2Beta1Flat (EpsilonGammaBox takes its bounds: add it by hand)
            Load the weights with OnnxImport.LoadTensors(Name.Architecture, OnnxModel.Load(path)).
            """;

        /// <summary>Runs one command; returns the exit code.</summary>
        public static int Run(string[] args, TextWriter output, TextWriter error)
        {
            if (args.Length == 0)
            {
                error.WriteLine("explain: no command given.");
                error.WriteLine();
                error.Write(Usage.ReplaceLineEndings("\n") + "\n");
                return 2;
            }

            switch (args[0])
            {
                case "help":
                case "--help":
                case "-h":
                    output.Write(Usage.ReplaceLineEndings("\n") + "\n");
                    return 0;
                case "import":
                    return Import(args[1..], output, error);
                case "explain":
                    return ExplainCommand.Run(args[1..], output, error);
                case "report":
                    return ReportCommand.Run(args[1..], output, error);
                default:
                    error.WriteLine($"explain: unknown command '{args[0]}'. Commands: import, explain, report, help. Run 'explain --help' for details.");
                    return 2;
            }
        }

        private static int Import(string[] args, TextWriter output, TextWriter error)
        {
            string? path = null, className = null, ns = null;
            string[]? rules = null;
            var line = CommandLine.Parse(args);
            if (line.Help)
            {
                output.Write(ImportUsage.ReplaceLineEndings("\n") + "\n");
                return 0;
            }
            if (line.Error != null) return UsageError(error, line.Error);
            foreach ((string option, string value) in line.Options)
            {
                switch (option)
                {
                    case "--class": className = value; break;
                    case "--namespace": ns = value; break;
                    case "--rules": rules = value.Split(',', StringSplitOptions.TrimEntries); break;
                    default: return UsageError(error, $"unknown option '{option}'; import takes --class, --namespace and --rules.");
                }
            }
            if (line.Positional.Count > 1) return UsageError(error, $"one ONNX file at a time; got '{line.Positional[0]}' and '{line.Positional[1]}'.");
            path = line.Positional.FirstOrDefault();

            if (path == null) return UsageError(error, "give the ONNX file: explain import <model.onnx> [--class Name] [--namespace Ns].");
            if (!File.Exists(path)) return UsageError(error, $"no file at '{path}'.");
            className ??= NetworkDeclaration.ClassNameFromFile(path);
            if (!NetworkDeclaration.IsIdentifier(className)) return UsageError(error, $"'{className}' is not a C# class name.");
            if (ns != null && !ns.Split('.').All(NetworkDeclaration.IsIdentifier)) return UsageError(error, $"'{ns}' is not a C# namespace name.");
            if (rules?.FirstOrDefault(r => !ImportableRules.Contains(r)) is string unknown)
            {
                return UsageError(error, unknown == nameof(BackwardRule.EpsilonGammaBox)
                    ? "EpsilonGammaBox needs its bounds: import without it, then add [EpsilonGammaBox(low, high)] to the class by hand."
                    : $"'{unknown}' is not a rule; --rules takes {string.Join(", ", ImportableRules)}.");
            }

            OnnxImportResult result;
            try
            {
                result = OnnxImport.Import(path);
            }
            catch (Exception e)
            {
                // Whatever the file does, the command reports it and exits 1; a model must never kill the tool.
                error.WriteLine(e is NotSupportedException or InvalidDataException or IOException
                    ? $"explain import: {e.Message}"
                    : $"explain import: {e.GetType().Name}: {e.Message}");
                return 1;
            }

            output.Write(result.ToDeclaration(className, ns, rules));
            foreach (string note in result.Notes) error.WriteLine($"note: {note}");
            return 0;
        }

        /// <summary>The rule attributes <c>--rules</c> writes: every rule but the one whose attribute takes arguments.</summary>
        private static readonly string[] ImportableRules = Enum.GetNames<BackwardRule>().Where(r => r != nameof(BackwardRule.EpsilonGammaBox)).ToArray();

        private static int UsageError(TextWriter error, string message)
        {
            error.WriteLine($"explain import: {message}");
            return 2;
        }
    }
}
