using System.Numerics;
using Relucent.Kernels;
using Relucent.Model;

namespace Relucent
{
    /// <summary>
    /// A network's dense head — its last layers when they are only dense layers, ReLUs, dropouts and a flatten (AlexNet's and
    /// VGG's classifier) — run for many examples at once, so that a batch reads each of its weights from memory once per pass
    /// (forward, backward) rather than once per example and pass. Each example's values are the same bits as the network's own single-example passes: the batched
    /// products give every row the single kernel's sums in the single kernel's order (<see cref="DenseKernels.ForwardBatch{T}"/>,
    /// <see cref="DenseKernels.BackwardInputBatch{T}"/>), and the ReLU steps are elementwise.
    /// </summary>
    /// <remarks>
    /// The head's steps are read from the architecture (layers <c>start</c> to the end) and its weights are the network's own
    /// storage (the kernels' layout), so a change made in place and announced with <c>ParametersChanged</c> is seen here too.
    /// One instance holds the buffers of one batch of up to <see cref="Capacity"/> examples: a <see cref="BatchRunner{T}"/> owns it.
    /// </remarks>
    internal sealed class DenseHead<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <summary>One step: a dense layer (its weight and bias, <see cref="Inputs"/> → <see cref="Outputs"/>) or a ReLU (no weight).</summary>
        private sealed record Step(T[]? Weight, T[]? Bias, int Inputs, int Outputs);

        private readonly Step[] _steps;

        // _activations[0] is the head's input, _activations[k + 1] step k's output; _signals[k] the signal at _activations[k].
        private readonly T[][] _activations;
        private readonly T[][] _signals;

        private DenseHead(Step[] steps, int capacity)
        {
            _steps = steps;
            Capacity = capacity;
            _activations = new T[steps.Length + 1][];
            _signals = new T[steps.Length + 1][];
            _activations[0] = new T[capacity * InputSize];
            _signals[0] = new T[capacity * InputSize];
            for (int k = 0; k < steps.Length; k++)
            {
                _activations[k + 1] = new T[capacity * steps[k].Outputs];
                _signals[k + 1] = new T[capacity * steps[k].Outputs];
            }
        }

        /// <summary>The most examples one pass takes.</summary>
        public int Capacity { get; }

        /// <summary>The values one example feeds the head: the trunk's output, flattened.</summary>
        public int InputSize => _steps[0].Inputs;

        /// <summary>The logits of one example.</summary>
        public int OutputSize => _steps[^1].Outputs;

        /// <summary>
        /// The head of <paramref name="architecture"/> from top-level layer <paramref name="start"/> (dense layers, ReLUs,
        /// dropouts and flattens only, at least one dense layer), over <paramref name="storage"/> (the network's parameters in
        /// <see cref="Network.Parameters"/> order, the kernels' layout), for batches of up to <paramref name="capacity"/>; null
        /// when those layers are not such a head.
        /// </summary>
        public static DenseHead<T>? Of(Network architecture, int start, IReadOnlyList<T[]> storage, int capacity)
        {
            ArgumentNullException.ThrowIfNull(architecture);
            ArgumentNullException.ThrowIfNull(storage);
            if (start < 0 || start >= architecture.Layers.Count || capacity < 1) return null;
            var steps = new List<Step>();
            int features = checked((int)(start == 0 ? architecture.InputShape.Size : architecture.LayerOutputShapes[start - 1].Size));
            for (int i = start; i < architecture.Layers.Count; i++)
            {
                switch (architecture.Layers[i])
                {
                    case DenseLayer dense:
                        steps.Add(new Step(Parameter(architecture, storage, i, ParameterRole.Weight), Parameter(architecture, storage, i, ParameterRole.Bias), features, dense.Units));
                        features = dense.Units;
                        break;
                    case ReLULayer:
                        steps.Add(new Step(null, null, features, features));
                        break;
                    case DropoutLayer or FlattenLayer:
                        break; // the identity when explaining
                    default:
                        return null;
                }
            }
            if (!steps.Any(s => s.Weight != null)) return null;
            return new DenseHead<T>(steps.ToArray(), capacity);
        }

        /// <summary>Example <paramref name="example"/>'s row of the head's input, where the trunk's forward pass writes it.</summary>
        public Span<T> Input(int example) => _activations[0].AsSpan(example * InputSize, InputSize);

        /// <summary>Example <paramref name="example"/>'s logits after <see cref="Forward"/>.</summary>
        public ReadOnlySpan<T> Output(int example) => _activations[^1].AsSpan(example * OutputSize, OutputSize);

        /// <summary>Example <paramref name="example"/>'s row of the seed, where <see cref="Backward"/> starts.</summary>
        public Span<T> Seed(int example) => _signals[^1].AsSpan(example * OutputSize, OutputSize);

        /// <summary>Example <paramref name="example"/>'s signal at the head's input after <see cref="Backward"/>, where the trunk's backward pass starts.</summary>
        public ReadOnlySpan<T> InputSignal(int example) => _signals[0].AsSpan(example * InputSize, InputSize);

        /// <summary>The forward pass of the first <paramref name="examples"/> rows of the input.</summary>
        public void Forward(int examples)
        {
            for (int k = 0; k < _steps.Length; k++)
            {
                Step step = _steps[k];
                ReadOnlySpan<T> x = _activations[k].AsSpan(0, examples * step.Inputs);
                Span<T> y = _activations[k + 1].AsSpan(0, examples * step.Outputs);
                if (step.Weight == null) ActivationKernels.Relu<T>(x, y);
                else DenseKernels.ForwardBatch<T>(x, step.Weight, step.Bias, y, step.Inputs, step.Outputs, examples);
            }
        }

        /// <summary>The backward pass under <paramref name="rule"/> (Saliency, DeconvNet or GuidedBackprop) of the first <paramref name="examples"/> rows of the seed, after <see cref="Forward"/>.</summary>
        public void Backward(BackwardRule rule, int examples)
        {
            for (int k = _steps.Length - 1; k >= 0; k--)
            {
                Step step = _steps[k];
                ReadOnlySpan<T> r = _signals[k + 1].AsSpan(0, examples * step.Outputs);
                Span<T> rIn = _signals[k].AsSpan(0, examples * step.Inputs);
                if (step.Weight != null)
                {
                    DenseKernels.BackwardInputBatch<T>(r, step.Weight, rIn, step.Inputs, step.Outputs, examples);
                    continue;
                }
                ReadOnlySpan<T> z = _activations[k + 1].AsSpan(0, examples * step.Outputs);
                switch (rule)
                {
                    case BackwardRule.Saliency: ReluRules.Apply<T, SaliencyRule>(z, r, rIn); break;
                    case BackwardRule.DeconvNet: ReluRules.Apply<T, DeconvNetRule>(z, r, rIn); break;
                    case BackwardRule.GuidedBackprop: ReluRules.Apply<T, GuidedBackpropRule>(z, r, rIn); break;
                    default: throw new ArgumentOutOfRangeException(nameof(rule), rule, "A dense head runs the rules that differ only at ReLUs.");
                }
            }
        }

        /// <summary>Whether the head runs <paramref name="rule"/> (the LRP composites have their own rules at dense layers).</summary>
        public static bool Runs(BackwardRule rule) => rule is BackwardRule.Saliency or BackwardRule.DeconvNet or BackwardRule.GuidedBackprop;

        // Top-level layer `layer`'s parameter of `role` (its storage array), or null when it has none (a dense layer without a bias).
        private static T[]? Parameter(Network architecture, IReadOnlyList<T[]> storage, int layer, ParameterRole role)
        {
            IReadOnlyList<ParameterInfo> parameters = architecture.Parameters;
            for (int i = 0; i < parameters.Count; i++)
            {
                if (parameters[i].Role == role && parameters[i].Path.Count == 1 && parameters[i].Path[0] == layer) return storage[i];
            }
            return null;
        }
    }
}
