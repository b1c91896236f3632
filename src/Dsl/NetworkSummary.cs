using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Relucent.Model;

namespace Relucent
{
    /// <summary>Writes the table <see cref="Network.ToString"/> returns: one row per layer, residual branches indented.</summary>
    internal static class NetworkSummary
    {
        public static string Format(Network network)
        {
            var rows = new List<string[]> { new[] { "#", "Layer", "Output", "Params" } };
            rows.Add(new[] { "", "Input", network.InputShape.ToString(), "" });
            AddRows(rows, network.InputShape, network.Layers, "", network.Parameters);
            int[] widths = Enumerable.Range(0, 4).Select(c => rows.Max(r => r[c].Length)).ToArray();
            var text = new StringBuilder();
            foreach (string[] row in rows)
            {
                text.Append(row[0].PadRight(widths[0])).Append("  ")
                    .Append(row[1].PadRight(widths[1])).Append("  ")
                    .Append(row[2].PadRight(widths[2])).Append("  ")
                    .Append(row[3].PadLeft(widths[3]))
                    .Append('\n');
            }
            text.Append("Total parameters: ").Append(network.ParameterCount.ToString(CultureInfo.InvariantCulture));
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
