using System.Numerics;

namespace Relucent.Attribution
{
    /// <summary>
    /// Integrated gradients (Sundararajan et al. 2017):
    /// <c>IGᵢ(x) = (xᵢ − bᵢ) · ∫₀¹ mapᵢ(b + α(x − b)) dα</c>, the integral approximated by a <see cref="Quadrature"/>
    /// as <c>(xᵢ − bᵢ) · Σₖ wₖ · mapᵢ(b + αₖ(x − b))</c>, as Captum computes it.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Defaults are Captum's: a zero <see cref="Baseline"/>, 50 <see cref="Steps"/>, <see cref="Quadrature.GaussLegendre"/>,
    /// and the gradient (<see cref="BackwardRule.Saliency"/>); any rule the network has may be passed instead, which
    /// integrates that rule's map along the path (completeness then holds only for the gradient).
    /// </para>
    /// <para>
    /// Memory is bounded whatever the number of steps: the steps are evaluated in chunks of one, each a single backward
    /// pass through this method's buffers (one interpolated input, one map, and a float64 accumulator of InputSize values),
    /// so nothing grows with <see cref="Steps"/>. Points and weights are computed once per (quadrature, steps) and kept.
    /// The weighted sum is accumulated in float64 for either precision, and the interpolated inputs
    /// <c>b + α(x − b)</c> are computed in float64 and rounded once to <typeparamref name="T"/>.
    /// </para>
    /// <para>
    /// <see cref="AttributeWithCompleteness"/> also returns the completeness gap
    /// <c>Σᵢ IGᵢ − (f(x) − f(b))</c> (the target's score, see <see cref="Target.Score{T}"/>), which shrinks as the steps
    /// grow for the gradient rule.
    /// </para>
    /// </remarks>
    public sealed class IntegratedGradients<T> : RuleAttribution<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T[] _point;
        private readonly T[] _map;
        private readonly T[] _output;
        private readonly double[] _sum;
        private T[]? _baseline;
        private int _steps = 50;
        private Quadrature _quadrature = Quadrature.GaussLegendre;
        private double[]? _alphas;
        private double[]? _weights;

        /// <summary>Integrated gradients of <paramref name="explainer"/> under <paramref name="rule"/> (the gradient by default).</summary>
        public IntegratedGradients(IExplainer<T> explainer, BackwardRule rule = BackwardRule.Saliency)
            : base(explainer, rule)
        {
            _point = new T[explainer.InputSize];
            _map = new T[explainer.InputSize];
            _output = new T[explainer.OutputSize];
            _sum = new double[explainer.InputSize];
        }

        /// <summary>The number of points on the path (50 by default, as Captum's <c>n_steps</c>).</summary>
        public int Steps
        {
            get => _steps;
            set
            {
                if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), value, "At least one step.");
                _alphas = null;
                _steps = value;
            }
        }

        /// <summary>The quadrature (Gauss–Legendre by default, as Captum's).</summary>
        public Quadrature Quadrature
        {
            get => _quadrature;
            set
            {
                _alphas = null;
                _quadrature = value;
            }
        }

        /// <summary>
        /// Uses the points <paramref name="alphas"/> (in [0, 1]) and weights <paramref name="weights"/> (copied) instead of
        /// a named <see cref="Quadrature"/>, e.g. another library's rounding of them; <see cref="Steps"/> becomes their
        /// count. Setting <see cref="Steps"/> or <see cref="Quadrature"/> afterwards returns to the named rule.
        /// </summary>
        /// <remarks>
        /// Captum multiplies its gradients by <c>torch.tensor(step_sizes)</c>, which is float32 under PyTorch's default
        /// dtype, so even its float64 attributions carry weights rounded to float32 (a relative difference up to about
        /// 6e-8 from the exact ones used here); passing the rounded weights reproduces its float64 numbers to ~1e-15.
        /// </remarks>
        public void SetPoints(ReadOnlySpan<double> alphas, ReadOnlySpan<double> weights)
        {
            if (alphas.IsEmpty || alphas.Length != weights.Length)
            {
                throw new ArgumentException($"Points and weights come in pairs, at least one; got {alphas.Length} and {weights.Length}.", nameof(weights));
            }

            foreach (double a in alphas)
            {
                if (!(a >= 0 && a <= 1)) throw new ArgumentOutOfRangeException(nameof(alphas), a, "Points lie in [0, 1].");
            }

            for (int k = 0; k < weights.Length; k++)
            {
                if (!double.IsFinite(weights[k])) throw new ArgumentOutOfRangeException(nameof(weights), weights[k], $"weights[{k}] is {weights[k]}; weights are finite.");
            }

            _alphas = alphas.ToArray();
            _weights = weights.ToArray();
            _steps = alphas.Length;
        }

        /// <summary>
        /// The baseline <c>b</c>, InputSize values (copied), or <c>null</c> for zeros (the default).
        /// </summary>
        public T[]? Baseline
        {
            get => _baseline is null ? null : (T[])_baseline.Clone();
            set
            {
                if (value is not null)
                {
                    Guard.Length<T>(value, Explainer.InputSize, nameof(Baseline), Explainer.Architecture.InputShape.ToString());
                    Guard.Finite<T>(value, nameof(Baseline), string.Empty); // else the network would report the interpolated point, called "input"
                }

                _baseline = value is null ? null : (T[])value.Clone();
            }
        }

        /// <summary>
        /// The map of <paramref name="input"/> for <paramref name="target"/> into <paramref name="result"/>, with the
        /// completeness check: two more forward passes, at <c>x</c> and at <c>b</c>.
        /// </summary>
        public Completeness AttributeWithCompleteness(ReadOnlySpan<T> input, Target target, Span<T> result)
        {
            using SingleCaller.Scope use = Enter();
            AttributeInside(input, target, result);
            Explainer.Forward(input, _output, Workspace);
            double atInput = target.Score<T>(_output);
            ReadOnlySpan<T> baseline = _baseline;
            if (baseline.IsEmpty)
            {
                _point.AsSpan().Clear();
                baseline = _point;
            }

            Explainer.Forward(baseline, _output, Workspace);
            double atBaseline = target.Score<T>(_output);
            double sum = 0;
            foreach (T value in result) sum += double.CreateTruncating(value);
            return new Completeness(sum, atInput - atBaseline);
        }

        /// <inheritdoc />
        protected override void AttributeCore(ReadOnlySpan<T> input, Target target, ReadOnlySpan<T> seed, Span<T> result)
        {
            if (_alphas is null)
            {
                (_alphas, _weights) = QuadratureRule.Compute(_quadrature, _steps);
            }

            double[] alphas = _alphas, weights = _weights!;
            ReadOnlySpan<T> baseline = _baseline;
            int size = input.Length;
            Array.Clear(_sum);
            for (int k = 0; k < alphas.Length; k++)
            {
                double alpha = alphas[k];
                for (int i = 0; i < size; i++)
                {
                    double b = baseline.IsEmpty ? 0 : double.CreateTruncating(baseline[i]);
                    _point[i] = T.CreateTruncating(b + alpha * (double.CreateTruncating(input[i]) - b));
                }

                Explainer.Explain(Rule, _point, seed, _map, Workspace);
                double weight = weights[k];
                for (int i = 0; i < size; i++) _sum[i] += weight * double.CreateTruncating(_map[i]);
            }

            for (int i = 0; i < size; i++)
            {
                double b = baseline.IsEmpty ? 0 : double.CreateTruncating(baseline[i]);
                result[i] = T.CreateTruncating((double.CreateTruncating(input[i]) - b) * _sum[i]);
            }
        }
    }

    /// <summary>
    /// The completeness check of integrated gradients: the attributions should add up to <c>f(x) − f(b)</c>.
    /// </summary>
    /// <param name="AttributionSum"><c>Σᵢ IGᵢ</c>.</param>
    /// <param name="OutputDifference"><c>f(x) − f(b)</c>, the target's score at the input minus at the baseline.</param>
    public readonly record struct Completeness(double AttributionSum, double OutputDifference)
    {
        /// <summary><c>Σᵢ IGᵢ − (f(x) − f(b))</c>; zero for an exact integral of the gradient.</summary>
        public double Gap => AttributionSum - OutputDifference;

        /// <summary><c>|Gap| / |f(x) − f(b)|</c> (infinity when the difference is zero and the gap is not).</summary>
        public double RelativeGap => Math.Abs(Gap) / Math.Abs(OutputDifference);
    }
}
