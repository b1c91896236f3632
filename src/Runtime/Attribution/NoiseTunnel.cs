using System.Numerics;
using Relucent.Model;

namespace Relucent.Attribution
{
    /// <summary>Standard normal numbers from a seeded <see cref="Random"/> by the Box–Muller transform; repeatable for a seed.</summary>
    /// <remarks>
    /// Each pair of uniforms <c>u₁ ∈ (0, 1]</c>, <c>u₂ ∈ [0, 1)</c> gives two independent normals
    /// <c>√(−2 ln u₁)·cos(2πu₂)</c> and <c>√(−2 ln u₁)·sin(2πu₂)</c>, returned in that order. A seeded
    /// <see cref="Random"/> uses the same algorithm on every .NET version, so a seed gives the same numbers everywhere.
    /// </remarks>
    public sealed class GaussianNoise
    {
        private readonly Random _random;
        private double _spare;
        private bool _hasSpare;

        /// <summary>Noise from <c>new Random(<paramref name="seed"/>)</c>.</summary>
        public GaussianNoise(int seed)
            : this(new Random(seed))
        {
        }

        /// <summary>Noise drawn from <paramref name="random"/>.</summary>
        public GaussianNoise(Random random)
        {
            ArgumentNullException.ThrowIfNull(random);
            _random = random;
        }

        /// <summary>The next standard normal number (mean 0, standard deviation 1).</summary>
        public double Next()
        {
            if (_hasSpare)
            {
                _hasSpare = false;
                return _spare;
            }

            double u1 = 1.0 - _random.NextDouble();
            double u2 = _random.NextDouble();
            double radius = Math.Sqrt(-2.0 * Math.Log(u1));
            double angle = 2.0 * Math.PI * u2;
            _spare = radius * Math.Sin(angle);
            _hasSpare = true;
            return radius * Math.Cos(angle);
        }

        /// <summary>Fills <paramref name="values"/> with <c>N(mean, σ²)</c> numbers.</summary>
        public void Fill<T>(Span<T> values, double mean, double sigma) where T : unmanaged, IFloatingPointIeee754<T>
        {
            for (int i = 0; i < values.Length; i++) values[i] = T.CreateTruncating(mean + sigma * Next());
        }
    }

    /// <summary>
    /// The standard deviation of the noise of <see cref="NoiseTunnel{T}"/>: absolute, or relative to each input's range.
    /// </summary>
    /// <param name="Value">σ itself (absolute) or the fraction of the range (relative); zero or more.</param>
    /// <param name="IsRelative">Whether σ = <paramref name="Value"/> × (max − min of the input being explained).</param>
    public readonly record struct NoiseLevel(double Value, bool IsRelative)
    {
        /// <summary>σ = <paramref name="fraction"/> × (max(x) − min(x)), computed for each input (Smilkov et al.'s noise level).</summary>
        public static NoiseLevel Relative(double fraction) => new(Check(fraction), true);

        /// <summary>σ = <paramref name="sigma"/> for every input, as Captum's <c>stdevs</c> and Xplique's <c>noise</c>.</summary>
        public static NoiseLevel Absolute(double sigma) => new(Check(sigma), false);

        /// <summary>σ for <paramref name="input"/>.</summary>
        public double SigmaFor<T>(ReadOnlySpan<T> input) where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (!IsRelative || Value == 0) return Value;
            double min = double.PositiveInfinity, max = double.NegativeInfinity;
            foreach (T v in input)
            {
                double d = double.CreateTruncating(v);
                if (d < min) min = d;
                if (d > max) max = d;
            }

            return input.IsEmpty ? 0 : Value * (max - min);
        }

        private static double Check(double value) =>
            value >= 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A noise level is finite and zero or more.");

        /// <summary><c>σ = 0.15 × range</c> or <c>σ = 0.2</c>.</summary>
        public override string ToString() =>
            IsRelative ? $"σ = {Value:R} × range" : $"σ = {Value:R}";
    }

    /// <summary>What <see cref="NoiseTunnel{T}"/> makes of the maps of the noisy copies.</summary>
    public enum NoiseAggregation
    {
        /// <summary>SmoothGrad (Smilkov et al. 2017): the mean map, <c>E[m]</c>.</summary>
        SmoothGrad,

        /// <summary>SquareGrad (Hooker et al. 2019): the mean square, <c>E[m²]</c>.</summary>
        SquareGrad,

        /// <summary>VarGrad (Adebayo et al. 2018): the variance, <c>E[m²] − E[m]²</c> (population, divided by the sample count).</summary>
        VarGrad,
    }

    /// <summary>
    /// Averages another attribution method over noisy copies of the input, <c>x + ε</c>, <c>ε ~ N(0, σ²)</c> per value:
    /// SmoothGrad, SquareGrad or VarGrad (see <see cref="NoiseAggregation"/>), on top of any method (by default the
    /// map of a rule; also integrated gradients, gradient × input, ...), as Captum's <c>NoiseTunnel</c>.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Defaults: <see cref="Samples"/> = 50 (Smilkov et al. found little change beyond 50) and
    /// <see cref="Noise"/> = 15% of each input's range (<see cref="NoiseLevel.Relative"/>), the middle of the 10–20% the
    /// SmoothGrad paper recommends. Relative is the default because the paper states its noise level as a fraction of
    /// <c>x_max − x_min</c>, which carries over between inputs scaled to [0, 1], [0, 255] or standardised; an absolute σ
    /// (Captum's <c>stdevs</c>, Xplique's <c>noise</c>) is one call away: <c>Noise = NoiseLevel.Absolute(0.2)</c>.
    /// </para>
    /// <para>
    /// Repeatable: each call to <see cref="Attribute"/> draws its noise from <c>new Random(Seed)</c> (Box–Muller, see
    /// <see cref="GaussianNoise"/>), so the same seed, input and target give identical maps, whatever was computed before;
    /// the examples of a batch therefore share one noise sequence. Statistics are accumulated in float64 by Welford's
    /// updates, so σ = 0 returns the plain map exactly and the variance is never negative. Each call allocates one
    /// <see cref="Random"/>; buffers are kept.
    /// </para>
    /// </remarks>
    public class NoiseTunnel<T> : IAttribution<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T[] _noisy;
        private readonly T[] _map;
        private readonly double[] _mean;
        private readonly double[] _second;
        private readonly SingleCaller _inUse;
        private int _samples = 50;

        /// <summary>Aggregates the maps of <paramref name="inner"/> over noisy inputs.</summary>
        public NoiseTunnel(IAttribution<T> inner, NoiseAggregation aggregation)
        {
            ArgumentNullException.ThrowIfNull(inner);
            if (!Enum.IsDefined(aggregation)) throw new ArgumentOutOfRangeException(nameof(aggregation), aggregation, "Not an aggregation.");
            Inner = inner;
            Aggregation = aggregation;
            int size = inner.Explainer.InputSize;
            int mapSize = checked((int)inner.ResultShape.Size);
            _noisy = new T[size];
            _map = new T[mapSize];
            _mean = new double[mapSize];
            _second = new double[mapSize];
            _inUse = new SingleCaller(SingleCaller.NameOf(GetType()));
        }

        /// <summary>Aggregates the map of <paramref name="rule"/> (the gradient by default) over noisy inputs.</summary>
        public NoiseTunnel(IExplainer<T> explainer, NoiseAggregation aggregation, BackwardRule rule = BackwardRule.Saliency)
            : this(new RuleMap<T>(explainer, rule), aggregation)
        {
        }

        /// <inheritdoc />
        public IExplainer<T> Explainer => Inner.Explainer;

        /// <summary>The shape of the inner method's maps (the input's for input methods; a layer method's, e.g. SmoothGrad of Grad-CAM).</summary>
        public Shape ResultShape => Inner.ResultShape;

        /// <summary>The method run on each noisy copy.</summary>
        public IAttribution<T> Inner { get; }

        /// <summary>What is made of the maps.</summary>
        public NoiseAggregation Aggregation { get; }

        /// <summary>The number of noisy copies (50 by default).</summary>
        public int Samples
        {
            get => _samples;
            set => _samples = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "At least one sample.");
        }

        /// <summary>The noise's standard deviation (15% of each input's range by default).</summary>
        public NoiseLevel Noise { get; set; } = NoiseLevel.Relative(0.15);

        /// <summary>The seed of the generator each call starts afresh from (0 by default).</summary>
        public int Seed { get; set; }

        /// <inheritdoc />
        /// <exception cref="InvalidOperationException">Another call is using this instance (from another thread).</exception>
        public void Attribute(ReadOnlySpan<T> input, Target target, Span<T> result)
        {
            using SingleCaller.Scope use = _inUse.Enter();
            Checks.InputAndResult<T>(Explainer, input, result, ResultShape);
            target.ThrowIfUnset();
            double sigma = Noise.SigmaFor(input);
            var noise = new GaussianNoise(Seed);
            Array.Clear(_mean);
            Array.Clear(_second);
            int size = input.Length;
            for (int s = 1; s <= _samples; s++)
            {
                for (int i = 0; i < size; i++)
                {
                    _noisy[i] = sigma == 0 ? input[i] : T.CreateTruncating(double.CreateTruncating(input[i]) + sigma * noise.Next());
                }

                Inner.Attribute(_noisy, target, _map);
                for (int i = 0; i < _map.Length; i++)
                {
                    double m = double.CreateTruncating(_map[i]);
                    switch (Aggregation)
                    {
                        case NoiseAggregation.SmoothGrad:
                            _mean[i] += (m - _mean[i]) / s;
                            break;
                        case NoiseAggregation.SquareGrad:
                            _mean[i] += (m * m - _mean[i]) / s;
                            break;
                        default:
                            // Welford: _mean the running mean, _second the sum of squared deviations.
                            double delta = m - _mean[i];
                            _mean[i] += delta / s;
                            _second[i] += delta * (m - _mean[i]);
                            break;
                    }
                }
            }

            for (int i = 0; i < _map.Length; i++)
            {
                double value = Aggregation == NoiseAggregation.VarGrad ? Math.Max(_second[i], 0) / _samples : _mean[i];
                result[i] = T.CreateTruncating(value);
            }
        }
    }

    /// <summary>SmoothGrad (Smilkov et al. 2017): the mean map over noisy copies; see <see cref="NoiseTunnel{T}"/> for the parameters and defaults.</summary>
    public sealed class SmoothGrad<T> : NoiseTunnel<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <summary>SmoothGrad of the map of <paramref name="rule"/> (the gradient by default).</summary>
        public SmoothGrad(IExplainer<T> explainer, BackwardRule rule = BackwardRule.Saliency) : base(explainer, NoiseAggregation.SmoothGrad, rule) { }

        /// <summary>SmoothGrad of any method (e.g. integrated gradients).</summary>
        public SmoothGrad(IAttribution<T> inner) : base(inner, NoiseAggregation.SmoothGrad) { }
    }

    /// <summary>SquareGrad (Hooker et al. 2019): the mean squared map over noisy copies; see <see cref="NoiseTunnel{T}"/>.</summary>
    public sealed class SquareGrad<T> : NoiseTunnel<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <summary>SquareGrad of the map of <paramref name="rule"/> (the gradient by default).</summary>
        public SquareGrad(IExplainer<T> explainer, BackwardRule rule = BackwardRule.Saliency) : base(explainer, NoiseAggregation.SquareGrad, rule) { }

        /// <summary>SquareGrad of any method.</summary>
        public SquareGrad(IAttribution<T> inner) : base(inner, NoiseAggregation.SquareGrad) { }
    }

    /// <summary>VarGrad (Adebayo et al. 2018): the variance of the map over noisy copies; see <see cref="NoiseTunnel{T}"/>.</summary>
    public sealed class VarGrad<T> : NoiseTunnel<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <summary>VarGrad of the map of <paramref name="rule"/> (the gradient by default).</summary>
        public VarGrad(IExplainer<T> explainer, BackwardRule rule = BackwardRule.Saliency) : base(explainer, NoiseAggregation.VarGrad, rule) { }

        /// <summary>VarGrad of any method.</summary>
        public VarGrad(IAttribution<T> inner) : base(inner, NoiseAggregation.VarGrad) { }
    }
}
