using System.Numerics;
using Relucent.Model;

namespace Relucent.Attribution
{
    /// <summary>How <see cref="PostProcessing.ReduceChannels{T}(T[], ChannelReduction, Shape)"/> turns a C×H×W map into H×W.</summary>
    public enum ChannelReduction
    {
        /// <summary>Keep every channel (the result is a copy of the map).</summary>
        None,

        /// <summary>The largest value over channels at each pixel (after <c>Abs</c>, Simonyan et al.'s map).</summary>
        Max,

        /// <summary>The mean over channels.</summary>
        Mean,

        /// <summary>The sum over channels.</summary>
        Sum,
    }

    /// <summary>How <see cref="PostProcessing.Normalize{T}(T[], Normalization)"/> rescales a map.</summary>
    public enum Normalization
    {
        /// <summary><c>(m − min)/(max − min)</c>, into [0, 1]; a constant map becomes zeros.</summary>
        MinMax,

        /// <summary>
        /// <c>m / max|m|</c>, symmetric around 0 into [−1, 1]: the sign and zero are kept (what a diverging colormap
        /// wants); an all-zero map stays zero.
        /// </summary>
        Symmetric,

        /// <summary><c>|m| / max|m|</c>, magnitudes into [0, 1]: the sign is dropped; an all-zero map stays zero.</summary>
        MaxAbs,
    }

    /// <summary>
    /// Post-processing steps for maps, each separate and composable. Relucent's convention: every attribution method
    /// returns the raw signed map; whatever a picture or a metric needs on top (absolute value, channel reduction,
    /// normalisation, clipping) is written out, so that <c>map.Abs().ReduceChannels(ChannelReduction.Max, shape)</c>
    /// is Simonyan et al.'s (and Xplique's) saliency map and plain <c>map</c> is Captum's <c>Saliency(abs=False)</c>.
    /// </summary>
    /// <remarks>
    /// Two forms: extension methods on arrays return a new array (the fluent chain above, the input untouched), and the
    /// <c>…InPlace</c> / span overloads write into a buffer the caller owns, allocating nothing (except
    /// <see cref="ClipPercentilesInPlace{T}"/> without a scratch buffer). Maps are in C·H·W order, as inputs.
    /// </remarks>
    public static class PostProcessing
    {
        /// <summary>A new map of <c>|m|</c>.</summary>
        public static T[] Abs<T>(this T[] map) where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(map);
            T[] result = (T[])map.Clone();
            AbsInPlace<T>(result);
            return result;
        }

        /// <summary>Replaces every value by its absolute value.</summary>
        public static void AbsInPlace<T>(Span<T> map) where T : unmanaged, IFloatingPointIeee754<T>
        {
            for (int i = 0; i < map.Length; i++) map[i] = T.Abs(map[i]);
        }

        /// <summary>
        /// A new map of <c>max(m, 0)</c>: Grad-CAM's positive part (Captum's <c>relu_attributions=True</c>,
        /// pytorch-grad-cam's <c>np.maximum(cam, 0)</c>).
        /// </summary>
        public static T[] Relu<T>(this T[] map) where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(map);
            T[] result = (T[])map.Clone();
            ReluInPlace<T>(result);
            return result;
        }

        /// <summary>Replaces every negative value by zero (NaN stays NaN).</summary>
        public static void ReluInPlace<T>(Span<T> map) where T : unmanaged, IFloatingPointIeee754<T>
        {
            for (int i = 0; i < map.Length; i++)
            {
                if (map[i] < T.Zero) map[i] = T.Zero;
            }
        }

        /// <summary>
        /// Reduces the channels of a C×H×W map of <paramref name="shape"/> (an image shape) to one H×W plane, or copies
        /// it for <see cref="ChannelReduction.None"/>.
        /// </summary>
        public static T[] ReduceChannels<T>(this T[] map, ChannelReduction reduction, Shape shape) where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (!shape.IsImage) throw new ArgumentException($"Channels are reduced on image maps [C, H, W]; {shape} is a vector.", nameof(shape));
            return map.ReduceChannels(reduction, shape.Channels, shape.Height, shape.Width);
        }

        /// <summary>Reduces the channels of a <paramref name="channels"/>×<paramref name="height"/>×<paramref name="width"/> map (see the <see cref="Shape"/> overload).</summary>
        public static T[] ReduceChannels<T>(this T[] map, ChannelReduction reduction, int channels, int height, int width) where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(map);
            var result = new T[reduction == ChannelReduction.None ? map.Length : (long)height * width];
            ReduceChannels<T>(map, result, reduction, channels, height, width);
            return result;
        }

        /// <summary>
        /// Writes the channel reduction of <paramref name="map"/> (C·H·W values) into <paramref name="result"/> (H·W values,
        /// or C·H·W for <see cref="ChannelReduction.None"/>).
        /// </summary>
        public static void ReduceChannels<T>(ReadOnlySpan<T> map, Span<T> result, ChannelReduction reduction, int channels, int height, int width)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (channels < 1 || height < 1 || width < 1) throw new ArgumentException($"A map of {channels}×{height}×{width} is empty.");
            int plane = checked(height * width);
            if (map.Length != checked(channels * plane)) Guard.Length(map, channels * plane, nameof(map), $"[{channels}, {height}, {width}]");
            if (reduction == ChannelReduction.None)
            {
                if (result.Length != map.Length) Guard.Length<T>(result, map.Length, nameof(result), $"[{channels}, {height}, {width}]");
                map.CopyTo(result);
                return;
            }

            if (result.Length != plane) Guard.Length<T>(result, plane, nameof(result), $"[{height}, {width}]");
            map[..plane].CopyTo(result);
            for (int c = 1; c < channels; c++)
            {
                ReadOnlySpan<T> channel = map.Slice(c * plane, plane);
                for (int p = 0; p < plane; p++)
                {
                    result[p] = reduction switch
                    {
                        ChannelReduction.Max => T.Max(result[p], channel[p]),
                        ChannelReduction.Mean or ChannelReduction.Sum => result[p] + channel[p],
                        _ => throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "Not a channel reduction."),
                    };
                }
            }

            if (reduction == ChannelReduction.Mean)
            {
                T count = T.CreateTruncating(channels);
                for (int p = 0; p < plane; p++) result[p] /= count;
            }
        }

        /// <summary>A new map rescaled by <paramref name="normalization"/>.</summary>
        public static T[] Normalize<T>(this T[] map, Normalization normalization) where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(map);
            T[] result = (T[])map.Clone();
            NormalizeInPlace<T>(result, normalization);
            return result;
        }

        /// <summary>Rescales <paramref name="map"/> by <paramref name="normalization"/> in place (computed in float64).</summary>
        public static void NormalizeInPlace<T>(Span<T> map, Normalization normalization) where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (map.IsEmpty) return;
            double min = double.PositiveInfinity, max = double.NegativeInfinity, maxAbs = 0;
            foreach (T v in map)
            {
                double d = double.CreateTruncating(v);
                min = Math.Min(min, d);
                max = Math.Max(max, d);
                maxAbs = Math.Max(maxAbs, Math.Abs(d));
            }

            for (int i = 0; i < map.Length; i++)
            {
                double d = double.CreateTruncating(map[i]);
                double value = normalization switch
                {
                    Normalization.MinMax => max > min ? (d - min) / (max - min) : 0,
                    Normalization.Symmetric => maxAbs > 0 ? d / maxAbs : 0,
                    Normalization.MaxAbs => maxAbs > 0 ? Math.Abs(d) / maxAbs : 0,
                    _ => throw new ArgumentOutOfRangeException(nameof(normalization), normalization, "Not a normalisation."),
                };
                map[i] = T.CreateTruncating(value);
            }
        }

        /// <summary>
        /// A new map with values below the <paramref name="lower"/>-th percentile raised to it and values above the
        /// <paramref name="upper"/>-th lowered to it (percentiles in [0, 100], linear interpolation between order
        /// statistics as numpy's default). <c>ClipPercentiles(0, 99)</c> tames a few extreme values before display.
        /// </summary>
        public static T[] ClipPercentiles<T>(this T[] map, double lower, double upper) where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(map);
            T[] result = (T[])map.Clone();
            ClipPercentilesInPlace<T>(result, lower, upper, new T[map.Length]);
            return result;
        }

        /// <summary>Clips in place (see <see cref="ClipPercentiles{T}"/>); <paramref name="scratch"/> (as long as the map) is used for sorting, or allocated when empty.</summary>
        public static void ClipPercentilesInPlace<T>(Span<T> map, double lower, double upper, Span<T> scratch = default)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (!(lower >= 0 && lower <= upper && upper <= 100))
            {
                throw new ArgumentOutOfRangeException(nameof(lower), $"Percentiles satisfy 0 ≤ lower ≤ upper ≤ 100; got {lower} and {upper}.");
            }

            if (map.IsEmpty) return;
            if (scratch.IsEmpty) scratch = new T[map.Length];
            if (scratch.Length != map.Length) Guard.Length<T>(scratch, map.Length, nameof(scratch), $"[{map.Length}]");
            map.CopyTo(scratch);
            scratch.Sort();
            T low = Percentile<T>(scratch, lower), high = Percentile<T>(scratch, upper);
            for (int i = 0; i < map.Length; i++) map[i] = T.Clamp(map[i], low, high);
        }

        /// <summary>The <paramref name="percentile"/>-th percentile (0 to 100) of ascending <paramref name="sorted"/> values, interpolated linearly (numpy's default).</summary>
        public static T Percentile<T>(ReadOnlySpan<T> sorted, double percentile) where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (sorted.IsEmpty) throw new ArgumentException("No values.", nameof(sorted));
            if (!(percentile >= 0 && percentile <= 100)) throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "A percentile is in [0, 100].");
            double rank = percentile / 100 * (sorted.Length - 1);
            int below = (int)Math.Floor(rank);
            if (below >= sorted.Length - 1) return sorted[^1];
            double fraction = rank - below;
            double a = double.CreateTruncating(sorted[below]), b = double.CreateTruncating(sorted[below + 1]);
            return fraction == 0 ? sorted[below] : T.CreateTruncating(a + fraction * (b - a));
        }
    }
}
