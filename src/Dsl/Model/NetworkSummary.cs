using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace Relucent.Model
{
    /// <summary>
    /// The Keras-like table of a network: one row per layer with its output shape and parameter count, blocks' chains
    /// indented under them. <c>Network.ToString()</c> returns it and the generator draws it in the generated class's remarks.
    /// </summary>
    public static class NetworkSummary
    {
        /// <summary>The table for a network whose shapes are valid, ending with the total parameter count.</summary>
        public static string Format(Shape input, IReadOnlyList<Layer> layers, IReadOnlyList<ParameterInfo> parameters)
        {
            var rows = new List<string[]> { new[] { "#", "Layer", "Output", "Params" } };
            rows.Add(new[] { "", "Input", input.ToString(), "" });
            var counts = new Dictionary<string, long>();
            foreach (ParameterInfo p in parameters)
            {
                string key = string.Join(".", p.Path);
                counts[key] = (counts.TryGetValue(key, out long c) ? c : 0) + p.Size;
            }
            Shape current = input;
            for (int i = 0; i < layers.Count; i++) current = AddRows(rows, current, layers[i], LayerPath.Top(i), counts);
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

        private static Shape AddRows(List<string[]> rows, Shape input, Layer layer, LayerPath at, Dictionary<string, long> counts)
        {
            ShapeRules.Check(layer, input, at, out Shape output);
            long count = counts.TryGetValue(string.Join(".", at.Indices), out long c) ? c : 0;
            string indent = new string(' ', 2 * at.Depth);
            rows.Add(new[] { at.Label, indent + layer.Describe() + (layer.Name != null ? $" \"{layer.Name}\"" : ""), output.ToString(), count == 0 ? "" : count.ToString(CultureInfo.InvariantCulture) });
            for (int b = 0; b < layer.Branches.Count; b++)
            {
                Branch branch = layer.Branches[b];
                Shape current = input;
                for (int j = 0; j < branch.Layers.Count; j++) current = AddRows(rows, current, branch.Layers[j], at.Inside(b, branch.Label, j), counts);
            }
            return output;
        }
    }
}
