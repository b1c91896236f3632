using System.Numerics;
using Relucent.Kernels;
using Relucent.Model;

namespace Relucent.Interpretation
{
    /// <summary><c>y = f(x) + g(x)</c>, <c>g</c> the shortcut or the identity; backward, the two paths' input signals summed.</summary>
    internal sealed class ResidualOperation<T> : Operation<T>, IBlockOperation<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Sequence<T> _body;
        private readonly Sequence<T>? _shortcut;

        public ResidualOperation(Sequence<T> body, Sequence<T>? shortcut) : base(body.InputSize, body.OutputSize)
        {
            _body = body;
            _shortcut = shortcut;
        }

        public override T[] Forward(T[] x, out object? state)
        {
            Sequence<T>.Trace trace = _body.Forward(x);
            Sequence<T>.Trace? shortcut = _shortcut?.Forward(x);
            state = (trace, shortcut);
            var y = new T[OutputSize];
            ElementwiseKernels.Add<T>(trace.Output, shortcut?.Output ?? x, y);
            return y;
        }

        public Sequence<T> Chain(int branch) => branch == 0 ? _body : _shortcut!;

        public Sequence<T>.Trace ChainTrace(object? state, int branch)
        {
            var (trace, shortcut) = ((Sequence<T>.Trace, Sequence<T>.Trace?))state!;
            return branch == 0 ? trace : shortcut!;
        }

        // A sum passes its signal to each term unchanged.
        public T[] ChainOutputSignal(int branch, T[] r) => r;

        public override T[] Backward(T[] r, T[] x, T[] y, object? state, BackwardRule rule)
        {
            var (trace, shortcut) = ((Sequence<T>.Trace, Sequence<T>.Trace?))state!;
            T[]? rShortcut = shortcut == null ? null : _shortcut!.Backward(r, shortcut, rule);
            T[] rBranch = _body.Backward(r, trace, rule);
            var rIn = new T[InputSize];
            ElementwiseKernels.Add<T>(rBranch, rShortcut ?? r, rIn);
            return rIn;
        }
    }

    internal sealed class ResidualKind : OperationKind<ResidualLayer>
    {
        protected override Operation<T> Prepare<T>(ResidualLayer layer, LayerPreparation<T> at) =>
            new ResidualOperation<T>(at.Chain(0), layer.Shortcut.Count > 0 ? at.Chain(1) : null);
    }
}
