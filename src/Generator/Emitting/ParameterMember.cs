using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Relucent.Model;

namespace Relucent.Generator.Emitting
{
    /// <summary>
    /// A parameter as the generated class holds it: a public MathNet property named after the <c>state_dict</c> name
    /// (<c>"0.weight"</c> → <c>Layer0Weight</c>, <c>"fc1.bias"</c> → <c>Fc1Bias</c>) and a private field over the same
    /// storage that the kernels read (<c>_layer0Weight</c>).
    /// </summary>
    internal sealed class ParameterMember
    {
        private ParameterMember(ParameterInfo info, int index, string layerStem)
        {
            Info = info;
            Index = index;
            string role = RoleWord(info.Role);
            Property = char.ToUpperInvariant(layerStem[0]) + layerStem.Substring(1) + role;
            LayerStem = layerStem;
            Field = "_" + layerStem + role;
        }

        public ParameterInfo Info { get; }

        /// <summary>Position in the class's parameter table.</summary>
        public int Index { get; }

        /// <summary><c>Layer0Weight</c>.</summary>
        public string Property { get; }

        /// <summary><c>_layer0Weight</c>.</summary>
        public string Field { get; }

        /// <summary>The owning layer's part of the names, camel-cased: <c>layer0</c>, <c>fc1</c>; a kind names derived fields with it (<c>_layer1Scale</c>).</summary>
        public string LayerStem { get; }

        /// <summary>Dense and Conv2D weights are matrices <c>[out, in·k·k]</c>; everything else a vector.</summary>
        public bool IsMatrix => Info.Role == ParameterRole.Weight && Info.Dimensions.Count > 1;

        public int Rows => Info.Dimensions[0];

        public int Columns => (int)(Info.Size / Info.Dimensions[0]);

        /// <summary><c>0.weight [16, 8]</c>.</summary>
        public string Text => Info.Name + " [" + string.Join(", ", Info.Dimensions) + "]";

        /// <summary>Names every parameter; layers whose names sanitise alike get a numeric suffix.</summary>
        public static List<ParameterMember> For(IReadOnlyList<ParameterInfo> parameters)
        {
            var stems = new Dictionary<string, string>();
            var used = new HashSet<string>();
            var members = new List<ParameterMember>();
            for (int i = 0; i < parameters.Count; i++)
            {
                string layer = string.Join(".", parameters[i].Path);
                if (!stems.TryGetValue(layer, out string? stem))
                {
                    string name = Stem(parameters[i].Module);
                    stem = name;
                    for (int n = 2; !used.Add(stem); n++) stem = name + n.ToString(CultureInfo.InvariantCulture);
                    stems[layer] = stem;
                }
                members.Add(new ParameterMember(parameters[i], i, stem));
            }
            return members;
        }

        /// <summary>The word a role adds to member names: <c>Weight</c>, <c>Bias</c>, <c>RunningMean</c>, <c>RunningVar</c>.</summary>
        public static string RoleWord(ParameterRole role) => role.ToString();

        // "0" → layer0, "fc1" → fc1, "block.conv1" → blockConv1, "layer2.0.downsample.1" → layer2_0Downsample_1.
        private static string Stem(string module)
        {
            var name = new StringBuilder();
            string[] segments = module.Split('.');
            for (int s = 0; s < segments.Length; s++)
            {
                string segment = segments[s];
                if (segment.Length > 0 && char.IsDigit(segment[0]))
                {
                    name.Append(s == 0 ? "layer" : "_").Append(segment);
                    continue;
                }
                bool upper = s > 0;
                foreach (char c in segment)
                {
                    if (!char.IsLetterOrDigit(c))
                    {
                        upper = true;
                        continue;
                    }
                    name.Append(upper ? char.ToUpperInvariant(c) : name.Length == 0 ? char.ToLowerInvariant(c) : c);
                    upper = false;
                }
            }
            return name.Length == 0 || char.IsDigit(name[0]) ? "p" + name : name.ToString();
        }
    }
}
