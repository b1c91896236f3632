using System.Numerics;
using Relucent.Model;

namespace Relucent.Attribution
{
    /// <summary>
    /// Guided Grad-CAM (Selvaraju et al. 2017), as Captum's <c>GuidedGradCam(model, layer).attribute(x, target)</c>: the
    /// guided backpropagation map times <c>ReLU(Grad-CAM)</c> brought to the input's height and width by nearest neighbour
    /// (<see cref="Interpolation.Nearest"/>, Captum's default <c>interpolate_mode</c>), the same plane for every channel:
    /// C·H·W values, the input's shape.
    /// </summary>
    /// <remarks>
    /// Two backward passes, as Captum's: the gradient down to the layer (Grad-CAM), and guided backpropagation down to the
    /// input. The network must have the <see cref="BackwardRule.GuidedBackprop"/> rule and an image input.
    /// </remarks>
    public sealed class GuidedGradCam<T> : IAttribution<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly GradCam<T> _gradCam;
        private readonly RuleMap<T> _guided;
        private readonly T[] _cam;
        private readonly T[] _upsampled;
        private readonly SingleCaller _inUse;

        /// <summary>Guided Grad-CAM with Grad-CAM at <paramref name="layer"/>.</summary>
        /// <exception cref="ArgumentException">
        /// The network has no GuidedBackprop rule, its input is not an image, or no layer has that name.
        /// </exception>
        public GuidedGradCam(ILayerExplainer<T> explainer, string layer, Interpolation interpolation = Interpolation.Nearest)
        {
            ArgumentNullException.ThrowIfNull(explainer);
            string name = SingleCaller.NameOf(GetType());
            if (!explainer.Rules.Contains(BackwardRule.GuidedBackprop))
            {
                throw new ArgumentException(
                    $"{name} multiplies by the guided backpropagation map, but {ClassName(explainer)} has no GuidedBackprop rule; its rules are "
                    + $"{string.Join(", ", explainer.Rules)}. Add [GuidedBackprop] to the class, or use GradCam<T> alone.", nameof(explainer));
            }

            Shape input = explainer.Architecture.InputShape;
            if (!input.IsImage) throw new ArgumentException($"{name} upsamples Grad-CAM to an image input [C, H, W]; this network's input is {input}.", nameof(explainer));
            _gradCam = new GradCam<T>(explainer, layer);
            if (!_gradCam.Layer.Shape.IsImage)
            {
                throw new ArgumentException($"{name}: layer '{layer}' is a vector {_gradCam.Layer.Shape}; Guided Grad-CAM needs a layer with height and width [C, h, w].", nameof(layer));
            }

            _guided = new RuleMap<T>(explainer, BackwardRule.GuidedBackprop);
            Interpolation = interpolation;
            _cam = new T[_gradCam.ResultShape.Size];
            _upsampled = new T[input.Height * input.Width];
            _inUse = new SingleCaller(name);
        }

        /// <inheritdoc />
        public IExplainer<T> Explainer => _gradCam.Explainer;

        /// <summary>The layer Grad-CAM is computed at.</summary>
        public NamedLayer Layer => _gradCam.Layer;

        /// <summary>How Grad-CAM is brought to the input's size (nearest neighbour, Captum's default).</summary>
        public Interpolation Interpolation { get; }

        /// <inheritdoc />
        /// <exception cref="InvalidOperationException">Another call is using this instance (from another thread).</exception>
        public void Attribute(ReadOnlySpan<T> input, Target target, Span<T> result)
        {
            using SingleCaller.Scope use = _inUse.Enter();
            Checks.InputAndResult(Explainer, input, result);
            _gradCam.Attribute(input, target, _cam);
            PostProcessing.ReluInPlace<T>(_cam);
            Shape image = Explainer.Architecture.InputShape, layer = _gradCam.ResultShape;
            Upsampling.Upsample<T>(_cam, 1, layer.Height, layer.Width, _upsampled, image.Height, image.Width, Interpolation);
            _guided.Attribute(input, target, result);
            int plane = _upsampled.Length;
            for (int i = 0; i < result.Length; i++) result[i] *= _upsampled[i % plane];
        }

        private static string ClassName(IExplainer<T> explainer) =>
            explainer.GetType().IsGenericType ? "the " + SingleCaller.NameOf(explainer.GetType()) : "class " + explainer.GetType().Name;
    }
}
