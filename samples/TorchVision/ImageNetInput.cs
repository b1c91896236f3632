using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Relucent.Samples.TorchVision;

/// <summary>
/// A photograph as torchvision's ImageNet weights expect it (<c>transforms.Resize(256)</c>, <c>CenterCrop(224)</c>,
/// <c>ToTensor()</c>, <c>Normalize(mean, std)</c>): 3×224×224 values, C·H·W.
/// </summary>
public static class ImageNetInput
{
    /// <summary>torchvision's ImageNet channel means (R, G, B).</summary>
    public static readonly float[] Mean = [0.485f, 0.456f, 0.406f];

    /// <summary>torchvision's ImageNet channel standard deviations (R, G, B).</summary>
    public static readonly float[] Std = [0.229f, 0.224f, 0.225f];

    /// <summary>The image at <paramref name="path"/> (PNG, JPEG, ...), its shorter side resized to 256, centre-cropped to 224×224, normalised.</summary>
    public static float[] FromFile(string path)
    {
        using Image<Rgb24> image = Image.Load<Rgb24>(path);
        image.Mutate(x => x.Resize(new ResizeOptions { Size = new Size(256, 256), Mode = ResizeMode.Min, Sampler = KnownResamplers.Triangle }));
        image.Mutate(x => x.Crop(new Rectangle((image.Width - 224) / 2, (image.Height - 224) / 2, 224, 224)));
        var input = new float[3 * 224 * 224];
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < 224; y++)
            {
                Span<Rgb24> row = rows.GetRowSpan(y);
                for (int x = 0; x < 224; x++)
                {
                    input[(0 * 224 + y) * 224 + x] = (row[x].R / 255f - Mean[0]) / Std[0];
                    input[(1 * 224 + y) * 224 + x] = (row[x].G / 255f - Mean[1]) / Std[1];
                    input[(2 * 224 + y) * 224 + x] = (row[x].B / 255f - Mean[2]) / Std[2];
                }
            }
        });
        return input;
    }

    /// <summary>A mid-grey image (every pixel 0.5 before normalising), for a run without a photograph.</summary>
    public static float[] Grey()
    {
        var input = new float[3 * 224 * 224];
        for (int c = 0; c < 3; c++) input.AsSpan(c * 224 * 224, 224 * 224).Fill((0.5f - Mean[c]) / Std[c]);
        return input;
    }
}
