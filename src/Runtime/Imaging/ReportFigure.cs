using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Relucent.Imaging
{
    /// <summary>One picture of a <see cref="ReportExample"/>: an input or a map, with its title and an optional caption (its metrics).</summary>
    /// <param name="Title">What the picture is, shown above it and as its alternative text: <c>"Saliency"</c>, <c>"input"</c>.</param>
    /// <param name="Png">The picture as PNG bytes (<see cref="Heatmap.EncodePng"/>).</param>
    /// <param name="Caption">A line under the picture, such as its metrics; null for none.</param>
    public sealed record ReportFigure(string Title, byte[] Png, string? Caption = null)
    {
        /// <summary>The figure of <paramref name="picture"/>, encoded as <see cref="Heatmap.EncodePng"/> encodes it.</summary>
        public static ReportFigure Of(string title, Image<Rgb24> picture, string? caption = null) =>
            new(title, Heatmap.EncodePng(picture), caption);

        /// <summary>The picture's width and height in pixels, read from its PNG header.</summary>
        /// <exception cref="InvalidDataException"><see cref="Png"/> is not a PNG.</exception>
        public (int Width, int Height) Size
        {
            get
            {
                // The signature (8 bytes), then the IHDR chunk: length (4), "IHDR" (4), width and height (4 each, big-endian).
                ReadOnlySpan<byte> signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
                if (Png is null || Png.Length < 24 || !Png.AsSpan(0, 8).SequenceEqual(signature) || Png[12] != 'I' || Png[13] != 'H' || Png[14] != 'D' || Png[15] != 'R')
                {
                    throw new InvalidDataException($"The picture '{Title}' is not a PNG.");
                }

                return (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(Png.AsSpan(16)), System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(Png.AsSpan(20)));
            }
        }
    }
}
