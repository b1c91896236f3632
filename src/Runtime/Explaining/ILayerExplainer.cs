using System.Numerics;
using Relucent.Model;

namespace Relucent
{
    /// <summary>
    /// A network that explains at any named layer: its backward pass can stop at a layer (Grad-CAM and layer gradients
    /// read the layer's activation and the signal arriving there, and nothing below is computed) or start at one (neuron
    /// attribution: the input map of one hidden unit). Generated networks and the <see cref="Interpreter{T}"/> implement it,
    /// under every rule they have. Nothing is hooked at run time: the stops and starts are part of the backward pass.
    /// </summary>
    public interface ILayerExplainer<T> : IExplainer<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <summary>
        /// The layers that can be addressed, in forward order: every layer given <c>name:</c>, by its module path as PyTorch
        /// names it (<c>layer4</c>, <c>layer1.0.conv1</c>); a block's name addresses the block's output (a residual sum).
        /// </summary>
        IReadOnlyList<NamedLayer> NamedLayers { get; }

        /// <summary>
        /// Runs <paramref name="input"/> forward and writes <paramref name="layer"/>'s output into <paramref name="activation"/>:
        /// no backward pass (Captum's <c>LayerActivation</c>).
        /// </summary>
        void ActivationAt(string layer, ReadOnlySpan<T> input, Span<T> activation, IWorkspace workspace);

        /// <summary>
        /// Runs <paramref name="input"/> forward, then the backward pass under <paramref name="rule"/> from
        /// <paramref name="seed"/> at the output down to <paramref name="layer"/>'s output and no further: writes the layer's
        /// activation into <paramref name="activation"/> and the signal arriving at it (under Saliency, the gradient of
        /// <c>seed · output</c> with respect to the activation) into <paramref name="signal"/>.
        /// </summary>
        void ExplainAt(BackwardRule rule, string layer, ReadOnlySpan<T> input, ReadOnlySpan<T> seed, Span<T> activation, Span<T> signal, IWorkspace workspace);

        /// <summary>
        /// Runs <paramref name="input"/> forward, then the backward pass under <paramref name="rule"/> from
        /// <paramref name="layerSeed"/> placed at <paramref name="layer"/>'s output (a one-hot for one hidden unit) down to the
        /// input, into <paramref name="result"/>. Only layers outside blocks can start a pass (<see cref="NamedLayer.CanStart"/>).
        /// </summary>
        void ExplainFrom(BackwardRule rule, string layer, ReadOnlySpan<T> input, ReadOnlySpan<T> layerSeed, Span<T> result, IWorkspace workspace);
    }

    /// <summary>A layer that can be addressed by name: its module path, its output shape, its label and whether a backward pass can start there.</summary>
    /// <param name="Name">The module path: the layer's <c>name:</c> after its enclosing blocks' (<c>layer1.0.conv1</c>).</param>
    /// <param name="Shape">The layer's output shape, the shape of its activation and its signal.</param>
    /// <param name="Label">Where it is, as messages and generated comments say it: <c>3</c>, <c>2.shortcut.0</c>.</param>
    /// <param name="CanStart">Whether <see cref="ILayerExplainer{T}.ExplainFrom"/> may start there: the layer is not inside a block.</param>
    /// <param name="Path">Its indices from the top (<see cref="LayerPath.Indices"/>).</param>
    public sealed record NamedLayer(string Name, Shape Shape, string Label, bool CanStart, EquatableArray<int> Path)
    {
        /// <summary>
        /// The named layers of <paramref name="network"/>, in forward order: what every <see cref="ILayerExplainer{T}"/> of it
        /// lists, generated or interpreted.
        /// </summary>
        public static IReadOnlyList<NamedLayer> Of(Network network)
        {
            ArgumentNullException.ThrowIfNull(network);
            var named = new List<NamedLayer>();
            Shape current = network.InputShape;
            for (int i = 0; i < network.Layers.Count; i++)
            {
                Layer layer = network.Layers[i];
                Collect(layer, current, LayerPath.Top(i), ParameterNames.ModuleName(layer, i), topLevel: true, named);
                current = network.LayerOutputShapes[i];
            }
            return named;
        }

        /// <summary>The index in <paramref name="layers"/> of the layer named <paramref name="name"/>.</summary>
        /// <exception cref="ArgumentException">No layer, or several, have that name; the message lists the names there are.</exception>
        public static int Find(IReadOnlyList<NamedLayer> layers, string name)
        {
            ArgumentNullException.ThrowIfNull(name);
            int found = -1;
            for (int i = 0; i < layers.Count; i++)
            {
                if (layers[i].Name != name) continue;
                if (found >= 0)
                {
                    found = -1;
                    break;
                }

                found = i;
            }

            return found >= 0 ? found : Refuse(layers, name); // the one match, found without allocating (layer methods call this on every call)
        }

        // Apart, so that its lambdas' closure is allocated only on the way that throws.
        private static int Refuse(IReadOnlyList<NamedLayer> layers, string name)
        {
            int[] matches = Enumerable.Range(0, layers.Count).Where(i => layers[i].Name == name).ToArray();
            if (matches.Length == 1) return matches[0];
            string known = layers.Count == 0 ? "none: give layers a name: to address them" : string.Join(", ", layers.Select(l => l.Name).Distinct());
            throw new ArgumentException(matches.Length == 0
                ? $"No layer is named '{name}'; the named layers are {known}."
                : $"Layers {string.Join(" and ", matches.Select(i => layers[i].Label))} are both named '{name}'; give them different names to address one.", nameof(name));
        }

        // module: the layer's module path whether or not it is named (its inner layers' names start with it).
        private static void Collect(Layer layer, Shape input, LayerPath at, string module, bool topLevel, List<NamedLayer> into)
        {
            ShapeRules.Check(layer, input, at, out Shape output);
            for (int b = 0; b < layer.Branches.Count; b++)
            {
                Branch branch = layer.Branches[b];
                Shape current = input;
                for (int j = 0; j < branch.Layers.Count; j++)
                {
                    Layer inner = branch.Layers[j];
                    LayerPath innerAt = at.Inside(b, branch.Label, j);
                    Collect(inner, current, innerAt, module + "." + branch.ModuleName(j), topLevel: false, into);
                    ShapeRules.Check(inner, current, innerAt, out current);
                }
            }
            if (layer.Name != null) into.Add(new NamedLayer(module, output, at.Label, topLevel, new EquatableArray<int>(at.Indices)));
        }
    }
}
