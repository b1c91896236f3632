using Relucent.Attribution;
using Relucent.Model;

namespace Relucent.Samples.Shapes
{
    /// <summary>
    /// Grad-CAM brought to the input's shape, so that it goes through the sample's pictures, metrics and randomisation
    /// check as the input maps do: the map's positive part (Captum's <c>relu_attributions=True</c>, pytorch-grad-cam's
    /// <c>np.maximum(cam, 0)</c>), enlarged bilinearly to 32×32 (<c>align_corners=False</c>), the same plane in every channel.
    /// </summary>
    internal sealed class CamAtInput : IAttribution<float>
    {
        private readonly GradCam<float> _gradCam;
        private readonly float[] _cam;

        /// <summary>Grad-CAM of <paramref name="net"/> (a generated network: every one is a layer explainer) at <paramref name="layer"/>.</summary>
        public CamAtInput(IExplainer<float> net, string layer)
        {
            _gradCam = new GradCam<float>((ILayerExplainer<float>)net, layer);
            _cam = new float[_gradCam.ResultShape.Size];
        }

        /// <inheritdoc />
        public IExplainer<float> Explainer => _gradCam.Explainer;

        /// <inheritdoc />
        public Shape ResultShape => Explainer.Architecture.InputShape;

        /// <inheritdoc />
        public void Attribute(ReadOnlySpan<float> input, Target target, Span<float> result)
        {
            _gradCam.Attribute(input, target, _cam);
            PostProcessing.ReluInPlace<float>(_cam);
            Shape layer = _gradCam.ResultShape, image = ResultShape;
            int plane = image.Height * image.Width;
            Upsampling.Upsample<float>(_cam, 1, layer.Height, layer.Width, result[..plane], image.Height, image.Width, Interpolation.Bilinear);
            for (int c = 1; c < image.Channels; c++) result[..plane].CopyTo(result.Slice(c * plane, plane));
        }
    }
}
