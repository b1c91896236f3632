using Relucent.Model;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Relucent.Cluster.Execution
{
    /// <summary>Decodes a folder of images into network inputs: C·H·W float32 in [0, 1], one image per example, files in ordinal name order.</summary>
    internal static class ImageFolder
    {
        private static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".gif"];

        /// <exception cref="ShardException">The folder is missing or empty, an image does not decode, or is not H×W.</exception>
        public static (float[] Pixels, int Count) Read(string folder, Shape shape)
        {
            if (!Directory.Exists(folder)) throw new ShardException(folder, "no such image folder.");
            if (!shape.IsImage || shape.Channels is not (1 or 3))
            {
                throw new ShardException(folder, $"the network takes {shape}; images feed networks of 1 (grey) or 3 (RGB) channels.");
            }

            string[] files = Directory.EnumerateFiles(folder)
                .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal)
                .ToArray();
            if (files.Length == 0) throw new ShardException(folder, $"holds no image ({string.Join(", ", Extensions)}).");

            int plane = shape.Height * shape.Width;
            var pixels = new float[files.Length * shape.Channels * plane];
            for (int n = 0; n < files.Length; n++)
            {
                Span<float> example = pixels.AsSpan(n * shape.Channels * plane, shape.Channels * plane);
                try
                {
                    using Image<Rgb24> image = Image.Load<Rgb24>(files[n]);
                    if (image.Width != shape.Width || image.Height != shape.Height)
                    {
                        throw new ShardException(files[n], $"is {image.Width}×{image.Height}; the network takes {shape.Width}×{shape.Height} (resize the images first).");
                    }

                    Fill(image, shape.Channels, plane, example);
                }
                catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException or IOException)
                {
                    throw new ShardException(files[n], $"does not decode as an image: {e.Message}", e);
                }
            }

            return (pixels, files.Length);
        }

        private static void Fill(Image<Rgb24> image, int channels, int plane, Span<float> example)
        {
            for (int y = 0; y < image.Height; y++)
            {
                for (int x = 0; x < image.Width; x++)
                {
                    Rgb24 p = image[x, y];
                    int at = y * image.Width + x;
                    if (channels == 1)
                    {
                        // ITU-R BT.601 luma, rounded down to a grey level, then scaled like the colour channels.
                        example[at] = (p.R * 299 + p.G * 587 + p.B * 114) / 1000 / 255f;
                    }
                    else
                    {
                        example[at] = p.R / 255f;
                        example[plane + at] = p.G / 255f;
                        example[2 * plane + at] = p.B / 255f;
                    }
                }
            }
        }
    }
}
