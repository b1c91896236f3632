using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Relucent.Samples.Photographs;

/// <summary>A 224×224 photograph as planar RGB values in [0, 255] (C·H·W), read from a PNG of exactly that size.</summary>
public sealed class Photograph
{
    /// <summary>The side the network takes.</summary>
    public const int Side = 224;

    private Photograph(string name, float[] rgb)
    {
        Name = name;
        Rgb = rgb;
    }

    /// <summary>The file name without extension: <c>astronaut</c>.</summary>
    public string Name { get; }

    /// <summary>R, G and B planes of 224 × 224 values in [0, 255].</summary>
    public float[] Rgb { get; }

    /// <summary>The photographs shipped with the sample (see images/README.md).</summary>
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "images");

    /// <summary>Reads the shipped photograph <paramref name="name"/> (<c>astronaut</c>, <c>chelsea</c>, <c>coffee</c>, <c>rocket</c>).</summary>
    public static Photograph Shipped(string name) => Load(Path.Combine(Folder, name + ".png"));

    /// <summary>Reads a 224×224 PNG (crop and resize it first: images/README.md says how).</summary>
    public static Photograph Load(string path)
    {
        using Image<Rgb24> image = Image.Load<Rgb24>(path);
        if (image.Width != Side || image.Height != Side)
        {
            throw new InvalidDataException($"'{path}' is {image.Width}×{image.Height}; the network takes {Side}×{Side} photographs.");
        }

        const int plane = Side * Side;
        var rgb = new float[3 * plane];
        var pixels = new Rgb24[plane];
        image.CopyPixelDataTo(pixels);
        for (int p = 0; p < plane; p++)
        {
            rgb[p] = pixels[p].R;
            rgb[plane + p] = pixels[p].G;
            rgb[2 * plane + p] = pixels[p].B;
        }

        return new Photograph(Path.GetFileNameWithoutExtension(path), rgb);
    }
}
