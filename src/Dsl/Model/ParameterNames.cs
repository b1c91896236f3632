using System;
using System.Collections.Generic;
using System.Linq;

namespace Relucent.Model
{
    /// <summary>
    /// Names every parameter as PyTorch's <c>nn.Sequential</c> would: each layer call takes the next index
    /// (ReLU included), <c>name:</c> replaces the index, and a residual block prefixes its branch's names
    /// with its own (<c>"2.conv1.weight"</c>), so a saved <c>state_dict</c> loads as it is.
    /// </summary>
    public static class ParameterNames
    {
        /// <summary>
        /// Lists the parameters of a network whose shapes are already checked by <see cref="ShapeRules.Infer(Shape, IReadOnlyList{Layer}, out Shape[])"/>.
        /// Returns an error when two parameters share a name.
        /// </summary>
        public static LayerError? List(Shape input, IReadOnlyList<Layer> layers, out ParameterInfo[] parameters)
        {
            var list = new List<ParameterInfo>();
            Collect(input, layers, "", Array.Empty<int>(), list);
            parameters = list.ToArray();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (ParameterInfo parameter in parameters)
            {
                if (!seen.Add(parameter.Name))
                {
                    return new LayerError(parameter.Path, "name", LayerErrorKind.DuplicateName,
                        $"Parameter name '{parameter.Name}' is used twice; give this layer another name (layer {string.Join(".", parameter.Path)})");
                }
            }
            return null;
        }

        private static void Collect(Shape input, IReadOnlyList<Layer> layers, string prefix, int[] pathPrefix, List<ParameterInfo> into)
        {
            Shape current = input;
            for (int i = 0; i < layers.Count; i++)
            {
                Layer layer = layers[i];
                int[] path = pathPrefix.Concat(new[] { i }).ToArray();
                string name = prefix + (layer.Name ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                switch (layer)
                {
                    case DenseLayer dense:
                        Add(into, name, path, ParameterRole.Weight, dense.Units, (int)current.Size);
                        Add(into, name, path, ParameterRole.Bias, dense.Units);
                        break;
                    case Conv2DLayer conv:
                        Add(into, name, path, ParameterRole.Weight, conv.Filters, current.Channels, conv.Kernel, conv.Kernel);
                        if (conv.Bias) Add(into, name, path, ParameterRole.Bias, conv.Filters);
                        break;
                    case BatchNormLayer _:
                        Add(into, name, path, ParameterRole.Weight, current.Channels);
                        Add(into, name, path, ParameterRole.Bias, current.Channels);
                        Add(into, name, path, ParameterRole.RunningMean, current.Channels);
                        Add(into, name, path, ParameterRole.RunningVar, current.Channels);
                        break;
                    case ResidualLayer residual:
                        Collect(current, residual.Body, name + ".", path, into);
                        break;
                }
                ShapeRules.Check(layer, current, path, out current);
            }
        }

        private static void Add(List<ParameterInfo> into, string layerName, int[] path, ParameterRole role, params int[] dimensions) =>
            into.Add(new ParameterInfo(layerName + "." + ParameterInfo.Suffix(role), new EquatableArray<int>(dimensions), new EquatableArray<int>(path), role));
    }
}
