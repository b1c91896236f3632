using System.Numerics;

namespace Relucent.Training
{
    /// <summary>
    /// An optimiser over an <see cref="ITrainable{T}"/>: <see cref="Step"/> updates the trainable parameters in place
    /// (<see cref="ITrainable{T}.ParameterStorage"/>) from gradients shaped like them, then calls
    /// <see cref="ITrainable{T}.ParametersChanged"/>. Parameters that are not trainable (BatchNorm running statistics)
    /// are never touched.
    /// </summary>
    /// <remarks>
    /// Optimiser state (momentum buffers, Adam's moments) is kept in float64 whatever <typeparamref name="T"/> is, and
    /// every update is element-wise in a fixed order, so a step is deterministic. Parameters and gradients share one
    /// layout (matrices column-major), which an element-wise rule does not need to know.
    /// </remarks>
    public abstract class Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly int[] _sizes;

        /// <summary>An optimiser of <paramref name="network"/>'s parameters.</summary>
        protected Optimizer(ITrainable<T> network, double learningRate)
        {
            ArgumentNullException.ThrowIfNull(network);
            Network = network;
            LearningRate = learningRate;
            _sizes = network.ParameterStorage.Select(p => p.Length).ToArray();
            if (network.Trainable.Count != _sizes.Length)
            {
                throw new ArgumentException($"The network lists {_sizes.Length} parameters but {network.Trainable.Count} trainable flags.", nameof(network));
            }
        }

        /// <summary>The network whose parameters are updated.</summary>
        public ITrainable<T> Network { get; }

        /// <summary>The learning rate; may be changed between steps (a schedule).</summary>
        public double LearningRate
        {
            get => _learningRate;
            set
            {
                if (!(value >= 0) || double.IsInfinity(value)) throw new ArgumentOutOfRangeException(nameof(value), value, "The learning rate is finite and 0 or more.");
                _learningRate = value;
            }
        }

        private double _learningRate;

        /// <summary>The number of steps taken so far.</summary>
        public long Steps { get; private set; }

        /// <summary>
        /// One update from <paramref name="gradients"/> (∂loss/∂parameters, shaped like
        /// <see cref="ITrainable{T}.ParameterStorage"/>, e.g. from <see cref="ITrainable{T}.CreateGradients"/>), then
        /// <see cref="ITrainable{T}.ParametersChanged"/>. The gradients are read, not changed.
        /// </summary>
        public void Step(T[][] gradients)
        {
            ArgumentNullException.ThrowIfNull(gradients);
            Guard.Count(gradients.Length, _sizes.Length, nameof(gradients));
            for (int p = 0; p < _sizes.Length; p++)
            {
                if (gradients[p] is null || gradients[p].Length != _sizes[p])
                {
                    throw new ArgumentException($"gradients[{p}] has {gradients[p]?.Length.ToString() ?? "no"} values; the parameter has {_sizes[p]}.", nameof(gradients));
                }
            }

            Steps++;
            IReadOnlyList<T[]> storage = Network.ParameterStorage;
            for (int p = 0; p < _sizes.Length; p++)
            {
                if (Network.Trainable[p]) Update(p, storage[p], gradients[p]);
            }

            Network.ParametersChanged();
        }

        /// <summary>Updates parameter <paramref name="index"/> (<paramref name="values"/>, in place) from its gradient; <see cref="Steps"/> already counts this step.</summary>
        protected abstract void Update(int index, T[] values, ReadOnlySpan<T> gradient);

        /// <summary><paramref name="value"/> if it is finite, at least <paramref name="minimum"/> and, when <paramref name="belowOne"/>, less than 1.</summary>
        protected static double Checked(double value, double minimum, bool belowOne, string name)
        {
            if (!double.IsFinite(value) || value < minimum || (belowOne && value >= 1))
            {
                throw new ArgumentOutOfRangeException(name, value, $"{name} is finite, {minimum} or more{(belowOne ? " and less than 1" : "")}.");
            }

            return value;
        }

        /// <summary>Zeroed float64 state shaped like the parameters (empty for parameters that are not trained).</summary>
        protected double[][] NewState() =>
            _sizes.Select((size, p) => Network.Trainable[p] ? new double[size] : Array.Empty<double>()).ToArray();
    }

    /// <summary>
    /// Stochastic gradient descent with momentum and weight decay, PyTorch's <c>torch.optim.SGD</c> rule:
    /// <c>g = ∇ + λ·p</c>; with momentum μ, <c>b = g</c> at the first step and <c>b = μ·b + (1 − dampening)·g</c> after,
    /// <c>g = b</c> (or <c>g + μ·b</c> with Nesterov); then <c>p = p − lr·g</c>.
    /// </summary>
    public sealed class Sgd<T> : Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly double[][] _buffers;

        /// <summary>SGD of <paramref name="network"/> with learning rate <paramref name="learningRate"/> (no momentum, no decay unless set).</summary>
        public Sgd(ITrainable<T> network, double learningRate) : base(network, learningRate)
        {
            _buffers = NewState();
        }

        /// <summary>The momentum μ (0 by default: plain SGD).</summary>
        public double Momentum { get => _momentum; init => _momentum = Checked(value, 0, false, nameof(Momentum)); }

        private readonly double _momentum;

        /// <summary>Dampening of the momentum (0 by default, as PyTorch).</summary>
        public double Dampening { get => _dampening; init => _dampening = Checked(value, 0, false, nameof(Dampening)); }

        private readonly double _dampening;

        /// <summary>Whether Nesterov momentum is used (false by default).</summary>
        public bool Nesterov { get; init; }

        /// <summary>L2 weight decay λ added to the gradient (0 by default).</summary>
        public double WeightDecay { get => _weightDecay; init => _weightDecay = Checked(value, 0, false, nameof(WeightDecay)); }

        private readonly double _weightDecay;

        /// <inheritdoc/>
        protected override void Update(int index, T[] values, ReadOnlySpan<T> gradient)
        {
            double lr = LearningRate, mu = Momentum, decay = WeightDecay, keep = 1 - Dampening;
            double[]? buffer = mu != 0 ? _buffers[index] : null;
            bool first = Steps == 1;
            for (int i = 0; i < values.Length; i++)
            {
                double p = double.CreateTruncating(values[i]);
                double g = double.CreateTruncating(gradient[i]);
                if (decay != 0) g += decay * p;
                if (buffer is not null)
                {
                    double b = first ? g : mu * buffer[i] + keep * g;
                    buffer[i] = b;
                    g = Nesterov ? g + mu * b : b;
                }

                values[i] = T.CreateTruncating(p - lr * g);
            }
        }
    }

    /// <summary>
    /// Adam (Kingma &amp; Ba 2015) with PyTorch's <c>torch.optim.Adam</c> rule and defaults (lr 1e-3, betas (0.9, 0.999),
    /// eps 1e-8, no weight decay): <c>g = ∇ + λ·p</c>, <c>m = m + (1 − β₁)(g − m)</c>, <c>v = β₂·v + (1 − β₂)·g²</c>,
    /// <c>p = p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + eps)</c>.
    /// </summary>
    public sealed class Adam<T> : Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly double[][] _m;
        private readonly double[][] _v;

        /// <summary>Adam of <paramref name="network"/> (PyTorch's defaults).</summary>
        public Adam(ITrainable<T> network, double learningRate = 1e-3) : base(network, learningRate)
        {
            _m = NewState();
            _v = NewState();
        }

        /// <summary>β₁, the decay of the first moment (0.9).</summary>
        public double Beta1 { get => _beta1; init => _beta1 = Checked(value, 0, true, nameof(Beta1)); }

        private readonly double _beta1 = 0.9;

        /// <summary>β₂, the decay of the second moment (0.999).</summary>
        public double Beta2 { get => _beta2; init => _beta2 = Checked(value, 0, true, nameof(Beta2)); }

        private readonly double _beta2 = 0.999;

        /// <summary>eps, added to the denominator (1e-8).</summary>
        public double Epsilon { get => _epsilon; init => _epsilon = Checked(value, 0, false, nameof(Epsilon)); }

        private readonly double _epsilon = 1e-8;

        /// <summary>L2 weight decay λ added to the gradient, as <c>Adam(weight_decay=λ)</c> (0 by default; not AdamW's decoupled decay).</summary>
        public double WeightDecay { get => _weightDecay; init => _weightDecay = Checked(value, 0, false, nameof(WeightDecay)); }

        private readonly double _weightDecay;

        /// <inheritdoc/>
        protected override void Update(int index, T[] values, ReadOnlySpan<T> gradient)
        {
            double[] m = _m[index], v = _v[index];
            double b1 = Beta1, b2 = Beta2, decay = WeightDecay;
            double stepSize = LearningRate / (1 - Math.Pow(b1, Steps));
            double correction2 = Math.Sqrt(1 - Math.Pow(b2, Steps));
            for (int i = 0; i < values.Length; i++)
            {
                double p = double.CreateTruncating(values[i]);
                double g = double.CreateTruncating(gradient[i]);
                if (decay != 0) g += decay * p;
                m[i] += (1 - b1) * (g - m[i]);
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                values[i] = T.CreateTruncating(p - stepSize * m[i] / (Math.Sqrt(v[i]) / correction2 + Epsilon));
            }
        }
    }
}
