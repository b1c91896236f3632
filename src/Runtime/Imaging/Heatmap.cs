using System.Numerics;
using Relucent.Attribution;
using Relucent.Model;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace Relucent.Imaging
{
    /// <summary>Which kind of colour scale a heatmap uses.</summary>
    public enum HeatmapScale
    {
        /// <summary>Diverging when the map has a negative value, sequential otherwise.</summary>
        Auto,

        /// <summary>Values from the low end of the range (0, or the minimum if negative) to the maximum, on <see cref="Colormap.Hot"/> by default.</summary>
        Sequential,

        /// <summary>Symmetric around 0: <c>[−max|m|, max|m|]</c> with 0 at the neutral middle, on <see cref="Colormap.BlueWhiteRed"/> by default.</summary>
        Diverging,
    }

    /// <summary>How <see cref="Heatmap"/> draws a map; every property has a default, so <c>new HeatmapOptions()</c> works.</summary>
    public sealed class HeatmapOptions
    {
        /// <summary>The kind of scale (<see cref="HeatmapScale.Auto"/> by default).</summary>
        public HeatmapScale Scale { get; init; } = HeatmapScale.Auto;

        /// <summary>The colormap, or <c>null</c> for the scale's default (<see cref="Colormap.Hot"/> or <see cref="Colormap.BlueWhiteRed"/>).</summary>
        public Colormap? Colormap { get; init; }

        /// <summary>
        /// The value drawn at the top of the scale, or <c>null</c> for the map's own (its maximum, or max|m| when
        /// diverging). Fix it to compare several maps on one scale. Values beyond it are clamped.
        /// </summary>
        public double? Maximum { get; init; }

        /// <summary>Each map value becomes a square of this many pixels (nearest neighbour; 1 by default).</summary>
        public int PixelSize { get; init; } = 1;
    }

    /// <summary>
    /// Heatmaps of H×W maps as ImageSharp images and PNG files: a sequential colormap for non-negative maps, a diverging
    /// one for signed maps (zero at the neutral colour), an overlay on the input image, and a grid of several pictures.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Maps are one plane in row-major H·W order; reduce the channels of an image map first
    /// (<c>map.Abs().ReduceChannels(ChannelReduction.Max, shape)</c>). No text is drawn (labels would need fonts, which
    /// a machine may not have).
    /// </para>
    /// <para>
    /// Deterministic: the same map and options give the same pixels, and <see cref="EncodePng"/> the same bytes (8-bit
    /// RGB, fixed compression and filter, no ancillary chunks: no time, gamma or resolution).
    /// </para>
    /// </remarks>
    public static class Heatmap
    {
        private static readonly PngEncoder s_encoder = new()
        {
            ColorType = PngColorType.Rgb,
            BitDepth = PngBitDepth.Bit8,
            CompressionLevel = PngCompressionLevel.Level6,
            FilterMethod = PngFilterMethod.Adaptive,
            InterlaceMethod = PngInterlaceMode.None,
            ChunkFilter = PngChunkFilter.ExcludeAll,
            IgnoreMetadata = true,
        };

        /// <summary>The heatmap of <paramref name="map"/> (<paramref name="height"/> × <paramref name="width"/> values, row-major).</summary>
        public static Image<Rgb24> Render<T>(ReadOnlySpan<T> map, int height, int width, HeatmapOptions? options = null)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            options ??= new HeatmapOptions();
            Rgb24[] pixels = Colorize(map, height, width, options);
            return ToImage(pixels, height, width, options.PixelSize);
        }

        /// <summary>
        /// The heatmap of <paramref name="map"/> (H·W values) blended over <paramref name="image"/> (an input of
        /// <paramref name="imageShape"/> [C, H, W]): <c>(1 − α)·image + α·heat</c> per pixel. The image is drawn in
        /// grey (one channel, or the mean of channels other than three) or in colour (three channels, RGB), scaled by its
        /// own minimum and maximum to [0, 255].
        /// </summary>
        public static Image<Rgb24> Overlay<T>(ReadOnlySpan<T> map, ReadOnlySpan<T> image, Shape imageShape, double alpha = 0.5, HeatmapOptions? options = null)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (!imageShape.IsImage) throw new ArgumentException($"An overlay needs an image shape [C, H, W]; got {imageShape}.", nameof(imageShape));
            if (!(alpha >= 0 && alpha <= 1)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha is in [0, 1].");
            options ??= new HeatmapOptions();
            int channels = imageShape.Channels, height = imageShape.Height, width = imageShape.Width, plane = height * width;
            Guard.Length(image, channels * plane, nameof(image), imageShape.ToString());
            Rgb24[] heat = Colorize(map, height, width, options);
            (double R, double G, double B)[] pixels = ImagePixels(image, imageShape);
            for (int p = 0; p < plane; p++)
            {
                (double r, double g, double b) = pixels[p];
                Rgb24 h = heat[p];
                heat[p] = new Rgb24(
                    Colormap.ToByte((1 - alpha) * r + alpha * h.R),
                    Colormap.ToByte((1 - alpha) * g + alpha * h.G),
                    Colormap.ToByte((1 - alpha) * b + alpha * h.B));
            }

            return ToImage(heat, height, width, options.PixelSize);
        }

        /// <summary>
        /// A class activation map at a layer's resolution (<paramref name="camHeight"/>×<paramref name="camWidth"/>, Grad-CAM's
        /// h·w) over the input <paramref name="image"/>: the map is first brought to the image's height and width by
        /// <paramref name="interpolation"/> (<see cref="Upsampling"/>; bilinear by default, the smooth picture
        /// pytorch-grad-cam shows), then drawn as <see cref="Overlay"/> draws it.
        /// </summary>
        /// <remarks>
        /// The map is drawn as given: apply <see cref="PostProcessing.Relu{T}(T[])"/> first for Grad-CAM's positive part, as
        /// Captum's and pytorch-grad-cam's pictures do.
        /// </remarks>
        public static Image<Rgb24> OverlayCam<T>(ReadOnlySpan<T> cam, int camHeight, int camWidth, ReadOnlySpan<T> image, Shape imageShape,
            double alpha = 0.5, Interpolation interpolation = Interpolation.Bilinear, HeatmapOptions? options = null)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (!imageShape.IsImage) throw new ArgumentException($"An overlay needs an image shape [C, H, W]; got {imageShape}.", nameof(imageShape));
            var upsampled = new T[imageShape.Height * imageShape.Width];
            Upsampling.Upsample(cam, 1, camHeight, camWidth, upsampled, imageShape.Height, imageShape.Width, interpolation);
            return Overlay<T>(upsampled, image, imageShape, alpha, options);
        }

        /// <summary>
        /// The input <paramref name="image"/> of <paramref name="imageShape"/> [C, H, W] as a picture, drawn as
        /// <see cref="Overlay"/> draws it (grey or RGB, scaled by its own minimum and maximum to [0, 255]), each value a
        /// square of <paramref name="pixelSize"/> pixels: the picture to show beside its maps.
        /// </summary>
        public static Image<Rgb24> Picture<T>(ReadOnlySpan<T> image, Shape imageShape, int pixelSize = 1)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (!imageShape.IsImage) throw new ArgumentException($"A picture needs an image shape [C, H, W]; got {imageShape}.", nameof(imageShape));
            if (pixelSize < 1) throw new ArgumentOutOfRangeException(nameof(pixelSize), pixelSize, "pixelSize is 1 or more.");
            Guard.Length(image, imageShape.Channels * imageShape.Height * imageShape.Width, nameof(image), imageShape.ToString());
            Rgb24[] pixels = ImagePixels(image, imageShape).Select(p => new Rgb24(Colormap.ToByte(p.R), Colormap.ToByte(p.G), Colormap.ToByte(p.B))).ToArray();
            return ToImage(pixels, imageShape.Height, imageShape.Width, pixelSize);
        }

        /// <summary>Each pixel of an image [C, H, W] in [0, 255]: RGB for three channels, the channels' mean in grey otherwise, scaled by the image's own minimum and maximum.</summary>
        private static (double R, double G, double B)[] ImagePixels<T>(ReadOnlySpan<T> image, Shape imageShape)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            int channels = imageShape.Channels, plane = imageShape.Height * imageShape.Width;
            double min = double.PositiveInfinity, max = double.NegativeInfinity;
            foreach (T v in image)
            {
                double d = double.CreateTruncating(v);
                min = Math.Min(min, d);
                max = Math.Max(max, d);
            }

            double scale = max > min ? 255.0 / (max - min) : 0;
            var pixels = new (double R, double G, double B)[plane];
            for (int p = 0; p < plane; p++)
            {
                if (channels == 3)
                {
                    pixels[p] = ((double.CreateTruncating(image[p]) - min) * scale,
                        (double.CreateTruncating(image[plane + p]) - min) * scale,
                        (double.CreateTruncating(image[2 * plane + p]) - min) * scale);
                }
                else
                {
                    double sum = 0;
                    for (int c = 0; c < channels; c++) sum += double.CreateTruncating(image[c * plane + p]);
                    double grey = (sum / channels - min) * scale;
                    pixels[p] = (grey, grey, grey);
                }
            }

            return pixels;
        }

        /// <summary>
        /// Several pictures side by side: <paramref name="columns"/> per row (0: all in one row), each in a cell as large
        /// as the largest picture (top-left aligned), <paramref name="spacing"/> pixels of <paramref name="background"/>
        /// (white by default) between and around them.
        /// </summary>
        public static Image<Rgb24> Grid(IReadOnlyList<Image<Rgb24>> pictures, int columns = 0, int spacing = 2, Rgb24? background = null)
        {
            ArgumentNullException.ThrowIfNull(pictures);
            if (pictures.Count == 0) throw new ArgumentException("A grid needs at least one picture.", nameof(pictures));
            if (columns < 0) throw new ArgumentOutOfRangeException(nameof(columns), columns, "columns is 0 (one row) or more.");
            if (spacing < 0) throw new ArgumentOutOfRangeException(nameof(spacing), spacing, "spacing is 0 or more.");
            int cols = columns == 0 ? pictures.Count : Math.Min(columns, pictures.Count);
            int rows = (pictures.Count + cols - 1) / cols;
            int cellWidth = pictures.Max(p => p.Width), cellHeight = pictures.Max(p => p.Height);
            int width = cols * cellWidth + (cols + 1) * spacing, height = rows * cellHeight + (rows + 1) * spacing;
            var pixels = new Rgb24[(long)width * height];
            pixels.AsSpan().Fill(background ?? new Rgb24(255, 255, 255));
            for (int i = 0; i < pictures.Count; i++)
            {
                Image<Rgb24> picture = pictures[i];
                int left = spacing + (i % cols) * (cellWidth + spacing), top = spacing + (i / cols) * (cellHeight + spacing);
                var source = new Rgb24[(long)picture.Width * picture.Height];
                picture.CopyPixelDataTo(source);
                for (int y = 0; y < picture.Height; y++)
                {
                    source.AsSpan(y * picture.Width, picture.Width).CopyTo(pixels.AsSpan((top + y) * width + left, picture.Width));
                }
            }

            return Image.LoadPixelData<Rgb24>(pixels, width, height);
        }

        /// <summary>The PNG bytes of <paramref name="picture"/>: identical bytes for identical pixels.</summary>
        public static byte[] EncodePng(Image<Rgb24> picture)
        {
            ArgumentNullException.ThrowIfNull(picture);
            using var stream = new MemoryStream();
            picture.SaveAsPng(stream, s_encoder);
            return stream.ToArray();
        }

        /// <summary>Writes <paramref name="picture"/> as a PNG file (see <see cref="EncodePng"/>).</summary>
        public static void SavePng(Image<Rgb24> picture, string path)
        {
            ArgumentNullException.ThrowIfNull(path);
            File.WriteAllBytes(path, EncodePng(picture));
        }

        /// <summary>The value → [0, 1] mapping and colours of a map.</summary>
        private static Rgb24[] Colorize<T>(ReadOnlySpan<T> map, int height, int width, HeatmapOptions options)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (height < 1 || width < 1) throw new ArgumentException($"A heatmap of {height}×{width} is empty.");
            if (options.PixelSize < 1) throw new ArgumentOutOfRangeException(nameof(options), options.PixelSize, "PixelSize is 1 or more.");
            Guard.Length(map, checked(height * width), nameof(map), $"[{height}, {width}] (reduce the channels of an image map first)");
            double min = double.PositiveInfinity, max = double.NegativeInfinity, maxAbs = 0;
            foreach (T v in map)
            {
                double d = double.CreateTruncating(v);
                if (double.IsNaN(d)) continue;
                min = Math.Min(min, d);
                max = Math.Max(max, d);
                maxAbs = Math.Max(maxAbs, Math.Abs(d));
            }

            bool diverging = options.Scale switch
            {
                HeatmapScale.Diverging => true,
                HeatmapScale.Sequential => false,
                _ => min < 0,
            };
            Colormap colormap = options.Colormap ?? (diverging ? Colormap.BlueWhiteRed : Colormap.Hot);
            var pixels = new Rgb24[map.Length];
            if (diverging)
            {
                double top = options.Maximum ?? maxAbs;
                for (int i = 0; i < map.Length; i++)
                {
                    double d = double.CreateTruncating(map[i]);
                    pixels[i] = colormap.Map(top > 0 ? 0.5 + 0.5 * d / top : 0.5);
                }
            }
            else
            {
                double low = Math.Min(0, min), top = options.Maximum ?? max;
                for (int i = 0; i < map.Length; i++)
                {
                    double d = double.CreateTruncating(map[i]);
                    pixels[i] = colormap.Map(top > low ? (d - low) / (top - low) : 0);
                }
            }

            return pixels;
        }

        private static Image<Rgb24> ToImage(Rgb24[] pixels, int height, int width, int pixelSize)
        {
            if (pixelSize == 1) return Image.LoadPixelData<Rgb24>(pixels, width, height);
            int w = width * pixelSize, h = height * pixelSize;
            var large = new Rgb24[(long)w * h];
            for (int y = 0; y < h; y++)
            {
                for (int x = 0; x < w; x++) large[y * w + x] = pixels[(y / pixelSize) * width + x / pixelSize];
            }

            return Image.LoadPixelData<Rgb24>(large, w, h);
        }
    }
}
