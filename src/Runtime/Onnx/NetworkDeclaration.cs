using System.Globalization;
using System.Text;
using Relucent.Model;

namespace Relucent
{
    /// <summary>
    /// Writes a network as the C# a user would declare: <c>Net.Input(1, 12, 12)</c> then one line per Conv2D, Dense,
    /// Flatten or Residual, with the activations, pooling and normalisation that follow it on the same line.
    /// </summary>
    public static class NetworkDeclaration
    {
        /// <summary>The rule attributes a declaration carries unless told otherwise.</summary>
        public static IReadOnlyList<string> DefaultAttributes { get; } = new[] { "Saliency", "DeconvNet", "GuidedBackprop" };

        private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
        {
            "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const", "continue",
            "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern", "false", "finally",
            "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface", "internal", "is", "lock",
            "long", "namespace", "new", "null", "object", "operator", "out", "override", "params", "private", "protected",
            "public", "readonly", "ref", "return", "sbyte", "sealed", "short", "sizeof", "stackalloc", "static", "string",
            "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort",
            "using", "virtual", "void", "volatile", "while",
        };

        /// <summary>
        /// The fluent expression declaring <paramref name="network"/>: <c>Net.Input(8)</c> then its layers, continuation
        /// lines indented by four spaces (more inside residual branches), no trailing semicolon; lines end with <c>\n</c>.
        /// </summary>
        public static string Expression(Network network)
        {
            ArgumentNullException.ThrowIfNull(network);
            return string.Join("\n", Lines(network).Select(l => new string(' ', 4 * l.Level) + l.Text));
        }

        /// <summary>
        /// A complete C# file declaring <paramref name="network"/> as <c>public partial class <paramref name="className"/></c>
        /// with a <c>static readonly Network Spec</c>, ready for the generator:
        /// <code>
        /// using Relucent;
        ///
        /// namespace Ns;
        ///
        /// [Saliency, DeconvNet, GuidedBackprop]
        /// public partial class Name
        /// {
        ///     static readonly Network Spec = Net.Input(8)
        ///         .Dense(16).ReLU()
        ///         .Dense(4);
        /// }
        /// </code>
        /// Lines end with <c>\n</c>; without <paramref name="namespace"/> the class is in the global namespace.
        /// </summary>
        /// <param name="network">The network.</param>
        /// <param name="className">A C# identifier.</param>
        /// <param name="namespace">A dotted C# name, or null.</param>
        /// <param name="attributes">The rule attributes; null for <see cref="DefaultAttributes"/>, empty for none.</param>
        /// <exception cref="ArgumentException"><paramref name="className"/> or <paramref name="namespace"/> is not a C# name.</exception>
        public static string ToDeclaration(Network network, string className, string? @namespace = null, IEnumerable<string>? attributes = null)
        {
            ArgumentNullException.ThrowIfNull(network);
            ArgumentNullException.ThrowIfNull(className);
            if (!IsIdentifier(className)) throw new ArgumentException($"'{className}' is not a C# class name.", nameof(className));
            if (@namespace != null && !@namespace.Split('.').All(IsIdentifier))
            {
                throw new ArgumentException($"'{@namespace}' is not a C# namespace name.", nameof(@namespace));
            }

            string[] rules = (attributes ?? DefaultAttributes).ToArray();
            foreach (string rule in rules)
            {
                if (!IsIdentifier(rule)) throw new ArgumentException($"'{rule}' is not an attribute name.", nameof(attributes));
            }

            var text = new StringBuilder();
            text.Append("using Relucent;\n\n");
            if (@namespace != null) text.Append("namespace ").Append(@namespace).Append(";\n\n");
            if (rules.Length > 0) text.Append('[').Append(string.Join(", ", rules)).Append("]\n");
            text.Append("public partial class ").Append(className).Append('\n');
            text.Append("{\n");
            List<(int Level, string Text)> lines = Lines(network);
            for (int i = 0; i < lines.Count; i++)
            {
                text.Append(new string(' ', 4 + 4 * lines[i].Level));
                if (i == 0) text.Append("static readonly Network Spec = ");
                text.Append(lines[i].Text);
                if (i == lines.Count - 1) text.Append(';');
                text.Append('\n');
            }

            text.Append("}\n");
            return text.ToString();
        }

        /// <summary>A C# class name from a file name: <c>lenet.onnx</c> gives <c>Lenet</c>, <c>my-model_v2.onnx</c> <c>MyModelV2</c>.</summary>
        public static string ClassNameFromFile(string path)
        {
            ArgumentNullException.ThrowIfNull(path);
            string stem = Path.GetFileNameWithoutExtension(path);
            var name = new StringBuilder();
            bool upper = true;
            foreach (char c in stem)
            {
                if (!char.IsLetterOrDigit(c))
                {
                    upper = true;
                    continue;
                }

                name.Append(upper ? char.ToUpperInvariant(c) : c);
                upper = false;
            }

            string result = name.ToString();
            if (result.Length == 0 || char.IsDigit(result[0])) result = "Model" + result;
            return Keywords.Contains(result) ? "@" + result : result;
        }

        /// <summary>Whether <paramref name="name"/> is a C# identifier (a keyword only with its <c>@</c>).</summary>
        public static bool IsIdentifier(string? name)
        {
            if (string.IsNullOrEmpty(name)) return false;
            string bare = name[0] == '@' ? name[1..] : name;
            if (bare.Length == 0) return false;
            if (!(char.IsLetter(bare[0]) || bare[0] == '_')) return false;
            if (!bare.All(c => char.IsLetterOrDigit(c) || c == '_')) return false;
            return name[0] == '@' || !Keywords.Contains(bare);
        }

        /// <summary>The DSL call declaring <paramref name="layer"/> with its <c>name:</c>, for layers other than blocks.</summary>
        internal static string Call(Layer layer) => layer.Declaration;

        /// <summary>A C# string literal.</summary>
        internal static string Literal(string value) => Format.Literal(value);

        private static List<(int Level, string Text)> Lines(Network network)
        {
            Shape input = network.InputShape;
            string start = input.IsImage
                ? $"Net.Input({input.Channels.ToString(CultureInfo.InvariantCulture)}, {input.Height.ToString(CultureInfo.InvariantCulture)}, {input.Width.ToString(CultureInfo.InvariantCulture)})"
                : $"Net.Input({input.Channels.ToString(CultureInfo.InvariantCulture)})";
            var lines = new List<(int Level, string Text)> { (0, start) };
            Append(lines, network.Layers, level: 1, depth: 0);
            return lines;
        }

        private static void Append(List<(int Level, string Text)> lines, IReadOnlyList<Layer> layers, int level, int depth)
        {
            foreach (Layer layer in layers)
            {
                if (layer.Branches.Count > 0)
                {
                    AppendBlock(lines, layer, level, depth);
                    continue;
                }
                string call = "." + layer.Declaration;
                // Layers with parameters (and Flatten) start a line; activations, pooling and normalisation follow on it.
                bool opens = layer is Conv2DLayer or DenseLayer or FlattenLayer;
                if (opens || lines[^1].Level != level)
                {
                    lines.Add((level, call));
                }
                else
                {
                    lines[^1] = (level, lines[^1].Text + call);
                }
            }
        }

        // .Residual(b => b
        //     .Conv2D(...)..., shortcut: b => b
        //     .Conv2D(...)..., name: "layer2.0")
        private static void AppendBlock(List<(int Level, string Text)> lines, Layer block, int level, int depth)
        {
            string parameter = depth == 0 ? "b" : "b" + (depth + 1).ToString(CultureInfo.InvariantCulture);
            for (int i = 0; i < block.Branches.Count; i++)
            {
                Branch branch = block.Branches[i];
                string lambda = (i == 0 ? "" : branch.Argument.Name + ": ") + $"{parameter} => {parameter}";
                if (i == 0) lines.Add((level, $".{block.Method}(" + lambda));
                else lines[^1] = (lines[^1].Level, lines[^1].Text + ", " + lambda);
                Append(lines, branch.Layers, level + 1, depth + 1);
            }
            string arguments = block.DeclaredArguments;
            lines[^1] = (lines[^1].Level, lines[^1].Text + (arguments.Length > 0 ? ", " + arguments : "") + ")");
        }
    }
}
