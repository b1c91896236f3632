using System.Numerics;
using Relucent.Model;

namespace Relucent.Attribution
{
    /// <summary>
    /// The input map of one hidden unit: the backward pass starts at a named layer's output from a one-hot seed on the
    /// unit (<see cref="ILayerExplainer{T}.ExplainFrom"/>) and runs down to the input under any rule. The gradient is
    /// Captum's <c>NeuronGradient(model, layer).attribute(x, neuron_selector)</c>; DeconvNet and GuidedBackprop are
    /// Captum's <c>NeuronDeconvolution</c> and <c>NeuronGuidedBackprop</c>.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The <see cref="Target"/> names the unit, not an output class: <c>Target.Class(i)</c> (or just <c>i</c>) is unit
    /// <c>i</c> of the layer's output in C·h·w order (<see cref="Unit"/> computes it from a channel, row and column, as
    /// Captum's tuple selector); <c>Target.Seed(...)</c> is any signal at the layer, one value per unit. Nothing above the
    /// layer runs backward.
    /// </para>
    /// <para>
    /// Only a layer outside blocks can start a pass (<see cref="NamedLayer.CanStart"/>): a layer inside a residual or
    /// concatenation block is refused when the method is made.
    /// </para>
    /// </remarks>
    public sealed class NeuronGradient<T> : IAttribution<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T[] _layerSeed;
        private readonly SingleCaller _inUse;
        private IWorkspace? _workspace;

        /// <summary>The input maps of the units of <paramref name="layer"/> under <paramref name="rule"/> (the gradient by default).</summary>
        /// <exception cref="ArgumentException">No layer has that name, it lies inside a block, or the network lacks the rule.</exception>
        public NeuronGradient(ILayerExplainer<T> explainer, string layer, BackwardRule rule = BackwardRule.Saliency)
        {
            ArgumentNullException.ThrowIfNull(explainer);
            ArgumentNullException.ThrowIfNull(layer);
            Checks.HasRule(explainer, rule, nameof(rule));
            string name = SingleCaller.NameOf(GetType());
            Layer = LayerAttribution<T>.FindLayer(explainer, layer, name);
            if (!Layer.CanStart)
            {
                throw new ArgumentException(
                    $"{name}: layer '{layer}' (layer {Layer.Label}) lies inside a block, where a backward pass cannot start; name a layer outside blocks, "
                    + "such as the block itself.", nameof(layer));
            }

            Network = explainer;
            Rule = rule;
            _layerSeed = new T[checked((int)Layer.Shape.Size)];
            _inUse = new SingleCaller(name);
        }

        /// <inheritdoc />
        public IExplainer<T> Explainer => Network;

        /// <summary>The network, as the layer explainer it is.</summary>
        public ILayerExplainer<T> Network { get; }

        /// <summary>The layer whose units are explained.</summary>
        public NamedLayer Layer { get; }

        /// <summary>The backward rule.</summary>
        public BackwardRule Rule { get; }

        /// <summary>The unit at <paramref name="channel"/>, <paramref name="row"/>, <paramref name="column"/> of an image layer, as a target (its C·h·w index).</summary>
        /// <exception cref="ArgumentOutOfRangeException">The position lies outside the layer's shape, or the layer is a vector.</exception>
        public Target Unit(int channel, int row, int column)
        {
            Shape shape = Layer.Shape;
            if (!shape.IsImage || (uint)channel >= (uint)shape.Channels || (uint)row >= (uint)shape.Height || (uint)column >= (uint)shape.Width)
            {
                throw new ArgumentOutOfRangeException(nameof(channel), $"Unit ({channel}, {row}, {column}) is not in layer '{Layer.Name}' of shape {shape}.");
            }

            return Target.Class((channel * shape.Height + row) * shape.Width + column);
        }

        /// <inheritdoc />
        /// <exception cref="ArgumentOutOfRangeException">The target is not a unit of the layer.</exception>
        /// <exception cref="InvalidOperationException">Another call is using this instance (from another thread).</exception>
        public void Attribute(ReadOnlySpan<T> input, Target target, Span<T> result)
        {
            using SingleCaller.Scope use = _inUse.Enter();
            Checks.InputAndResult(Explainer, input, result);
            target.ThrowIfUnset();
            int units = _layerSeed.Length;
            if (target.IsClass && target.ClassIndex >= units)
            {
                throw new ArgumentOutOfRangeException(nameof(target), target.ClassIndex,
                    $"target is unit {target.ClassIndex}, but layer '{Layer.Name}' has {units} units (shape {Layer.Shape}, 0 to {units - 1}).");
            }

            if (!target.IsClass && target.SeedValues.Length != units)
            {
                throw new ArgumentException($"The target's seed has {target.SeedValues.Length} values but layer '{Layer.Name}' has {units} units (shape {Layer.Shape}).", nameof(target));
            }

            target.WriteSeed<T>(_layerSeed);
            Network.ExplainFrom(Rule, Layer.Name, input, _layerSeed, result, _workspace ??= Network.CreateWorkspace());
        }
    }
}
