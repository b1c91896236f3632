using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace Relucent.Model
{
    /// <summary>
    /// The Keras-like table of a network: one row per layer with its output shape and parameter count,
    /// residual branches indented. <c>Network.ToString()</c> returns it and the generator draws it in the
    /// generated class's remarks.
    /// </summary>
    public static class NetworkSummary
    {
        /// <summary>The table for a network whose shapes are valid, ending with the total parameter count.</summary>
        public static string Format(Shape input, IReadOnlyList<Layer> layers, IReadOnlyList<ParameterInfo> parameters)
        {
            var rows = new List<string[]> { new[] { "#", "Layer", "Output", "Params" } };
            rows.Add(new[] { "", "Input", input.ToString(), "" });
            AddRows(rows, input, layers, "", parameters);
            int[] widths = Enumerable.Range(0, 4).Select(c => rows.Max(r => r[c].Length)).ToArray();
            var text = new StringBuilder();
            foreach (string[] row in rows)
            {
                string line = row[0].PadRight(widths[0]) + "  " + row[1].PadRight(widths[1]) + "  "
                    + row[2].PadRight(widths[2]) + "  " + row[3].PadLeft(widths[3]);
                text.Append(line.TrimEnd()).Append('\n');
            }
            text.Append("Total parameters: ").Append(parameters.Sum(p => p.Size).ToString(CultureInfo.InvariantCulture));
            return text.ToString();
        }

        private static void AddRows(List<string[]> rows, Shape input, IReadOnlyList<Layer> layers, string prefix, IReadOnlyList<ParameterInfo> parameters)
        {
            ShapeRules.Infer(input, layers, out Shape[] shapes);
            for (int i = 0; i < layers.Count; i++)
            {
                string index = prefix + i.ToString(CultureInfo.InvariantCulture);
                string path = index;
                long count = parameters.Where(p => string.Join(".", p.Path) == path).Sum(p => p.Size);
                string indent = new string(' ', 2 * prefix.Count(c => c == '.'));
                rows.Add(new[] { index, indent + layers[i].Describe() + (layers[i].Name != null ? $" \"{layers[i].Name}\"" : ""), shapes[i].ToString(), count == 0 ? "" : count.ToString(CultureInfo.InvariantCulture) });
                if (layers[i] is ResidualLayer residual)
                {
                    AddRows(rows, i == 0 ? input : shapes[i - 1], residual.Body, index + ".", parameters);
                }
            }
        }
    }
}
