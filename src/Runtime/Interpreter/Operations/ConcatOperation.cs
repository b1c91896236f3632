using System.Numerics;
using Relucent.Kernels;
using Relucent.Model;

namespace Relucent.Interpretation
{
    /// <summary>Parallel chains from one input, concatenated along the channels; backward, the signal split by channel and the chains' input signals summed.</summary>
    internal sealed class ConcatOperation<T> : Operation<T>, IBlockOperation<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Sequence<T>[] _chains;

        public ConcatOperation(Sequence<T>[] chains, int outputSize) : base(chains[0].InputSize, outputSize) => _chains = chains;

        public override T[] Forward(T[] x, out object? state)
        {
            var traces = new Sequence<T>.Trace[_chains.Length];
            var y = new T[OutputSize];
            int offset = 0;
            for (int b = 0; b < _chains.Length; b++)
            {
                traces[b] = _chains[b].Forward(x);
                traces[b].Output.CopyTo(y, offset);
                offset += traces[b].Output.Length;
            }
            state = traces;
            return y;
        }

        public Sequence<T> Chain(int branch) => _chains[branch];

        public Sequence<T>.Trace ChainTrace(object? state, int branch) => ((Sequence<T>.Trace[])state!)[branch];

        // A concatenation hands each chain its own channels of the signal.
        public T[] ChainOutputSignal(int branch, T[] r)
        {
            int offset = _chains.Take(branch).Sum(c => c.OutputSize);
            return r.AsSpan(offset, _chains[branch].OutputSize).ToArray();
        }

        public override T[] Backward(T[] r, T[] x, T[] y, object? state, BackwardRule rule)
        {
            var traces = (Sequence<T>.Trace[])state!;
            var signals = new T[_chains.Length][];
            for (int b = 0; b < _chains.Length; b++) signals[b] = _chains[b].Backward(ChainOutputSignal(b, r), traces[b], rule);
            // Summed in branch order, as generated code sums them.
            var rIn = new T[InputSize];
            ElementwiseKernels.Add<T>(signals[0], signals[1], rIn);
            for (int b = 2; b < _chains.Length; b++) ElementwiseKernels.Add<T>(rIn, signals[b], rIn);
            return rIn;
        }
    }

    internal sealed class ConcatKind : OperationKind<ConcatLayer>
    {
        protected override Operation<T> Prepare<T>(ConcatLayer layer, LayerPreparation<T> at) =>
            new ConcatOperation<T>(Enumerable.Range(0, layer.Chains.Count).Select(at.Chain).ToArray(), at.OutputSize);
    }
}
