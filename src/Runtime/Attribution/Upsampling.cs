using System.Numerics;
using Relucent.Model;

namespace Relucent.Attribution
{
    /// <summary>How <see cref="Upsampling"/> computes a value between the map's own.</summary>
    public enum Interpolation
    {
        /// <summary>
        /// PyTorch's <c>F.interpolate(mode="nearest")</c> (Captum's <c>GuidedGradCam</c> and <c>LayerAttribution.interpolate</c>
        /// default): output index <c>i</c> reads <c>min(⌊i · (in/out)⌋, in − 1)</c>, the scale and product in float32 as
        /// PyTorch computes them. Blocky: each map value becomes a rectangle.
        /// </summary>
        Nearest,

        /// <summary>
        /// PyTorch's <c>F.interpolate(mode="bilinear", align_corners=False)</c>: output index <c>i</c> reads the source
        /// coordinate <c>max((i + ½) · (in/out) − ½, 0)</c> between its two neighbours (the last one repeated at the far
        /// edge), rows and columns separately. The smooth picture pytorch-grad-cam shows (its <c>cv2.resize</c> is the same
        /// half-pixel rule when enlarging).
        /// </summary>
        Bilinear,
    }

    /// <summary>
    /// Resizing a map's planes, the post-processing step that brings a layer map (Grad-CAM's h·w) to the input's
    /// resolution: nearest neighbour or bilinear, as PyTorch's <c>F.interpolate</c> (see <see cref="Interpolation"/>).
    /// </summary>
    /// <remarks>
    /// Every channel of a C×h×w map is resized alike, to C×H×W. The same formulas shrink a map too (PyTorch's
    /// <c>antialias=False</c>: each output value still reads its one or two nearest sources). Two forms, as
    /// <see cref="PostProcessing"/>: an extension on arrays returning a new map, and a span overload writing into the
    /// caller's buffer, allocating nothing.
    /// </remarks>
    public static class Upsampling
    {
        /// <summary>
        /// A new map: <paramref name="map"/> of <paramref name="shape"/> (C×h×w, or a vector taken as one row) resized to
        /// C×<paramref name="height"/>×<paramref name="width"/>.
        /// </summary>
        public static T[] Upsample<T>(this T[] map, Shape shape, int height, int width, Interpolation interpolation)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(map);
            (int channels, int h, int w) = shape.IsImage ? (shape.Channels, shape.Height, shape.Width) : (1, 1, shape.Channels);
            var result = new T[checked((long)channels * height * width)];
            Upsample<T>(map, channels, h, w, result, height, width, interpolation);
            return result;
        }

        /// <summary>
        /// Writes <paramref name="map"/> (<paramref name="channels"/>×<paramref name="height"/>×<paramref name="width"/>)
        /// resized to <paramref name="channels"/>×<paramref name="toHeight"/>×<paramref name="toWidth"/> into
        /// <paramref name="result"/>.
        /// </summary>
        /// <exception cref="ArgumentException">A size is below 1, or a buffer's length does not match its shape.</exception>
        public static void Upsample<T>(ReadOnlySpan<T> map, int channels, int height, int width, Span<T> result, int toHeight, int toWidth, Interpolation interpolation)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (channels < 1 || height < 1 || width < 1) throw new ArgumentException($"A map of {channels}×{height}×{width} is empty.", nameof(map));
            if (toHeight < 1 || toWidth < 1) throw new ArgumentException($"The target size {toHeight}×{toWidth} is empty.", nameof(toHeight));
            int plane = checked(height * width), toPlane = checked(toHeight * toWidth);
            if (map.Length != checked(channels * plane)) Guard.Length(map, channels * plane, nameof(map), $"[{channels}, {height}, {width}]");
            if (result.Length != checked(channels * toPlane)) Guard.Length<T>(result, channels * toPlane, nameof(result), $"[{channels}, {toHeight}, {toWidth}]");
            for (int c = 0; c < channels; c++)
            {
                ReadOnlySpan<T> from = map.Slice(c * plane, plane);
                Span<T> to = result.Slice(c * toPlane, toPlane);
                switch (interpolation)
                {
                    case Interpolation.Nearest:
                        Nearest(from, height, width, to, toHeight, toWidth);
                        break;
                    case Interpolation.Bilinear:
                        Bilinear(from, height, width, to, toHeight, toWidth);
                        break;
                    default:
                        throw new ArgumentOutOfRangeException(nameof(interpolation), interpolation, "Not an interpolation.");
                }
            }
        }

        /// <summary>PyTorch's legacy nearest index: <c>min(⌊i · scale⌋, in − 1)</c> with <c>scale = in/out</c>, both in float32.</summary>
        internal static int NearestSource(int index, int size, int toSize)
        {
            if (toSize == size) return index;
            float scale = (float)size / toSize;
            return Math.Min((int)MathF.Floor(index * scale), size - 1);
        }

        private static void Nearest<T>(ReadOnlySpan<T> from, int height, int width, Span<T> to, int toHeight, int toWidth)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            for (int i = 0; i < toHeight; i++)
            {
                int row = NearestSource(i, height, toHeight) * width;
                for (int j = 0; j < toWidth; j++) to[i * toWidth + j] = from[row + NearestSource(j, width, toWidth)];
            }
        }

        /// <summary>The two sources of output index <paramref name="index"/> and the weight of the second (PyTorch's align_corners=False rule, in <typeparamref name="T"/>).</summary>
        private static (int First, int Second, T Weight) LinearSource<T>(int index, int size, int toSize)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (toSize == size) return (index, index, T.Zero);
            T half = T.CreateTruncating(0.5);
            T scale = T.CreateTruncating(size) / T.CreateTruncating(toSize);
            T source = T.Max(scale * (T.CreateTruncating(index) + half) - half, T.Zero);
            int first = Math.Min(int.CreateTruncating(source), size - 1);
            T weight = T.Clamp(source - T.CreateTruncating(first), T.Zero, T.One);
            return (first, first < size - 1 ? first + 1 : first, weight);
        }

        private static void Bilinear<T>(ReadOnlySpan<T> from, int height, int width, Span<T> to, int toHeight, int toWidth)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            for (int i = 0; i < toHeight; i++)
            {
                (int top, int bottom, T down) = LinearSource<T>(i, height, toHeight);
                T up = T.One - down;
                for (int j = 0; j < toWidth; j++)
                {
                    (int left, int right, T across) = LinearSource<T>(j, width, toWidth);
                    T back = T.One - across;
                    // Rows outer, columns inner, as PyTorch's CPU kernel combines them.
                    T upper = from[top * width + left] * back + from[top * width + right] * across;
                    T lower = from[bottom * width + left] * back + from[bottom * width + right] * across;
                    to[i * toWidth + j] = upper * up + lower * down;
                }
            }
        }
    }
}
