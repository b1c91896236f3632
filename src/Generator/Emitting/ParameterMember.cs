using System.Collections.Generic;
using System.Globalization;
using System.Text;
using Relucent.Model;

namespace Relucent.Generator.Emitting
{
    /// <summary>
    /// A parameter as the generated class holds it: a public MathNet property named after the <c>state_dict</c>
    /// name (<c>"0.weight"</c> → <c>Layer0Weight</c>, <c>"fc1.bias"</c> → <c>Fc1Bias</c>) and a private field over the
    /// same storage that the kernels read.
    /// </summary>
    internal sealed class ParameterMember
    {
        public ParameterMember(ParameterInfo info, int index, string property)
        {
            Info = info;
            Index = index;
            Property = property;
            Field = "_" + char.ToLowerInvariant(property[0]) + property.Substring(1);
        }

        public ParameterInfo Info { get; }

        /// <summary>Position in the class's parameter table.</summary>
        public int Index { get; }

        public string Property { get; }

        public string Field { get; }

        /// <summary>Dense and Conv2D weights are matrices <c>[out, in·k·k]</c>; everything else a vector.</summary>
        public bool IsMatrix => Info.Role == ParameterRole.Weight && Info.Dimensions.Count > 1;

        public int Rows => Info.Dimensions[0];

        public int Columns => (int)(Info.Size / Info.Dimensions[0]);

        /// <summary><c>0.weight [16, 8]</c>.</summary>
        public string Text => Info.Name + " [" + string.Join(", ", Info.Dimensions) + "]";

        /// <summary>Names every parameter, adding a numeric suffix on the rare clash after sanitising.</summary>
        public static List<ParameterMember> For(IReadOnlyList<ParameterInfo> parameters)
        {
            var members = new List<ParameterMember>();
            var used = new HashSet<string>();
            for (int i = 0; i < parameters.Count; i++)
            {
                string name = PropertyName(parameters[i].Name);
                string unique = name;
                for (int n = 2; !used.Add(unique); n++) unique = name + n.ToString(CultureInfo.InvariantCulture);
                members.Add(new ParameterMember(parameters[i], i, unique));
            }
            return members;
        }

        private static string PropertyName(string stateDictName)
        {
            var name = new StringBuilder();
            string[] segments = stateDictName.Split('.');
            for (int s = 0; s < segments.Length; s++)
            {
                string segment = segments[s];
                if (segment.Length > 0 && char.IsDigit(segment[0]))
                {
                    name.Append(s == 0 ? "Layer" : "_").Append(segment);
                    continue;
                }
                bool upper = true;
                foreach (char c in segment)
                {
                    if (!char.IsLetterOrDigit(c))
                    {
                        upper = true;
                        continue;
                    }
                    name.Append(upper ? char.ToUpperInvariant(c) : c);
                    upper = false;
                }
            }
            return name.Length == 0 || char.IsDigit(name[0]) ? "P" + name : name.ToString();
        }
    }
}
