using System.Globalization;
using System.Numerics;
using Relucent.Interpretation;
using Relucent.Kernels;
using Relucent.Lrp;
using Relucent.Model;

namespace Relucent
{
    /// <summary>
    /// Runs any <see cref="Network"/> at run time, forward and backward under any <see cref="BackwardRule"/>, by
    /// walking its layers (residual blocks included) and calling the same kernels as generated code, in the same
    /// order: it is the reference generated code is tested against. An instance is immutable and may be shared
    /// between threads.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>: the precision of every computation.</typeparam>
    public sealed class Interpreter<T> : ILayerExplainer<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private static readonly BackwardRule[] AllRules =
        {
            BackwardRule.Saliency, BackwardRule.DeconvNet, BackwardRule.GuidedBackprop,
            BackwardRule.EpsilonPlus, BackwardRule.EpsilonPlusFlat, BackwardRule.EpsilonAlpha2Beta1, BackwardRule.EpsilonAlpha2Beta1Flat,
        };

        private static readonly BackwardRule[] AllRulesWithBox = AllRules.Append(BackwardRule.EpsilonGammaBox).ToArray();

        private static readonly BackwardRule[] GradientRules = AllRules.Where(r => !r.IsLrp()).ToArray();

        private readonly Sequence<T> _sequence;
        private readonly LrpPass<T> _lrp;
        private readonly (double Low, double High)? _box;
        private IReadOnlyList<NamedLayer>? _named;

        /// <summary>
        /// Prepares <paramref name="network"/> with <paramref name="parameters"/>: one C-order array per entry of
        /// <see cref="Network.Parameters"/>, in that order, shaped as PyTorch stores it. Weights are copied into the
        /// kernels' column-major layout and batch normalisations folded, so later changes to the arrays do not show.
        /// </summary>
        /// <exception cref="ArgumentException">The number of arrays, or the size of one, differs from what the network expects; or a running variance is negative.</exception>
        public Interpreter(Network network, IReadOnlyList<T[]> parameters)
        {
            Network = network ?? throw new ArgumentNullException(nameof(network));
            if (parameters is null) throw new ArgumentNullException(nameof(parameters));
            IReadOnlyList<ParameterInfo> expected = network.Parameters;
            if (parameters.Count != expected.Count)
            {
                throw new ArgumentException(
                    $"The network expects {expected.Count} parameter arrays ({string.Join(", ", expected.Select(p => p.Name))}), got {parameters.Count}.",
                    nameof(parameters));
            }
            var byOwner = new Dictionary<string, T[]>(StringComparer.Ordinal);
            for (int i = 0; i < expected.Count; i++)
            {
                ParameterInfo info = expected[i];
                T[] values = parameters[i] ?? throw new ArgumentException($"Parameter '{info.Name}' is null.", nameof(parameters));
                if (values.Length != info.Size)
                {
                    throw new ArgumentException(
                        $"Parameter '{info.Name}' [{string.Join(", ", info.Dimensions)}] needs {info.Size} values, got {values.Length}.",
                        nameof(parameters));
                }
                if (info.Role == ParameterRole.RunningVar && Array.FindIndex(values, v => v < T.Zero) is int negative and >= 0)
                {
                    throw new ArgumentException(
                        $"Parameter '{info.Name}' holds {values[negative]} at [{negative}]; a running variance must not be negative (its BatchNorm would give NaN).",
                        nameof(parameters));
                }
                byOwner.Add(Key(info.Path, info.Role), ParameterLayout.IsMatrix(info) ? ParameterLayout.ToKernel(info, values) : (T[])values.Clone());
            }
            _sequence = Build(network.InputShape, network.Layers, LayerPath.Top, byOwner);
            _lrp = new LrpPass<T>(network, (at, role) => byOwner.TryGetValue(Key(at.Indices, role), out T[]? values) ? values : null);
        }

        private Interpreter(Interpreter<T> other, (double Low, double High) box)
        {
            Network = other.Network;
            _sequence = other._sequence;
            _lrp = other._lrp;
            _box = box;
        }

        /// <summary>
        /// This interpreter with the input's bounds <paramref name="low"/> and <paramref name="high"/> for
        /// <see cref="BackwardRule.EpsilonGammaBox"/>'s ZBox rule (rounded to float32 first, as Zennit 1.0.0 does, and as
        /// <c>[EpsilonGammaBox(low, high)]</c> does).
        /// </summary>
        /// <exception cref="ArgumentException">The bounds are not finite, or not <c>low &lt; high</c>.</exception>
        public Interpreter<T> WithLrpBox(double low, double high)
        {
            if (!double.IsFinite(low) || !double.IsFinite(high) || !((float)low < (float)high))
            {
                throw new ArgumentException($"EpsilonGammaBox needs finite bounds with low < high; got low = {low}, high = {high}.", nameof(low));
            }
            return new Interpreter<T>(this, ((float)low, (float)high));
        }

        /// <summary>The network this interpreter runs.</summary>
        public Network Network { get; }

        /// <summary>The number of values in one input, C·H·W for an image.</summary>
        public int InputSize => _sequence.InputSize;

        /// <summary>The number of network outputs (logits).</summary>
        public int OutputSize => _sequence.OutputSize;

        /// <summary>
        /// Binds the tensors of a PyTorch <c>state_dict</c> (as read by <see cref="SafeTensors.Read(string)"/>) to
        /// <paramref name="network"/>'s parameters by name, checking every shape, and prepares an interpreter.
        /// </summary>
        public static Interpreter<T> FromTensors(Network network, IReadOnlyDictionary<string, Tensor> tensors)
        {
            if (network is null) throw new ArgumentNullException(nameof(network));
            if (tensors is null) throw new ArgumentNullException(nameof(tensors));
            ParameterShape[] shapes = network.Parameters
                .Select(p => new ParameterShape(p.Name, p.Dimensions.ToArray()) { NonNegative = p.Role == ParameterRole.RunningVar })
                .ToArray();
            T[][] arrays = ParameterBinder.Bind<T>(tensors, shapes);
            return new Interpreter<T>(network, arrays);
        }

        /// <summary>The network's output (logits) for one example <paramref name="input"/>, C·H·W order for an image.</summary>
        /// <exception cref="ArgumentException"><paramref name="input"/> does not have <see cref="InputSize"/> values, or holds NaN or infinity.</exception>
        /// <exception cref="NonFiniteResultException">The logits overflowed to NaN or infinity inside the network.</exception>
        public T[] Forward(ReadOnlySpan<T> input)
        {
            T[] x = CheckedCopy(input, InputSize, nameof(input));
            Sequence<T>.Trace trace = _sequence.Forward(x);
            T[] output = trace.Output;
            Guard.FiniteResult<T>(output, "the logits");
            return ReferenceEquals(output, x) ? (T[])x.Clone() : output;
        }

        /// <summary>
        /// The map of <paramref name="input"/>'s size that <paramref name="rule"/> gives for output <paramref name="target"/>:
        /// the backward pass seeded with one at that logit and zero elsewhere (no softmax is applied).
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="target"/> is not a class of the network.</exception>
        /// <exception cref="ArgumentException"><paramref name="input"/> has the wrong length, or holds NaN or infinity.</exception>
        /// <exception cref="NonFiniteResultException">The logits or the map overflowed to NaN or infinity inside the network.</exception>
        public T[] Backward(ReadOnlySpan<T> input, int target, BackwardRule rule)
        {
            if ((uint)target >= (uint)OutputSize)
            {
                throw new ArgumentOutOfRangeException(nameof(target), target,
                    $"Target {target.ToString(CultureInfo.InvariantCulture)} is not a class: the network has {OutputSize.ToString(CultureInfo.InvariantCulture)} classes (0 to {(OutputSize - 1).ToString(CultureInfo.InvariantCulture)}).");
            }
            var seed = new T[OutputSize];
            seed[target] = T.One;
            return Run(input, seed, rule);
        }

        /// <summary>
        /// The map of <paramref name="input"/>'s size that <paramref name="rule"/> gives when the backward pass starts
        /// from <paramref name="seed"/> at the output (a gradient of some function of the logits, for instance).
        /// </summary>
        /// <exception cref="ArgumentException"><paramref name="input"/> or <paramref name="seed"/> has the wrong length, or holds NaN or infinity.</exception>
        /// <exception cref="NonFiniteResultException">The logits or the map overflowed to NaN or infinity inside the network.</exception>
        public T[] Backward(ReadOnlySpan<T> input, ReadOnlySpan<T> seed, BackwardRule rule) =>
            Run(input, CheckedCopy(seed, OutputSize, nameof(seed)), rule);

        /// <summary>
        /// The conservation report of the LRP pass under <paramref name="composite"/> from <paramref name="seed"/> at the output:
        /// the relevance at the output and the input, and what each convolution, dense layer, pool and residual sum absorbed.
        /// </summary>
        /// <exception cref="ArgumentException"><paramref name="composite"/> is not an LRP composite, or an argument has the wrong length.</exception>
        public LrpReport Conservation(ReadOnlySpan<T> input, ReadOnlySpan<T> seed, BackwardRule composite)
        {
            if (!composite.IsLrp()) throw new ArgumentException($"{composite} is not an LRP composite.", nameof(composite));
            T[] x = CheckedCopy(input, InputSize, nameof(input));
            T[] r = CheckedCopy(seed, OutputSize, nameof(seed));
            Sequence<T>.Trace trace = _sequence.Forward(x);
            Guard.FiniteResult<T>(trace.Output, "the logits");
            var steps = new List<LrpStepSums>();
            T[] map = _lrp.Relevance(_sequence, trace, r, composite, _box, steps);
            steps.Reverse();
            return new LrpReport(composite, r.Sum(double.CreateChecked), map.Sum(double.CreateChecked), steps);
        }

        /// <inheritdoc />
        public IReadOnlyList<NamedLayer> NamedLayers => _named ??= NamedLayer.Of(Network);

        /// <summary>
        /// The activation of <paramref name="layer"/> and the signal arriving at it under <paramref name="rule"/> from
        /// <paramref name="seed"/> at the output: the backward pass runs the layers above it alone.
        /// </summary>
        /// <returns>The activation and the signal, each of the layer's output size.</returns>
        public (T[] Activation, T[] Signal) ExplainAt(BackwardRule rule, string layer, ReadOnlySpan<T> input, ReadOnlySpan<T> seed)
        {
            NamedLayer named = NamedLayers[NamedLayer.Find(NamedLayers, layer)];
            CheckRule(rule);
            T[] x = CheckedCopy(input, InputSize, nameof(input));
            T[] r = CheckedCopy(seed, OutputSize, nameof(seed));
            Sequence<T>.Trace trace = _sequence.Forward(x);
            Guard.FiniteResult<T>(trace.Output, "the logits");
            IReadOnlyList<int> path = named.Path;
            if (rule.IsLrp()) return (ActivationOf(trace, path), _lrp.RelevanceAt(_sequence, trace, r, rule, _box, path));
            // Down the chain to the layer's block, into the block's chain, and so on to the layer itself.
            Sequence<T> chain = _sequence;
            for (int k = 0; ; k += 2)
            {
                int i = path[k];
                r = chain.BackwardTo(r, trace, rule, i);
                if (k == path.Count - 1) return (trace.Activations[i + 1], r);
                var block = (IBlockOperation<T>)chain[i];
                int branch = path[k + 1];
                (chain, trace, r) = (block.Chain(branch), block.ChainTrace(trace.States[i], branch), block.ChainOutputSignal(branch, r));
            }
        }

        /// <summary>The output of <paramref name="layer"/> for <paramref name="input"/>: the forward pass alone.</summary>
        public T[] ActivationAt(string layer, ReadOnlySpan<T> input)
        {
            NamedLayer named = NamedLayers[NamedLayer.Find(NamedLayers, layer)];
            T[] x = CheckedCopy(input, InputSize, nameof(input));
            return ActivationOf(_sequence.Forward(x), named.Path);
        }

        // The output of the layer at path in a forward trace: into the layer's block, its branch's trace, and so on.
        private T[] ActivationOf(Sequence<T>.Trace trace, IReadOnlyList<int> path)
        {
            Sequence<T> chain = _sequence;
            for (int k = 0; ; k += 2)
            {
                int i = path[k];
                if (k == path.Count - 1) return trace.Activations[i + 1];
                var block = (IBlockOperation<T>)chain[i];
                int branch = path[k + 1];
                (chain, trace) = (block.Chain(branch), block.ChainTrace(trace.States[i], branch));
            }
        }

        /// <summary>The map of <paramref name="input"/> under <paramref name="rule"/> from <paramref name="layerSeed"/> at <paramref name="layer"/>'s output.</summary>
        public T[] ExplainFrom(BackwardRule rule, string layer, ReadOnlySpan<T> input, ReadOnlySpan<T> layerSeed)
        {
            NamedLayer named = NamedLayers[NamedLayer.Find(NamedLayers, layer)];
            if (!named.CanStart)
            {
                throw new ArgumentException($"A backward pass cannot start at '{layer}' (layer {named.Label}), inside a block; start at a named layer outside blocks.", nameof(layer));
            }
            CheckRule(rule);
            T[] x = CheckedCopy(input, InputSize, nameof(input));
            T[] r = CheckedCopy(layerSeed, checked((int)named.Shape.Size), nameof(layerSeed));
            Sequence<T>.Trace trace = _sequence.Forward(x);
            T[] map = rule.IsLrp() ? _lrp.RelevanceFrom(_sequence, trace, r, rule, _box, named.Path[0]) : _sequence.BackwardFrom(r, trace, rule, named.Path[0]);
            Guard.FiniteResult<T>(map, "the map");
            return map;
        }

        void ILayerExplainer<T>.ActivationAt(string layer, ReadOnlySpan<T> input, Span<T> activation, IWorkspace workspace)
        {
            T[] a = ActivationAt(layer, input);
            if (activation.Length != a.Length) throw new ArgumentException($"activation has {activation.Length} values, expected {a.Length}.", nameof(activation));
            a.CopyTo(activation);
        }

        void ILayerExplainer<T>.ExplainAt(BackwardRule rule, string layer, ReadOnlySpan<T> input, ReadOnlySpan<T> seed, Span<T> activation, Span<T> signal, IWorkspace workspace)
        {
            (T[] a, T[] r) = ExplainAt(rule, layer, input, seed);
            if (activation.Length != a.Length) throw new ArgumentException($"activation has {activation.Length} values, expected {a.Length}.", nameof(activation));
            if (signal.Length != r.Length) throw new ArgumentException($"signal has {signal.Length} values, expected {r.Length}.", nameof(signal));
            a.CopyTo(activation);
            r.CopyTo(signal);
        }

        void ILayerExplainer<T>.ExplainFrom(BackwardRule rule, string layer, ReadOnlySpan<T> input, ReadOnlySpan<T> layerSeed, Span<T> result, IWorkspace workspace)
        {
            if (result.Length != InputSize) throw new ArgumentException($"result has {result.Length} values, expected {InputSize}.", nameof(result));
            ExplainFrom(rule, layer, input, layerSeed).CopyTo(result);
        }

        // IExplainer: the interpreter keeps each call's buffers in locals, so its workspace holds nothing; it
        // allocates per call and is the reference, not the fast path.
        Network IExplainer<T>.Architecture => Network;

        // LRP where the network has rules for every layer (no softmax), EpsilonGammaBox once its bounds are given.
        IReadOnlyList<BackwardRule> IExplainer<T>.Rules =>
            LrpComposites.Unsupported(Network.Layers) != null ? GradientRules : _box == null ? AllRules : AllRulesWithBox;

        IWorkspace IExplainer<T>.CreateWorkspace() => new InterpreterWorkspace();

        void IExplainer<T>.Forward(ReadOnlySpan<T> input, Span<T> output, IWorkspace workspace)
        {
            if (output.Length != OutputSize) throw new ArgumentException($"output has {output.Length} values, expected {OutputSize}.", nameof(output));
            Forward(input).CopyTo(output);
        }

        void IExplainer<T>.Explain(BackwardRule rule, ReadOnlySpan<T> input, ReadOnlySpan<T> seed, Span<T> result, IWorkspace workspace)
        {
            if (result.Length != InputSize) throw new ArgumentException($"result has {result.Length} values, expected {InputSize}.", nameof(result));
            Backward(input, seed, rule).CopyTo(result);
        }

        private sealed class InterpreterWorkspace : IWorkspace
        {
        }

        private static void CheckRule(BackwardRule rule)
        {
            if (rule != BackwardRule.Saliency && rule != BackwardRule.DeconvNet && rule != BackwardRule.GuidedBackprop && !rule.IsLrp())
            {
                throw new ArgumentOutOfRangeException(nameof(rule), rule, $"Unknown backward rule {rule}.");
            }
        }

        private T[] Run(ReadOnlySpan<T> input, T[] seed, BackwardRule rule)
        {
            CheckRule(rule);
            T[] x = CheckedCopy(input, InputSize, nameof(input));
            Sequence<T>.Trace trace = _sequence.Forward(x);
            Guard.FiniteResult<T>(trace.Output, "the logits");
            T[] map = rule.IsLrp() ? _lrp.Relevance(_sequence, trace, seed, rule, _box) : _sequence.Backward(seed, trace, rule);
            Guard.FiniteResult<T>(map, "the map");
            return map;
        }

        // Length, then finiteness: the interpreter checks every input and seed, as generated code does by default.
        private static T[] CheckedCopy(ReadOnlySpan<T> values, int expected, string name)
        {
            if (values.Length != expected)
            {
                throw new ArgumentException($"{name} has {values.Length} values, expected {expected}.", name);
            }
            Guard.Finite(values, name, string.Empty);
            return values.ToArray();
        }

        private static string Key(IEnumerable<int> path, ParameterRole role) =>
            string.Join(".", path.Select(i => i.ToString(CultureInfo.InvariantCulture))) + ":" + role.ToString();

        // Each layer's kind prepares its operation (Interpreter/Operations, one file per kind); a block's kind asks for
        // its chains, which are built the same way.
        private static Sequence<T> Build(Shape input, IReadOnlyList<Layer> layers, Func<int, LayerPath> pathOf, Dictionary<string, T[]> parameters)
        {
            var operations = new Operation<T>[layers.Count];
            Shape current = input;
            for (int i = 0; i < layers.Count; i++)
            {
                LayerPath path = pathOf(i);
                Layer layer = layers[i];
                LayerError? error = ShapeRules.Check(layer, current, path, out Shape output);
                if (error != null) throw new NetworkDefinitionException(error);
                var preparation = new LayerPreparation<T>(layer, path, current, output,
                    (at, role) => parameters.TryGetValue(Key(at.Indices, role), out T[]? values) ? values : null,
                    (chainInput, branch, chainPath) => Build(chainInput, branch.Layers, chainPath, parameters));
                operations[i] = OperationKind.For(layer).Prepare(layer, preparation);
                current = output;
            }
            return new Sequence<T>(operations, (int)input.Size);
        }
    }
}
