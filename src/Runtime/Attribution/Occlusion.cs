using System.Numerics;
using Relucent.Model;

namespace Relucent.Attribution
{
    /// <summary>
    /// Occlusion (Zeiler and Fergus 2014) as Captum's <c>Occlusion(model).attribute(x, sliding_window_shapes, strides,
    /// baselines, target)</c>: a window slides over the input, every position replaced by the baseline in turn; each input
    /// value's attribution is the mean, over the windows that covered it, of <c>f_t(x) − f_t(x with the window occluded)</c>.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The window and strides have one size per input dimension (<c>[C, H, W]</c> for an image: <c>[3, 15, 15]</c> occludes
    /// all channels of a 15×15 patch, <c>[1, 15, 15]</c> one channel at a time; <c>[n]</c> for a vector). As Captum's, the
    /// first window sits at index 0 of every dimension, it moves by the stride <c>⌈(D − W)/s⌉ + 1</c> times per
    /// dimension, and a last window that would pass the edge is cut off there; a stride must not exceed the window where
    /// the window is smaller than the input, so that every value is covered.
    /// </para>
    /// <para>
    /// The occluded inputs are run forward through a <see cref="BatchRunner{T}"/> this method owns (its workers spread
    /// them over the cores, <see cref="PerturbationsPerBatch"/> at a time, as Captum's <c>perturbations_per_eval</c>), so
    /// dispose it when done. The output differences are accumulated in float64 and each value rounded once (Captum's
    /// result is float32 whatever the input's precision: it calls <c>.float()</c> before dividing by the counts).
    /// </para>
    /// </remarks>
    public sealed class Occlusion<T> : IAttribution<T>, IDisposable where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly BatchRunner<T> _runner;
        private readonly (int C, int H, int W) _dims, _window, _strides, _shifts;
        private readonly double[] _sum;
        private readonly int[] _counts;
        private readonly int[] _rows; // the start of each row of the window at hand
        private readonly T[] _output;
        private readonly SingleCaller _inUse;
        private T[] _batch = Array.Empty<T>();
        private T[] _outputs = Array.Empty<T>();
        private T[]? _baseline;
        private T _baselineValue = T.Zero;
        private int _perturbationsPerBatch = 16;

        /// <summary>Occlusion of <paramref name="explainer"/> by a <paramref name="window"/> moved by <paramref name="strides"/> (1 in every dimension by default).</summary>
        /// <param name="explainer">The network.</param>
        /// <param name="window">The window's size in each input dimension (<c>[C, H, W]</c> or <c>[n]</c>).</param>
        /// <param name="strides">The step in each dimension, or <c>null</c> for 1 everywhere.</param>
        /// <param name="workers">Workers of the batch runner, the calling thread included; -1 for one per core.</param>
        /// <exception cref="ArgumentException">The window or strides have the wrong number of sizes, a size is below 1 or exceeds the input, or a stride exceeds its window.</exception>
        public Occlusion(IExplainer<T> explainer, int[] window, int[]? strides = null, int workers = -1)
        {
            ArgumentNullException.ThrowIfNull(explainer);
            ArgumentNullException.ThrowIfNull(window);
            Shape input = explainer.Architecture.InputShape;
            int[] dims = input.Dimensions;
            strides ??= Enumerable.Repeat(1, dims.Length).ToArray();
            string shape = "[" + string.Join(", ", dims) + "]";
            if (window.Length != dims.Length)
            {
                throw new ArgumentException($"The window has {window.Length} sizes; the input {shape} needs one per dimension ({dims.Length}).", nameof(window));
            }

            if (strides.Length != dims.Length)
            {
                throw new ArgumentException($"The strides have {strides.Length} sizes; the input {shape} needs one per dimension ({dims.Length}).", nameof(strides));
            }

            for (int d = 0; d < dims.Length; d++)
            {
                if (window[d] < 1 || window[d] > dims[d])
                {
                    throw new ArgumentException($"window[{d}] is {window[d]}; it must be 1 to {dims[d]}, the input's size there (input {shape}).", nameof(window));
                }

                if (strides[d] < 1 || (window[d] < dims[d] && strides[d] > window[d]))
                {
                    throw new ArgumentException(
                        $"strides[{d}] is {strides[d]}; it must be 1 to {window[d]} (the window there), or the windows would leave values uncovered.", nameof(strides));
                }
            }

            Window = (int[])window.Clone();
            Strides = (int[])strides.Clone();
            _dims = Three(dims);
            _window = Three(window);
            _strides = Three(strides);
            _shifts = (Shifts(_dims.C, _window.C, _strides.C), Shifts(_dims.H, _window.H, _strides.H), Shifts(_dims.W, _window.W, _strides.W));
            Perturbations = checked(_shifts.C * _shifts.H * _shifts.W);
            _runner = new BatchRunner<T>(explainer, workers);
            _sum = new double[explainer.InputSize];
            _counts = new int[explainer.InputSize];
            _output = new T[explainer.OutputSize];
            _rows = new int[_window.C * _window.H];
            for (int f = 0; f < Perturbations; f++) CountWindow(f);

            _inUse = new SingleCaller(SingleCaller.NameOf(GetType()));
        }

        /// <inheritdoc />
        public IExplainer<T> Explainer => _runner.Network;

        /// <summary>The window's size in each input dimension.</summary>
        public IReadOnlyList<int> Window { get; }

        /// <summary>The step in each input dimension.</summary>
        public IReadOnlyList<int> Strides { get; }

        /// <summary>The number of window positions, and so of forward passes per call (plus one at the input).</summary>
        public int Perturbations { get; }

        /// <summary>The value occluded inputs take, when no <see cref="Baseline"/> tensor is set (0 by default, Captum's).</summary>
        public T BaselineValue
        {
            get => _baselineValue;
            set => _baselineValue = T.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The baseline value is finite.");
        }

        /// <summary>A baseline input (InputSize values, copied) whose values occluded inputs take, or <c>null</c> for <see cref="BaselineValue"/>.</summary>
        public T[]? Baseline
        {
            get => _baseline is null ? null : (T[])_baseline.Clone();
            set
            {
                if (value is not null)
                {
                    Guard.Length<T>(value, Explainer.InputSize, nameof(Baseline), Explainer.Architecture.InputShape.ToString());
                    Guard.Finite<T>(value, nameof(Baseline), string.Empty);
                }

                _baseline = value is null ? null : (T[])value.Clone();
            }
        }

        /// <summary>
        /// How many occluded inputs go to the batch runner at once (16 by default; Captum's <c>perturbations_per_eval</c>).
        /// More keeps the cores busier and holds more inputs in memory; the result is the same bits.
        /// </summary>
        public int PerturbationsPerBatch
        {
            get => _perturbationsPerBatch;
            set => _perturbationsPerBatch = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "At least one perturbation per batch.");
        }

        /// <inheritdoc />
        /// <exception cref="ArgumentException">A buffer's length is wrong, the input holds NaN or infinity, or the target is not an output.</exception>
        /// <exception cref="InvalidOperationException">Another call is using this instance (from another thread).</exception>
        public void Attribute(ReadOnlySpan<T> input, Target target, Span<T> result)
        {
            using SingleCaller.Scope use = _inUse.Enter();
            Checks.InputAndResult(Explainer, input, result);
            target.ThrowIfUnset();
            Guard.Finite(input, nameof(input), string.Empty);
            int size = input.Length, outputs = _output.Length;
            int perBatch = Math.Min(_perturbationsPerBatch, Perturbations);
            if (_batch.Length != perBatch * size)
            {
                _batch = new T[perBatch * size];
                _outputs = new T[perBatch * outputs];
            }

            _runner.Forward(input, _output);
            double original = target.Score<T>(_output);
            Array.Clear(_sum);
            for (int first = 0; first < Perturbations; first += perBatch)
            {
                int count = Math.Min(perBatch, Perturbations - first);
                for (int n = 0; n < count; n++) Occlude(first + n, input, _batch.AsSpan(n * size, size));
                _runner.Forward(_batch.AsSpan(0, count * size), _outputs.AsSpan(0, count * outputs));
                for (int n = 0; n < count; n++)
                {
                    double difference = original - target.Score<T>(_outputs.AsSpan(n * outputs, outputs));
                    AddToWindow(first + n, difference);
                }
            }

            for (int i = 0; i < size; i++) result[i] = T.CreateTruncating(_sum[i] / _counts[i]);
        }

        /// <summary>Stops the batch runner's threads.</summary>
        public void Dispose() => _runner.Dispose();

        private void Occlude(int position, ReadOnlySpan<T> input, Span<T> into)
        {
            input.CopyTo(into);
            (int rows, int w0, int w1) = Rows(position);
            foreach (int row in _rows.AsSpan(0, rows))
            {
                for (int w = w0; w < w1; w++) into[row + w] = _baseline is null ? _baselineValue : _baseline[row + w];
            }
        }

        private void AddToWindow(int position, double difference)
        {
            (int rows, int w0, int w1) = Rows(position);
            foreach (int row in _rows.AsSpan(0, rows))
            {
                for (int w = w0; w < w1; w++) _sum[row + w] += difference;
            }
        }

        private void CountWindow(int position)
        {
            (int rows, int w0, int w1) = Rows(position);
            foreach (int row in _rows.AsSpan(0, rows))
            {
                for (int w = w0; w < w1; w++) _counts[row + w]++;
            }
        }

        /// <summary>
        /// The window at position <paramref name="position"/>, cut at the edge: the start of each of its rows (into
        /// <c>_rows</c>, their count returned) and its columns <c>[w0, w1)</c>. Positions count the first dimension fastest,
        /// as Captum's feature numbers.
        /// </summary>
        private (int Rows, int W0, int W1) Rows(int position)
        {
            int c = position % _shifts.C * _strides.C;
            position /= _shifts.C;
            int h = position % _shifts.H * _strides.H;
            int w = position / _shifts.H * _strides.W;
            int rows = 0;
            for (int ci = c; ci < Math.Min(c + _window.C, _dims.C); ci++)
            {
                for (int hi = h; hi < Math.Min(h + _window.H, _dims.H); hi++) _rows[rows++] = (ci * _dims.H + hi) * _dims.W;
            }

            return (rows, w, Math.Min(w + _window.W, _dims.W));
        }

        private static int Shifts(int size, int window, int stride) => (size - window + stride - 1) / stride + 1;

        // A vector of n values is handled as an image of 1×1×n.
        private static (int, int, int) Three(int[] values) => values.Length == 3 ? (values[0], values[1], values[2]) : (1, 1, values[0]);
    }
}
