using System.Numerics;
using Relucent.Attribution;
using Relucent.Model;

namespace Relucent.Metrics
{
    /// <summary>What the deletion and insertion curves read from the network's output.</summary>
    public enum CurveScore
    {
        /// <summary>The target's raw score: the class logit, or <c>seedᵀ·f(x)</c> (<see cref="Target.Score{T}"/>); what the maps explain.</summary>
        Logit,

        /// <summary>The target's probability under a softmax of the outputs (for a seed, <c>seedᵀ·softmax(f(x))</c>), as Petsiuk et al.</summary>
        Softmax,
    }

    /// <summary>Settings of the deletion and insertion curves.</summary>
    public sealed class PerturbationOptions
    {
        /// <summary>The value a removed pixel takes (deletion) or every pixel starts from (insertion); 0 by default. Ignored when a baseline input is given.</summary>
        public double BaselineValue { get; init; }

        /// <summary>Pixels removed or inserted per step (1 by default); the last step takes what is left.</summary>
        public int PixelsPerStep { get; init; } = 1;

        /// <summary>What is read from the output (<see cref="CurveScore.Logit"/> by default).</summary>
        public CurveScore Score { get; init; } = CurveScore.Logit;
    }

    /// <summary>A deletion or insertion curve: the score after each step, against the fraction of pixels changed.</summary>
    public sealed class FaithfulnessCurve
    {
        internal FaithfulnessCurve(double[] fractions, double[] scores, int[] order)
        {
            Fractions = fractions;
            Scores = scores;
            Order = order;
            double area = 0;
            for (int k = 1; k < fractions.Length; k++) area += (fractions[k] - fractions[k - 1]) * (scores[k] + scores[k - 1]) / 2;
            Area = area;
        }

        /// <summary>The fraction of pixels changed before each score: 0, then up to 1.</summary>
        public IReadOnlyList<double> Fractions { get; }

        /// <summary>The score at each fraction; the first is the unchanged input's (deletion) or the baseline's (insertion).</summary>
        public IReadOnlyList<double> Scores { get; }

        /// <summary>
        /// The area under the curve by the trapezoid rule over <see cref="Fractions"/> (Petsiuk et al.'s AUC): low is
        /// good for deletion, high for insertion.
        /// </summary>
        public double Area { get; }

        /// <summary>The pixels (index into H·W, or into the features of a vector input) in the order they were changed.</summary>
        public IReadOnlyList<int> Order { get; }
    }

    /// <summary>
    /// The deletion and insertion metrics of Petsiuk et al. (2018, RISE): change pixels from the most to the least
    /// attributed and watch the target's score fall (deletion) or rise (insertion).
    /// </summary>
    /// <remarks>
    /// <para>
    /// A pixel of an image input is all its channels at one (row, column); a feature of a vector input is one value.
    /// The map may have one value per pixel (H·W) or one per input value (C·H·W, summed over channels to rank the
    /// pixels). Pixels are ranked by decreasing attribution, ties by increasing index, so the order is deterministic;
    /// rank by magnitude by passing <c>map.Abs()</c>.
    /// </para>
    /// <para>
    /// Deletion starts from the input and sets the next <see cref="PerturbationOptions.PixelsPerStep"/> pixels to the
    /// baseline at each step; insertion starts from the baseline and restores the input's pixels in the same order.
    /// Both score every step, the first and last included, so a curve has <c>⌈P / step⌉ + 1</c> points.
    /// Namespace <c>Relucent.Metrics</c>, as the runtime's Metrics folder.
    /// </para>
    /// </remarks>
    public static class Faithfulness
    {
        /// <summary>The deletion curve, removed pixels set to <see cref="PerturbationOptions.BaselineValue"/>.</summary>
        public static FaithfulnessCurve Deletion<T>(IExplainer<T> explainer, ReadOnlySpan<T> input, Target target, ReadOnlySpan<T> map, PerturbationOptions? options = null)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            Curve(explainer, input, default, target, map, options ?? new PerturbationOptions(), deletion: true);

        /// <summary>The deletion curve, removed pixels taking <paramref name="baseline"/>'s values (e.g. a blurred input).</summary>
        public static FaithfulnessCurve Deletion<T>(IExplainer<T> explainer, ReadOnlySpan<T> input, ReadOnlySpan<T> baseline, Target target, ReadOnlySpan<T> map, PerturbationOptions? options = null)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (baseline.IsEmpty) throw new ArgumentException("The baseline is empty; use the overload without one for a constant baseline.", nameof(baseline));
            return Curve(explainer, input, baseline, target, map, options ?? new PerturbationOptions(), deletion: true);
        }

        /// <summary>The insertion curve, from an input of <see cref="PerturbationOptions.BaselineValue"/> everywhere.</summary>
        public static FaithfulnessCurve Insertion<T>(IExplainer<T> explainer, ReadOnlySpan<T> input, Target target, ReadOnlySpan<T> map, PerturbationOptions? options = null)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            Curve(explainer, input, default, target, map, options ?? new PerturbationOptions(), deletion: false);

        /// <summary>The insertion curve, from <paramref name="baseline"/> (Petsiuk et al. use a blurred copy of the input).</summary>
        public static FaithfulnessCurve Insertion<T>(IExplainer<T> explainer, ReadOnlySpan<T> input, ReadOnlySpan<T> baseline, Target target, ReadOnlySpan<T> map, PerturbationOptions? options = null)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (baseline.IsEmpty) throw new ArgumentException("The baseline is empty; use the overload without one for a constant baseline.", nameof(baseline));
            return Curve(explainer, input, baseline, target, map, options ?? new PerturbationOptions(), deletion: false);
        }

        /// <summary>
        /// The pixels of an input of <paramref name="shape"/> from the most to the least attributed (ties: lower index
        /// first); <paramref name="map"/> has one value per pixel or per input value (summed over channels).
        /// </summary>
        public static int[] RankPixels<T>(ReadOnlySpan<T> map, Shape shape) where T : unmanaged, IFloatingPointIeee754<T>
        {
            int pixels = shape.IsImage ? shape.Height * shape.Width : shape.Channels;
            int channels = shape.IsImage ? shape.Channels : 1;
            var score = new double[pixels];
            if (map.Length == pixels)
            {
                for (int p = 0; p < pixels; p++) score[p] = double.CreateTruncating(map[p]);
            }
            else if (map.Length == pixels * channels)
            {
                for (int c = 0; c < channels; c++)
                {
                    for (int p = 0; p < pixels; p++) score[p] += double.CreateTruncating(map[c * pixels + p]);
                }
            }
            else
            {
                throw new ArgumentException($"The map has {map.Length} values; an input of shape {shape} needs one per pixel ({pixels}) or one per value ({pixels * channels}).", nameof(map));
            }

            var order = new int[pixels];
            for (int p = 0; p < pixels; p++) order[p] = p;
            // NaN ranks last; otherwise decreasing score, then increasing index.
            Array.Sort(order, (i, j) =>
            {
                double a = double.IsNaN(score[i]) ? double.NegativeInfinity : score[i];
                double b = double.IsNaN(score[j]) ? double.NegativeInfinity : score[j];
                int c = b.CompareTo(a);
                return c != 0 ? c : i.CompareTo(j);
            });
            return order;
        }

        private static FaithfulnessCurve Curve<T>(IExplainer<T> explainer, ReadOnlySpan<T> input, ReadOnlySpan<T> baseline, Target target,
            ReadOnlySpan<T> map, PerturbationOptions options, bool deletion)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(explainer);
            if (options.PixelsPerStep < 1) throw new ArgumentOutOfRangeException(nameof(options), options.PixelsPerStep, "PixelsPerStep is 1 or more.");
            Shape shape = explainer.Architecture.InputShape;
            Guard.Length(input, explainer.InputSize, nameof(input), shape.ToString());
            if (!baseline.IsEmpty) Guard.Length(baseline, explainer.InputSize, nameof(baseline), shape.ToString());
            target.ThrowIfUnset();
            int[] order = RankPixels(map, shape);
            int pixels = order.Length, channels = shape.IsImage ? shape.Channels : 1;
            T constant = T.CreateTruncating(options.BaselineValue);

            // 'from' is where the curve starts, 'to' what the ranked pixels become.
            var current = new T[input.Length];
            var replacement = new T[input.Length];
            if (deletion)
            {
                input.CopyTo(current);
                if (baseline.IsEmpty) replacement.AsSpan().Fill(constant);
                else baseline.CopyTo(replacement);
            }
            else
            {
                if (baseline.IsEmpty) current.AsSpan().Fill(constant);
                else baseline.CopyTo(current);
                input.CopyTo(replacement);
            }

            IWorkspace workspace = explainer.CreateWorkspace();
            var output = new T[explainer.OutputSize];
            int steps = (pixels + options.PixelsPerStep - 1) / options.PixelsPerStep;
            var fractions = new double[steps + 1];
            var scores = new double[steps + 1];
            scores[0] = Score(explainer, current, target, output, workspace, options.Score);
            int changed = 0;
            for (int k = 1; k <= steps; k++)
            {
                int end = Math.Min(pixels, changed + options.PixelsPerStep);
                for (; changed < end; changed++)
                {
                    int p = order[changed];
                    for (int c = 0; c < channels; c++) current[c * pixels + p] = replacement[c * pixels + p];
                }

                fractions[k] = (double)changed / pixels;
                scores[k] = Score(explainer, current, target, output, workspace, options.Score);
            }

            return new FaithfulnessCurve(fractions, scores, order);
        }

        private static double Score<T>(IExplainer<T> explainer, T[] input, Target target, T[] output, IWorkspace workspace, CurveScore score)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            explainer.Forward(input, output, workspace);
            if (score == CurveScore.Logit) return target.Score<T>(output);
            double max = double.NegativeInfinity, sum = 0;
            foreach (T v in output) max = Math.Max(max, double.CreateTruncating(v));
            Span<double> p = output.Length <= 1024 ? stackalloc double[output.Length] : new double[output.Length];
            for (int i = 0; i < output.Length; i++)
            {
                p[i] = Math.Exp(double.CreateTruncating(output[i]) - max);
                sum += p[i];
            }

            var probabilities = new T[output.Length];
            for (int i = 0; i < output.Length; i++) probabilities[i] = T.CreateTruncating(p[i] / sum);
            return target.Score<T>(probabilities);
        }
    }

    /// <summary>Which attribution <see cref="Localisation.MassInside{T}"/> counts.</summary>
    public enum AttributionMass
    {
        /// <summary>Only positive attribution, <c>max(m, 0)</c>: evidence for the target.</summary>
        Positive,

        /// <summary>Magnitudes, <c>|m|</c>.</summary>
        Absolute,
    }

    /// <summary>
    /// Whether a map points at the right place, given a boolean mask of the object (same length and order as the map,
    /// H·W for a reduced image map).
    /// </summary>
    public static class Localisation
    {
        /// <summary>
        /// The pointing game (Zhang et al. 2016, without tolerance): whether the map's maximum lies inside
        /// <paramref name="mask"/>. Among tied maxima the first (lowest index) counts, so a constant map is a hit only if
        /// its first pixel is.
        /// </summary>
        public static bool PointingGame<T>(ReadOnlySpan<T> map, ReadOnlySpan<bool> mask) where T : unmanaged, IFloatingPointIeee754<T>
        {
            CheckMask(map.Length, mask.Length);
            int best = -1;
            for (int i = 0; i < map.Length; i++)
            {
                if (T.IsNaN(map[i])) continue;
                if (best < 0 || map[i] > map[best]) best = i;
            }

            return best >= 0 && mask[best];
        }

        /// <summary>
        /// The fraction of the attribution mass that lies inside <paramref name="mask"/>: <c>Σ_mask a / Σ a</c> with
        /// <c>a = max(m, 0)</c> or <c>|m|</c>; NaN when the map has no such mass at all.
        /// </summary>
        public static double MassInside<T>(ReadOnlySpan<T> map, ReadOnlySpan<bool> mask, AttributionMass mass = AttributionMass.Positive)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            CheckMask(map.Length, mask.Length);
            double inside = 0, total = 0;
            for (int i = 0; i < map.Length; i++)
            {
                double d = double.CreateTruncating(map[i]);
                double a = mass == AttributionMass.Positive ? Math.Max(d, 0) : Math.Abs(d);
                total += a;
                if (mask[i]) inside += a;
            }

            return total > 0 ? inside / total : double.NaN;
        }

        private static void CheckMask(int map, int mask)
        {
            if (map == 0) throw new ArgumentException("The map is empty.", nameof(map));
            if (map != mask) throw new ArgumentException($"The mask has {mask} values but the map has {map}.", nameof(mask));
        }
    }
}
