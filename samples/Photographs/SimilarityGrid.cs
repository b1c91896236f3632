using Relucent.Attribution;
using Relucent.Imaging;
using Relucent.Model;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Relucent.Samples.Photographs;

/// <summary>
/// The picture: one row per explained pair, the photograph, the other photograph (whose embedding is the seed), then
/// each column's heat plane over the photograph in grey: an input map clipped at its 99.5th percentile (a few pixels
/// would otherwise take the whole scale), a class activation map (a layer's h × w) enlarged bilinearly as it is.
/// </summary>
public static class SimilarityGrid
{
    /// <summary>The grid of <paramref name="rows"/>.</summary>
    public static Image<Rgb24> Draw(IReadOnlyList<ExplainedPair> rows)
    {
        var pictures = new List<Image<Rgb24>>();
        foreach (ExplainedPair row in rows)
        {
            pictures.Add(Picture(row.Photograph));
            pictures.Add(Picture(row.Other));
            float[] grey = Grey(row.Photograph);
            foreach (float[] plane in row.Planes) pictures.Add(Heat(plane, grey));
        }

        return Heatmap.Grid(pictures, columns: 2 + rows[0].Planes.Count, spacing: 4);
    }

    /// <summary>A heat plane over the photograph in grey: 224 × 224 values as they are, a smaller square upsampled bilinearly.</summary>
    private static Image<Rgb24> Heat(float[] plane, float[] grey)
    {
        var photograph = Shape.Image(1, Photograph.Side, Photograph.Side);
        var options = new HeatmapOptions { Scale = HeatmapScale.Sequential };
        if (plane.Length == grey.Length) return Heatmap.Overlay<float>(plane.ClipPercentiles(0, 99.5), grey, photograph, Alpha, options);
        int side = (int)Math.Round(Math.Sqrt(plane.Length));
        if (side * side != plane.Length) throw new ArgumentException($"A heat plane is square; got {plane.Length} values.", nameof(plane));
        return Heatmap.OverlayCam<float>(plane, side, side, grey, photograph, Alpha, Interpolation.Bilinear, options);
    }

    private const double Alpha = 0.65;

    /// <summary>The grid at half its size (bicubic), for the README: noisy maps make large PNG files.</summary>
    public static Image<Rgb24> Half(Image<Rgb24> grid) => grid.Clone(x => x.Resize(grid.Width / 2, grid.Height / 2, KnownResamplers.Bicubic));

    /// <summary>The photograph as it is.</summary>
    public static Image<Rgb24> Picture(Photograph photograph)
    {
        const int plane = Photograph.Side * Photograph.Side;
        var pixels = new Rgb24[plane];
        for (int p = 0; p < plane; p++)
        {
            pixels[p] = new Rgb24((byte)photograph.Rgb[p], (byte)photograph.Rgb[plane + p], (byte)photograph.Rgb[2 * plane + p]);
        }

        return Image.LoadPixelData<Rgb24>(pixels, Photograph.Side, Photograph.Side);
    }

    private static float[] Grey(Photograph photograph)
    {
        const int plane = Photograph.Side * Photograph.Side;
        var grey = new float[plane];
        for (int p = 0; p < plane; p++) grey[p] = (photograph.Rgb[p] + photograph.Rgb[plane + p] + photograph.Rgb[2 * plane + p]) / 3;
        return grey;
    }
}
