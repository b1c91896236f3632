using System;
using System.Collections.Generic;
using System.Globalization;

namespace Relucent.Model
{
    /// <summary>
    /// Names every parameter as PyTorch's module tree would: each layer call takes the next index of its chain (ReLU
    /// included), <c>name:</c> replaces the index, and a block prefixes its chains' names with its own
    /// (<c>"2.conv1.weight"</c>, <c>"layer2.0.downsample.0.weight"</c>), so a saved <c>state_dict</c> loads as it is.
    /// </summary>
    public static class ParameterNames
    {
        /// <summary>
        /// Lists the parameters of a network whose shapes are already checked by <see cref="ShapeRules.Infer"/>.
        /// Returns an error when two parameters share a name.
        /// </summary>
        public static LayerError? List(Shape input, IReadOnlyList<Layer> layers, out ParameterInfo[] parameters)
        {
            var list = new List<ParameterInfo>();
            Shape current = input;
            for (int i = 0; i < layers.Count; i++)
            {
                LayerPath at = LayerPath.Top(i);
                Collect(layers[i], current, ModuleName(layers[i], i), at, list);
                ShapeRules.Check(layers[i], current, at, out current);
            }
            parameters = list.ToArray();
            return FirstDuplicate(parameters, new HashSet<string>(StringComparer.Ordinal), layers);
        }

        /// <summary>
        /// Adds the parameters of <paramref name="layer"/> (a block's chains included) receiving <paramref name="input"/>,
        /// whose module is named <paramref name="module"/> (<c>"3"</c>, <c>"conv1"</c>, <c>"layer2.0"</c>).
        /// </summary>
        public static void Collect(Layer layer, Shape input, string module, LayerPath at, List<ParameterInfo> into)
        {
            foreach (ParameterSpec spec in layer.Parameters(input))
            {
                into.Add(new ParameterInfo(module + "." + ParameterInfo.Suffix(spec.Role), new EquatableArray<int>(spec.Dimensions), new EquatableArray<int>(at.Indices), spec.Role));
            }
            IReadOnlyList<Branch> branches = layer.Branches;
            for (int b = 0; b < branches.Count; b++)
            {
                Shape current = input;
                for (int j = 0; j < branches[b].Layers.Count; j++)
                {
                    Layer inner = branches[b].Layers[j];
                    LayerPath innerAt = at.Inside(b, branches[b].Label, j);
                    Collect(inner, current, module + "." + branches[b].ModuleName(j), innerAt, into);
                    ShapeRules.Check(inner, current, innerAt, out current);
                }
            }
        }

        /// <summary>The module name of top-level layer <paramref name="index"/>: its <c>name:</c> or its index.</summary>
        public static string ModuleName(Layer layer, int index) => layer.Name ?? index.ToString(CultureInfo.InvariantCulture);

        /// <summary>
        /// The error for the first of <paramref name="parameters"/> whose name <paramref name="seen"/> already holds (adding the
        /// others); <paramref name="layers"/> is the network they belong to, for the layer's label.
        /// </summary>
        public static LayerError? FirstDuplicate(IEnumerable<ParameterInfo> parameters, HashSet<string> seen, IReadOnlyList<Layer> layers)
        {
            foreach (ParameterInfo parameter in parameters)
            {
                if (!seen.Add(parameter.Name)) return Duplicate(parameter, layers);
            }
            return null;
        }

        /// <summary>The error for <paramref name="parameter"/>, whose name an earlier parameter of <paramref name="layers"/> has.</summary>
        public static LayerError Duplicate(ParameterInfo parameter, IReadOnlyList<Layer> layers) =>
            new LayerError(parameter.Path, Argument.LayerName.Name, LayerErrorKind.DuplicateName,
                $"Parameter name '{parameter.Name}' is used twice; give this layer another name {PathOf(layers, parameter.Path).Where}");

        /// <summary>The path, with its label, of the layer at <paramref name="indices"/> in <paramref name="layers"/>.</summary>
        public static LayerPath PathOf(IReadOnlyList<Layer> layers, IReadOnlyList<int> indices)
        {
            LayerPath at = LayerPath.Top(indices[0]);
            Layer layer = layers[indices[0]];
            for (int k = 1; k + 1 < indices.Count; k += 2)
            {
                Branch branch = layer.Branches[indices[k]];
                at = at.Inside(indices[k], branch.Label, indices[k + 1]);
                layer = branch.Layers[indices[k + 1]];
            }
            return at;
        }
    }
}
