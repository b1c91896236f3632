using System.Numerics;
using Relucent.Model;

namespace Relucent.Attribution
{
    /// <summary>
    /// A class activation map: one weight <c>w_k</c> per channel of a named layer, from the signal arriving there, and the
    /// map <c>Σ_k w_k · A_k</c> at the layer's resolution (<c>[1, h, w]</c>; one value for a vector layer). Grad-CAM and
    /// Grad-CAM++ differ only in the weights.
    /// </summary>
    /// <remarks>
    /// The map is raw: signed, at the layer's resolution, not normalised. Captum's <c>relu_attributions=True</c> and
    /// pytorch-grad-cam's <c>np.maximum(cam, 0)</c> are <see cref="PostProcessing.Relu{T}(T[])"/>; bringing it to the input's
    /// size is <see cref="Upsampling"/>; pytorch-grad-cam's scaling to [0, 1] is <see cref="PostProcessing.Normalize{T}(T[], Normalization)"/>.
    /// Weights and sums are accumulated in float64 and rounded once.
    /// </remarks>
    public abstract class ClassActivationMap<T> : LayerAttribution<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly double[] _weights;

        /// <summary>Binds the map to <paramref name="layer"/>, its weights from the signal of <paramref name="rule"/>.</summary>
        protected ClassActivationMap(ILayerExplainer<T> explainer, string layer, BackwardRule rule)
            : base(explainer, layer, rule)
        {
            (int channels, int height, int width) = Planes(Layer.Shape);
            _weights = new double[channels];
            ResultShape = Layer.Shape.IsImage ? Shape.Image(1, height, width) : Shape.Vector(1);
        }

        /// <inheritdoc />
        public override Shape ResultShape { get; }

        /// <summary>The channel weights of the last call (one per channel of the layer).</summary>
        public ReadOnlySpan<double> Weights => _weights;

        /// <inheritdoc />
        protected override void Combine(ReadOnlySpan<T> activation, ReadOnlySpan<T> signal, Span<T> result)
        {
            (int channels, int height, int width) = Planes(Layer.Shape);
            int plane = height * width;
            ChannelWeights(activation, signal, channels, plane, _weights);
            for (int p = 0; p < plane; p++)
            {
                double sum = 0;
                for (int k = 0; k < channels; k++) sum += _weights[k] * double.CreateTruncating(activation[k * plane + p]);
                result[p] = T.CreateTruncating(sum);
            }
        }

        /// <summary>
        /// Writes one weight per channel into <paramref name="weights"/> from the layer's <paramref name="activation"/> and
        /// <paramref name="signal"/> (<paramref name="channels"/> planes of <paramref name="plane"/> values each).
        /// </summary>
        protected abstract void ChannelWeights(ReadOnlySpan<T> activation, ReadOnlySpan<T> signal, int channels, int plane, Span<double> weights);
    }

    /// <summary>
    /// Grad-CAM (Selvaraju et al. 2017) at a named layer: <c>Σ_k mean_ij(∂y_t/∂A_k) · A_k</c>, h·w values at the layer's
    /// resolution. Captum's <c>LayerGradCam(model, layer).attribute(x, target, relu_attributions=False)</c>, and
    /// pytorch-grad-cam's <c>GradCAM</c> before its ReLU, resize and scaling.
    /// </summary>
    /// <remarks>
    /// One forward pass and a backward pass that stops at the layer: nothing below it is computed, so Grad-CAM at a late
    /// layer costs less than a full gradient. For a vector layer (after <c>Flatten</c>, a dense layer) the mean is over one
    /// value, as Captum's: the map is the single value <c>Σ_k g_k·A_k</c>.
    /// </remarks>
    public sealed class GradCam<T> : ClassActivationMap<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <summary>Grad-CAM at <paramref name="layer"/> (a module path from <see cref="ILayerExplainer{T}.NamedLayers"/>), from the gradient by default.</summary>
        public GradCam(ILayerExplainer<T> explainer, string layer, BackwardRule rule = BackwardRule.Saliency)
            : base(explainer, layer, rule)
        {
        }

        /// <inheritdoc />
        protected override void ChannelWeights(ReadOnlySpan<T> activation, ReadOnlySpan<T> signal, int channels, int plane, Span<double> weights)
        {
            for (int k = 0; k < channels; k++)
            {
                double sum = 0;
                foreach (T g in signal.Slice(k * plane, plane)) sum += double.CreateTruncating(g);
                weights[k] = sum / plane;
            }
        }
    }

    /// <summary>
    /// Grad-CAM++ (Chattopadhyay et al. 2018) as pytorch-grad-cam's <c>GradCAMPlusPlus</c> computes its weights:
    /// <c>α_kij = g²/(2g² + (Σ_ij A_k)·g³ + 1e-6)</c> where <c>g = ∂y_t/∂A_kij ≠ 0</c> (0 elsewhere),
    /// <c>w_k = Σ_ij max(g, 0)·α_kij</c>, and the map <c>Σ_k w_k·A_k</c> at the layer's resolution.
    /// </summary>
    /// <remarks>
    /// Raw, before pytorch-grad-cam's <c>np.maximum(cam, 0)</c>, resize and min-max scaling (see
    /// <see cref="ClassActivationMap{T}"/> for those steps). The gradient is of the raw logit, as pytorch-grad-cam's
    /// <c>ClassifierOutputTarget</c>; the paper's exponential of the score is not applied (pytorch-grad-cam does not).
    /// </remarks>
    public sealed class GradCamPlusPlus<T> : ClassActivationMap<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <summary>The constant pytorch-grad-cam adds to the denominator of α.</summary>
        public const double Epsilon = 1e-6;

        /// <summary>Grad-CAM++ at <paramref name="layer"/>, from the gradient by default.</summary>
        public GradCamPlusPlus(ILayerExplainer<T> explainer, string layer, BackwardRule rule = BackwardRule.Saliency)
            : base(explainer, layer, rule)
        {
        }

        /// <inheritdoc />
        protected override void ChannelWeights(ReadOnlySpan<T> activation, ReadOnlySpan<T> signal, int channels, int plane, Span<double> weights)
        {
            for (int k = 0; k < channels; k++)
            {
                double activations = 0;
                foreach (T a in activation.Slice(k * plane, plane)) activations += double.CreateTruncating(a);
                double weight = 0;
                foreach (T value in signal.Slice(k * plane, plane))
                {
                    double g = double.CreateTruncating(value);
                    if (g <= 0) continue; // α is 0 where g is 0, and max(g, 0) is 0 where g is negative
                    double g2 = g * g;
                    weight += g * g2 / (2 * g2 + activations * g2 * g + Epsilon);
                }

                weights[k] = weight;
            }
        }
    }
}
