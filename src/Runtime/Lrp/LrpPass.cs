using System.Collections.Concurrent;
using System.Numerics;
using Relucent.Interpretation;
using Relucent.Kernels;
using Relucent.Model;

namespace Relucent.Lrp
{
    /// <summary>
    /// The interpreter's LRP: walks a forward trace backward, giving each layer the rule <see cref="LrpComposites"/> assigns
    /// it and calling the same <see cref="LrpKernels"/> as generated code, on the same parameters, so the two agree bit for bit.
    /// </summary>
    internal sealed class LrpPass<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Network _network;
        private readonly Func<LayerPath, ParameterRole, T[]?> _parameter;
        private readonly ConcurrentDictionary<string, LrpWeights<T>> _weights = new(StringComparer.Ordinal);

        /// <param name="network">The network the trace is of.</param>
        /// <param name="parameter">A layer's parameter of a role, in the kernels' layout (the interpreter's own arrays), or null.</param>
        public LrpPass(Network network, Func<LayerPath, ParameterRole, T[]?> parameter)
        {
            _network = network;
            _parameter = parameter;
        }

        /// <summary>
        /// The relevance at the input from <paramref name="seed"/> at the output under <paramref name="composite"/> (with
        /// EpsilonGammaBox's <paramref name="box"/>); <paramref name="steps"/>, when given, receives each rule-bearing step's
        /// relevance sums, last step first.
        /// </summary>
        public T[] Relevance(Sequence<T> sequence, Sequence<T>.Trace trace, T[] seed, BackwardRule composite, (double Low, double High)? box,
            List<LrpStepSums>? steps = null)
        {
            var run = new Run(composite, LrpComposites.FirstLayer(_network.Layers, composite), box, steps);
            return Chain(sequence, _network.Layers, LayerPath.Top, trace, seed, run, _network.Layers.Count - 1, 0);
        }

        /// <summary>
        /// The relevance at the input from <paramref name="layerSeed"/> placed at top-level layer <paramref name="from"/>'s
        /// output: the layers above it take no part.
        /// </summary>
        public T[] RelevanceFrom(Sequence<T> sequence, Sequence<T>.Trace trace, T[] layerSeed, BackwardRule composite, (double Low, double High)? box, int from)
        {
            var run = new Run(composite, LrpComposites.FirstLayer(_network.Layers, composite), box, null);
            return Chain(sequence, _network.Layers, LayerPath.Top, trace, layerSeed, run, from, 0);
        }

        /// <summary>
        /// The relevance arriving at the output of the layer at <paramref name="path"/> (<see cref="NamedLayer.Path"/>) from
        /// <paramref name="seed"/> at the network's output: the steps above it alone, into a block through the share of the
        /// branch the layer is on (a residual sum's Norm share, a concatenation's slice).
        /// </summary>
        public T[] RelevanceAt(Sequence<T> sequence, Sequence<T>.Trace trace, T[] seed, BackwardRule composite, (double Low, double High)? box,
            IReadOnlyList<int> path)
        {
            var run = new Run(composite, LrpComposites.FirstLayer(_network.Layers, composite), box, null);
            IReadOnlyList<Layer> layers = _network.Layers;
            Func<int, LayerPath> pathOf = LayerPath.Top;
            T[] r = seed;
            for (int k = 0; ; k += 2)
            {
                int i = path[k];
                r = Chain(sequence, layers, pathOf, trace, r, run, layers.Count - 1, i + 1);
                if (k == path.Count - 1) return r;
                var block = (IBlockOperation<T>)sequence[i];
                int branch = path[k + 1];
                Layer blockLayer = layers[i];
                r = blockLayer is ResidualLayer ? BranchShare(block, Quotient(r, trace.Activations[i + 1]), trace.States[i], branch) : block.ChainOutputSignal(branch, r);
                Branch chain = blockLayer.Branches[branch];
                (sequence, layers, pathOf, trace) = (block.Chain(branch), chain.Layers, Inside(pathOf(i), branch, chain), block.ChainTrace(trace.States[i], branch));
            }
        }

        // Layers from..to (inclusive, downward) of a chain.
        private T[] Chain(Sequence<T> sequence, IReadOnlyList<Layer> layers, Func<int, LayerPath> pathOf, Sequence<T>.Trace trace, T[] r, Run run, int from, int to)
        {
            for (int i = from; i >= to; i--)
            {
                r = Step(sequence[i], layers, i, pathOf(i), trace.Activations[i], trace.Activations[i + 1], trace.States[i], r, run);
            }
            return r;
        }

        private T[] Step(Operation<T> operation, IReadOnlyList<Layer> layers, int index, LayerPath path, T[] x, T[] y, object? state, T[] r, Run run)
        {
            Layer layer = layers[index];
            switch (layer)
            {
                case DenseLayer dense:
                    return Affine(new DenseMap(operation.InputSize, dense.Units), layers, index, path, x, r, run, dense.Units);
                case Conv2DLayer conv:
                    return Affine(new ConvolutionMap(((ConvolutionOperation<T>)operation).Geometry), layers, index, path, x, r, run, conv.Filters);
                case AvgPoolLayer _:
                case AdaptiveAvgPoolLayer _:
                {
                    // Norm: the same quotient, transposed map (the pool's gradient) and product as LrpKernels.Norm.
                    var s = new T[r.Length];
                    LrpKernels.Quotient<T>(r, y, s);
                    T[] c = operation.Backward(s, x, y, state, BackwardRule.Saliency);
                    var rIn = new T[x.Length];
                    LrpKernels.Share<T>(x, c, rIn);
                    run.Record(path, "Norm", false, r, rIn);
                    return rIn;
                }
                case MaxPoolLayer _:
                    return operation.Backward(r, x, y, state, BackwardRule.Saliency);
                case ResidualLayer residual:
                    return Residual((IBlockOperation<T>)operation, residual, path, x, y, state, r, run);
                case ConcatLayer concat:
                    return Concat((IBlockOperation<T>)operation, concat, path, state, r, run);
                case SoftmaxLayer _:
                    throw new NotSupportedException($"Layer {path.Label} ({layer.Describe()}) has no LRP rule: LRP explains the logits, so end the network before the softmax.");
                default:
                    return r; // Pass: activations, BatchNorm (merged into the layer before it, or alone), Flatten, Dropout
            }
        }

        private T[] Affine<TMap>(TMap map, IReadOnlyList<Layer> layers, int index, LayerPath path, T[] x, T[] r, Run run, int outputs) where TMap : struct, ILrpMap
        {
            LrpWeights<T> w = Weights(layers, index, path, outputs);
            var rIn = new T[x.Length];
            var scratch = new LrpScratch<T>(x.Length, r.Length);
            (double low, double high) = run.Box ?? (double.NaN, double.NaN);
            LrpRule rule = LrpComposites.AffineRule(run.Composite, layers[index], path.Label == run.First, low, high);
            switch (rule.Kind)
            {
                case LrpRuleKind.Epsilon: LrpKernels.Epsilon<T, TMap>(map, x, r, rIn, w, scratch); break;
                case LrpRuleKind.ZPlus: LrpKernels.ZPlus<T, TMap>(map, x, r, rIn, w, scratch); break;
                case LrpRuleKind.AlphaBeta: LrpKernels.AlphaBeta<T, TMap>(map, x, r, rIn, w, scratch); break;
                case LrpRuleKind.Gamma: LrpKernels.Gamma<T, TMap>(map, x, r, rIn, w, T.CreateChecked(rule.GammaValue), scratch); break;
                case LrpRuleKind.Flat: LrpKernels.Flat<T, TMap>(map, x, r, rIn, w, scratch); break;
                case LrpRuleKind.ZBox:
                    if (double.IsNaN(rule.Low)) throw new InvalidOperationException("EpsilonGammaBox needs the input's bounds for its ZBox rule: use Interpreter.WithLrpBox(low, high).");
                    LrpKernels.ZBox<T, TMap>(map, x, r, rIn, w, T.CreateChecked(rule.Low), T.CreateChecked(rule.High), scratch);
                    break;
                default: throw new InvalidOperationException($"No LRP rule for layer {path.Label}.");
            }
            run.Record(path, rule.ToString(), true, r, rIn);
            return rIn;
        }

        // The layer's parameters, with the BatchNorm right after it merged in; made once per layer and kept.
        private LrpWeights<T> Weights(IReadOnlyList<Layer> layers, int index, LayerPath path, int outputs) => _weights.GetOrAdd(path.Label, _ =>
        {
            T[] weight = _parameter(path, ParameterRole.Weight)!;
            T[] bias = _parameter(path, ParameterRole.Bias) ?? Array.Empty<T>();
            if (!(index + 1 < layers.Count && LrpComposites.MergesIntoPrevious(layers, index + 1))) return LrpWeights<T>.Of(weight, bias, outputs);
            LayerPath bn = NextPath(path);
            return LrpWeights<T>.Merged(weight, bias, outputs, _parameter(bn, ParameterRole.Weight), _parameter(bn, ParameterRole.Bias),
                _parameter(bn, ParameterRole.RunningMean), _parameter(bn, ParameterRole.RunningVar), ((BatchNormLayer)layers[index + 1]).Eps);
        });

        // The Norm rule at the sum: each term's share (its value times r / stab(y)) down its chain; the shares meet at the input.
        private T[] Residual(IBlockOperation<T> block, ResidualLayer residual, LayerPath path, T[] x, T[] y, object? state, T[] r, Run run)
        {
            T[] s = Quotient(r, y);
            IReadOnlyList<Branch> branches = residual.Branches;
            var shares = new T[branches.Count][];
            for (int b = 0; b < branches.Count; b++) shares[b] = BranchShare(block, s, state, b);
            T[]? identity = null;
            if (branches.Count == 1)
            {
                identity = new T[x.Length];
                LrpKernels.Share<T>(x, s, identity);
            }
            run.Record(path, "Norm (sum)", false, r, identity == null ? shares[0].Concat(shares[1]).ToArray() : shares[0].Concat(identity).ToArray());
            var inputs = new T[branches.Count][];
            for (int b = branches.Count - 1; b >= 0; b--)
            {
                inputs[b] = Chain(block.Chain(b), branches[b].Layers, Inside(path, b, branches[b]), block.ChainTrace(state, b), shares[b], run, branches[b].Layers.Count - 1, 0);
            }
            T[] skip = identity ?? inputs[1];
            var rIn = new T[x.Length];
            ElementwiseKernels.Add<T>(inputs[0], skip, rIn);
            return rIn;
        }

        // The gradient: each chain its slice of the signal, the chains' input signals summed in order.
        private T[] Concat(IBlockOperation<T> block, ConcatLayer concat, LayerPath path, object? state, T[] r, Run run)
        {
            IReadOnlyList<Branch> branches = concat.Branches;
            var inputs = new T[branches.Count][];
            for (int b = branches.Count - 1; b >= 0; b--)
            {
                inputs[b] = Chain(block.Chain(b), branches[b].Layers, Inside(path, b, branches[b]), block.ChainTrace(state, b), block.ChainOutputSignal(b, r), run,
                    branches[b].Layers.Count - 1, 0);
            }
            var rIn = new T[inputs[0].Length];
            ElementwiseKernels.Add<T>(inputs[0], inputs[1], rIn);
            for (int b = 2; b < inputs.Length; b++) ElementwiseKernels.Add<T>(rIn, inputs[b], rIn);
            return rIn;
        }

        // The Norm rule's quotient r / stab(y) at a residual sum y.
        private static T[] Quotient(T[] r, T[] y)
        {
            var s = new T[r.Length];
            LrpKernels.Quotient<T>(r, y, s);
            return s;
        }

        // Branch b's share of a residual sum's relevance: its output times the quotient.
        private static T[] BranchShare(IBlockOperation<T> block, T[] quotient, object? state, int b)
        {
            var share = new T[quotient.Length];
            LrpKernels.Share<T>(block.ChainTrace(state, b).Output, quotient, share);
            return share;
        }

        private static Func<int, LayerPath> Inside(LayerPath path, int branch, Branch chain) => j => path.Inside(branch, chain.Label, j);

        private static LayerPath NextPath(LayerPath path)
        {
            int[] indices = (int[])path.Indices.Clone();
            indices[^1]++;
            return LayerPath.From(indices);
        }

        private sealed record Run(BackwardRule Composite, string? First, (double Low, double High)? Box, List<LrpStepSums>? Steps)
        {
            public void Record(LayerPath path, string rule, bool affine, T[] output, T[] input)
            {
                if (Steps == null) return;
                double Sum(T[] values) => values.Sum(double.CreateChecked);
                Steps.Add(new LrpStepSums(path.Label, rule, affine, Sum(output), Sum(input)));
            }
        }
    }
}
