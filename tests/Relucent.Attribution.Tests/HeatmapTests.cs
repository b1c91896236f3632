using Relucent.Imaging;
using Relucent.Model;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Relucent.Attribution.Tests;

/// <summary>
/// Heatmaps against an approved PNG committed in Approved/. The approved picture was written once by this code and
/// looked at; later runs compare pixels. To approve a deliberate change, run with RELUCENT_APPROVE=1 (it rewrites
/// Approved/*.png in the source tree), look at the picture, and commit it.
/// </summary>
public class HeatmapTests
{
    private const int Height = 12, Width = 16;

    // A signed map from exact arithmetic only (no transcendental functions), so every machine computes the same bits.
    private static double[] SignedMap()
    {
        var map = new double[Height * Width];
        for (int y = 0; y < Height; y++)
        {
            for (int x = 0; x < Width; x++)
            {
                double u = (x - 7.5) / 7.5, v = (y - 5.5) / 5.5;
                map[y * Width + x] = u * (1 - v * v) - 0.3 * v * u * u;
            }
        }

        return map;
    }

    // A 3-channel input: a red gradient left to right, a green one top to bottom, blue constant.
    private static (double[] Image, Shape Shape) ColourInput()
    {
        int plane = Height * Width;
        var image = new double[3 * plane];
        for (int p = 0; p < plane; p++)
        {
            image[p] = (p % Width) / (double)(Width - 1);
            image[plane + p] = (p / Width) / (double)(Height - 1);
            image[2 * plane + p] = 0.25;
        }

        return (image, Shape.Image(3, Height, Width));
    }

    private static Image<Rgb24> Picture()
    {
        double[] signed = SignedMap();
        double[] magnitude = signed.Abs();
        (double[] image, Shape shape) = ColourInput();
        var pictures = new List<Image<Rgb24>>
        {
            Heatmap.Render<double>(signed, Height, Width, new HeatmapOptions { PixelSize = 6 }),                       // diverging, auto
            Heatmap.Render<double>(magnitude, Height, Width, new HeatmapOptions { PixelSize = 6 }),                    // sequential (hot)
            Heatmap.Render<double>(magnitude, Height, Width, new HeatmapOptions { PixelSize = 6, Colormap = Colormap.Gray, Maximum = 2 }),
            Heatmap.Overlay<double>(magnitude, image, shape, alpha: 0.6, new HeatmapOptions { PixelSize = 6 }),
            Heatmap.Overlay<double>(signed, image.AsSpan(0, Height * Width), Shape.Image(1, Height, Width), alpha: 0.5, new HeatmapOptions { PixelSize = 6 }),
        };
        return Heatmap.Grid(pictures, columns: 3, spacing: 4);
    }

    [Fact]
    public void The_heatmap_grid_matches_the_approved_png()
    {
        using Image<Rgb24> picture = Picture();
        byte[] png = Heatmap.EncodePng(picture);
        Approved.AssertPng("heatmaps.png", png);
        Assert.False(File.Exists(Path.Combine(AppContext.BaseDirectory, "heatmaps.received.png")), "a passing comparison left its received picture behind");
    }

    [Fact]
    public void The_same_map_gives_identical_png_bytes()
    {
        CaptumLeNet net = CaptumLeNet.Load(Fixture.Path("lenet.weights.safetensors"));
        float[] x = Fixture.Row<float>(Fixture.Cases("lenet")["inputs"], 0);
        float[] map = net.IntegratedGradients(x, 1);
        byte[] first = Heatmap.EncodePng(Heatmap.Overlay<float>(map, x, CaptumLeNet.Architecture.InputShape, 0.5, new HeatmapOptions { PixelSize = 4 }));
        byte[] second = Heatmap.EncodePng(Heatmap.Overlay<float>(map, x, CaptumLeNet.Architecture.InputShape, 0.5, new HeatmapOptions { PixelSize = 4 }));
        Assert.Equal(first, second);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, first.Take(4));
    }

    [Fact]
    public void Colormaps_put_zero_at_the_neutral_colour_and_the_maximum_at_the_end()
    {
        double[] map = { -2, -1, 0, 1, 2, 0 };
        using Image<Rgb24> diverging = Heatmap.Render<double>(map, 2, 3);
        Assert.Equal(new Rgb24(255, 255, 255), diverging[2, 0]);   // 0 → white
        Assert.Equal(new Rgb24(33, 102, 172), diverging[0, 0]);    // −max → blue
        Assert.Equal(new Rgb24(178, 24, 43), diverging[1, 1]);     // +max → red
        Assert.Equal(new Rgb24(144, 179, 214), diverging[1, 0]);   // −max/2 → halfway blue–white: (33+255)/2 = 144, …

        using Image<Rgb24> sequential = Heatmap.Render<double>(new double[] { 0, 1.5, 3, 4 }, 1, 4);
        Assert.Equal(new Rgb24(0, 0, 0), sequential[0, 0]);        // 0 → black
        Assert.Equal(new Rgb24(255, 0, 0), sequential[1, 0]);      // 3/8 → red
        Assert.Equal(new Rgb24(255, 255, 0), sequential[2, 0]);    // 3/4 → yellow
        Assert.Equal(new Rgb24(255, 255, 255), sequential[3, 0]);  // max → white

        using Image<Rgb24> large = Heatmap.Render<double>(map, 2, 3, new HeatmapOptions { PixelSize = 5 });
        Assert.Equal((15, 10), (large.Width, large.Height));
        Assert.Equal(large[14, 9], diverging[2, 1]);
        Assert.Throws<ArgumentException>(() => Heatmap.Render<double>(map, 3, 3));
    }

    [Fact]
    public void A_picture_of_an_input_is_the_overlays_image_without_heat()
    {
        (double[] image, Shape shape) = ColourInput();
        using Image<Rgb24> picture = Heatmap.Picture<double>(image, shape, pixelSize: 3);
        using Image<Rgb24> overlay = Heatmap.Overlay<double>(SignedMap(), image, shape, alpha: 0, new HeatmapOptions { PixelSize = 3 });
        Assert.Equal(Heatmap.EncodePng(overlay), Heatmap.EncodePng(picture));
        Assert.Equal((3 * Width, 3 * Height), (picture.Width, picture.Height));

        // One channel: grey, from its minimum (black) to its maximum (white).
        using Image<Rgb24> grey = Heatmap.Picture<float>(new float[] { -1, 0, 3 }, Shape.Image(1, 1, 3));
        Assert.Equal(new Rgb24(0, 0, 0), grey[0, 0]);
        Assert.Equal(new Rgb24(64, 64, 64), grey[1, 0]);
        Assert.Equal(new Rgb24(255, 255, 255), grey[2, 0]);
        Assert.Throws<ArgumentException>(() => Heatmap.Picture<float>(new float[2], Shape.Image(1, 1, 3)));
        Assert.Throws<ArgumentException>(() => Heatmap.Picture<float>(new float[3], Shape.Vector(3)));
    }

    [Fact]
    public void A_grid_lays_pictures_out_in_rows_on_the_background()
    {
        using Image<Rgb24> a = Heatmap.Render<double>(new double[] { 1 }, 1, 1, new HeatmapOptions { PixelSize = 2 });
        using Image<Rgb24> b = Heatmap.Render<double>(new double[] { 0 }, 1, 1);
        using Image<Rgb24> grid = Heatmap.Grid(new[] { a, b, a }, columns: 2, spacing: 1, background: new Rgb24(1, 2, 3));
        Assert.Equal((2 * 2 + 3, 2 * 2 + 3), (grid.Width, grid.Height));
        Assert.Equal(new Rgb24(255, 255, 255), grid[1, 1]);    // a (max → white)
        Assert.Equal(new Rgb24(0, 0, 0), grid[4, 1]);          // b (0 → black)
        Assert.Equal(new Rgb24(1, 2, 3), grid[5, 2]);          // beside b, inside its cell: background
        Assert.Equal(new Rgb24(1, 2, 3), grid[0, 0]);
        Assert.Equal(new Rgb24(255, 255, 255), grid[2, 5]);    // a again, second row
    }
}

/// <summary>Approved-file comparison for pictures.</summary>
public static class Approved
{
    /// <summary>
    /// Passes when <paramref name="png"/> has the approved picture's pixels, and leaves no file behind. On a
    /// difference it writes <c>NAME.received.png</c> beside the test assembly, to look at, and fails naming it.
    /// </summary>
    public static void AssertPng(string name, byte[] png)
    {
        string approvedPath = Path.Combine(AppContext.BaseDirectory, "Approved", name);
        string receivedPath = Path.Combine(AppContext.BaseDirectory, Path.GetFileNameWithoutExtension(name) + ".received.png");
        if (Environment.GetEnvironmentVariable("RELUCENT_APPROVE") == "1")
        {
            string source = Path.Combine(ProjectDirectory(), "Approved", name);
            File.WriteAllBytes(source, png);
            Assert.Fail($"Approved {source} afresh (RELUCENT_APPROVE=1): look at it, commit it, and run again without the variable.");
        }

        string? difference = Difference(name, approvedPath, png);
        if (difference is null)
        {
            File.Delete(receivedPath); // a picture received by an earlier failing run is stale now
            return;
        }

        File.WriteAllBytes(receivedPath, png);
        Assert.Fail($"{difference}; received: {receivedPath}");
    }

    /// <summary>What differs between <paramref name="png"/> and the approved picture, or null when nothing does.</summary>
    private static string? Difference(string name, string approvedPath, byte[] png)
    {
        if (!File.Exists(approvedPath)) return $"No approved picture {approvedPath}. Look at the received one and approve it with RELUCENT_APPROVE=1";
        using Image<Rgb24> expected = Image.Load<Rgb24>(File.ReadAllBytes(approvedPath));
        using Image<Rgb24> actual = Image.Load<Rgb24>(png);
        if (expected.Width != actual.Width || expected.Height != actual.Height)
        {
            return $"{name}: the picture is {actual.Width}×{actual.Height}, the approved one {expected.Width}×{expected.Height}";
        }

        int differing = 0;
        string first = "";
        for (int y = 0; y < actual.Height; y++)
        {
            for (int x = 0; x < actual.Width; x++)
            {
                if (!expected[x, y].Equals(actual[x, y]))
                {
                    if (differing++ == 0) first = $"first at (x {x}, y {y}): {actual[x, y]} instead of {expected[x, y]}";
                }
            }
        }

        return differing == 0 ? null : $"{name}: {differing} pixels differ from the approved picture, {first}";
    }

    private static string ProjectDirectory()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "Relucent.Attribution.Tests.csproj"))) return d.FullName;
        }

        throw new InvalidOperationException("Relucent.Attribution.Tests.csproj not found above " + AppContext.BaseDirectory);
    }
}
