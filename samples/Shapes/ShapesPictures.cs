using Relucent.Attribution;
using Relucent.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Relucent.Samples.Shapes
{
    /// <summary>The sample's pictures: inputs, masks and maps enlarged for the grids and the report, and inputs as the PNGs samples/Explain reads.</summary>
    internal static class ShapesPictures
    {
        // Pictures: each map value becomes a 4×4 square.
        private const int PixelSize = 4;

        /// <summary>One row (input, then the labelled class's maps), and a second for an image with a distractor (masks, then the distractor class's maps).</summary>
        public static List<Image<Rgb24>> Rows(ShapesApp.Measured m)
        {
            var pictures = new List<Image<Rgb24>> { Input(m.Image) };
            pictures.AddRange(m.LabelMaps.Select(Map));
            if (m.DistractorMaps is { } maps)
            {
                pictures.Add(Masks(m.Image));
                pictures.AddRange(maps.Select(Map));
            }

            return pictures;
        }

        /// <summary>The input, enlarged.</summary>
        public static Image<Rgb24> Input(ShapeImage image) => Enlarge(Pixels(image));

        /// <summary>The labelled object in white and the distractor in orange, enlarged.</summary>
        public static Image<Rgb24> Masks(ShapeImage image)
        {
            var pixels = new Rgb24[ShapesDataset.Plane];
            for (int p = 0; p < pixels.Length; p++)
            {
                pixels[p] = image.Mask[p] ? new Rgb24(255, 255, 255) : image.DistractorMask[p] ? new Rgb24(255, 140, 0) : new Rgb24(40, 40, 40);
            }

            return Enlarge(pixels);
        }

        /// <summary>|map| of one pixel per value, enlarged; for display only, clipped at its 99th percentile, so a few extreme pixels do not wash out the rest.</summary>
        public static Image<Rgb24> Map(float[] map) =>
            Heatmap.Render<float>(map.ClipPercentiles(0, 99), ShapesDataset.Size, ShapesDataset.Size, new HeatmapOptions { PixelSize = PixelSize, Scale = HeatmapScale.Sequential });

        /// <summary>
        /// Writes the input as a 32×32 RGB PNG, the picture <c>explain explain</c> reads: each value rounded to a byte,
        /// so the tool sees the image up to that rounding (at most 1/510 per value).
        /// </summary>
        public static void SaveInput(ShapeImage image, string path)
        {
            using Image<Rgb24> picture = Image.LoadPixelData<Rgb24>(Pixels(image), ShapesDataset.Size, ShapesDataset.Size);
            Heatmap.SavePng(picture, path);
        }

        /// <summary>The README picture: correctly classified test images, one per class; the last two with a distractor (two rows each).</summary>
        public static Image<Rgb24> ReadmeGrid(ShapesApp.Measured[] measured)
        {
            var pictures = new List<Image<Rgb24>>();
            for (int c = 0; c < ShapesCnn.Classes.Length; c++)
            {
                bool distractor = c >= 2;
                ShapesApp.Measured? m = measured.FirstOrDefault(x => x.Image.Label == c && x.Predicted == c && x.Image.HasDistractor == distractor)
                    ?? measured.FirstOrDefault(x => x.Image.Label == c);
                if (m is not null) pictures.AddRange(Rows(m));
            }

            Image<Rgb24> grid = Heatmap.Grid(pictures, columns: ShapesApp.Methods.Count + 1, spacing: 2);
            pictures.ForEach(picture => picture.Dispose());
            return grid;
        }

        private static Rgb24[] Pixels(ShapeImage image)
        {
            var pixels = new Rgb24[ShapesDataset.Plane];
            for (int p = 0; p < pixels.Length; p++)
            {
                pixels[p] = new Rgb24(Byte(image.Pixels[p]), Byte(image.Pixels[ShapesDataset.Plane + p]), Byte(image.Pixels[2 * ShapesDataset.Plane + p]));
            }

            return pixels;
        }

        private static Image<Rgb24> Enlarge(Rgb24[] pixels)
        {
            int size = ShapesDataset.Size * PixelSize;
            var large = new Rgb24[size * size];
            for (int y = 0; y < size; y++)
            {
                for (int x = 0; x < size; x++) large[y * size + x] = pixels[(y / PixelSize) * ShapesDataset.Size + x / PixelSize];
            }

            return Image.LoadPixelData<Rgb24>(large, size, size);
        }

        private static byte Byte(float v) => (byte)Math.Clamp((int)Math.Round(v * 255), 0, 255);
    }
}
