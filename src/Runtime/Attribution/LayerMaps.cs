using System.Numerics;
using Relucent.Model;

namespace Relucent.Attribution
{
    /// <summary>
    /// A named layer's output <c>A</c> (Captum's <c>LayerActivation</c>), in the layer's shape: the forward pass alone. The
    /// activation does not depend on a target; the overload with one (every method has it) ignores it, and
    /// <see cref="Attribute(ReadOnlySpan{T}, Span{T})"/> needs none.
    /// </summary>
    public sealed class LayerActivation<T> : LayerAttribution<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <summary>The activation of <paramref name="layer"/>.</summary>
        public LayerActivation(ILayerExplainer<T> explainer, string layer)
            : base(explainer, layer, explainer is null ? default : explainer.Rules[0])
        {
        }

        /// <inheritdoc />
        public override Shape ResultShape => Layer.Shape;

        /// <summary>The layer's activation for <paramref name="input"/> into <paramref name="result"/> (the layer's size), with no target.</summary>
        public void Attribute(ReadOnlySpan<T> input, Span<T> result)
        {
            using SingleCaller.Scope use = Enter();
            Checks.InputAndResult(Explainer, input, result, ResultShape);
            Run(input, ReadOnlySpan<T>.Empty, result);
        }

        /// <summary>The layer's activation for <paramref name="input"/>, as a new array.</summary>
        public T[] Attribute(ReadOnlySpan<T> input)
        {
            var result = new T[ResultShape.Size];
            Attribute(input, result);
            return result;
        }

        /// <inheritdoc />
        protected override void Combine(ReadOnlySpan<T> activation, ReadOnlySpan<T> signal, Span<T> result) => activation.CopyTo(result);

        /// <inheritdoc />
        protected override bool ReadsSignal => false;
    }

    /// <summary>
    /// The signal arriving at a named layer, in the layer's shape: under <see cref="BackwardRule.Saliency"/> the gradient
    /// <c>∂y_t/∂A</c> (Captum's <c>LayerGradientXActivation(multiply_by_inputs=False)</c>); under another rule, that rule's
    /// signal there.
    /// </summary>
    public sealed class LayerGradient<T> : LayerAttribution<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <summary>The signal of <paramref name="rule"/> (the gradient by default) at <paramref name="layer"/>.</summary>
        public LayerGradient(ILayerExplainer<T> explainer, string layer, BackwardRule rule = BackwardRule.Saliency)
            : base(explainer, layer, rule)
        {
        }

        /// <inheritdoc />
        public override Shape ResultShape => Layer.Shape;

        /// <inheritdoc />
        protected override void Combine(ReadOnlySpan<T> activation, ReadOnlySpan<T> signal, Span<T> result) => signal.CopyTo(result);
    }

    /// <summary>
    /// Gradient × activation at a named layer, <c>∂y_t/∂A ⊙ A</c>, in the layer's shape (Captum's
    /// <c>LayerGradientXActivation</c>, whose default <c>multiply_by_inputs=True</c> this is); any rule's signal may stand
    /// for the gradient.
    /// </summary>
    public sealed class LayerGradientTimesActivation<T> : LayerAttribution<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <summary>The signal of <paramref name="rule"/> (the gradient by default) at <paramref name="layer"/>, times the activation.</summary>
        public LayerGradientTimesActivation(ILayerExplainer<T> explainer, string layer, BackwardRule rule = BackwardRule.Saliency)
            : base(explainer, layer, rule)
        {
        }

        /// <inheritdoc />
        public override Shape ResultShape => Layer.Shape;

        /// <inheritdoc />
        protected override void Combine(ReadOnlySpan<T> activation, ReadOnlySpan<T> signal, Span<T> result)
        {
            for (int i = 0; i < result.Length; i++) result[i] = signal[i] * activation[i];
        }
    }
}
