namespace Relucent.Samples.Photographs;

/// <summary>
/// What the pretrained network reads: a photograph as ML.NET's featurizer prepares it. ML.NET extracts the pixels as
/// planar RGB in [0, 255]; the package's ResNetPreprocess.onnx then reorders them to BGR and subtracts a per-pixel mean
/// image (<c>MeanImage</c>: about 103, 116 and 123 for B, G and R, the ImageNet means Caffe models use). The network's
/// input is that difference, so the zero input is the mean image: the baseline of integrated gradients here.
/// </summary>
public sealed class ModelInput
{
    private readonly float[] _mean;

    private ModelInput(float[] mean) => _mean = mean;

    /// <summary>Values in one input: 3 × 224 × 224.</summary>
    public const int Size = 3 * Photograph.Side * Photograph.Side;

    /// <summary>Reads the mean image from the package's ResNetPreprocess.onnx.</summary>
    public static ModelInput Load(string preprocessPath)
    {
        Tensor mean = OnnxModel.Load(preprocessPath).Initializers["MeanImage"];
        if (!mean.Shape.SequenceEqual(new[] { 1, 3, Photograph.Side, Photograph.Side }))
        {
            throw new InvalidDataException($"'{preprocessPath}': MeanImage is {Tensor.FormatShape(mean.Shape)}, expected [1, 3, 224, 224].");
        }

        return new ModelInput(mean.ToSingle());
    }

    /// <summary>The network's input for <paramref name="photograph"/>: BGR, in [0, 255], minus the mean image.</summary>
    public float[] Prepare(Photograph photograph)
    {
        const int plane = Photograph.Side * Photograph.Side;
        var input = new float[Size];
        for (int c = 0; c < 3; c++)
        {
            int rgb = 2 - c; // B, G, R from R, G, B
            for (int p = 0; p < plane; p++) input[c * plane + p] = photograph.Rgb[rgb * plane + p] - _mean[c * plane + p];
        }

        return input;
    }
}
