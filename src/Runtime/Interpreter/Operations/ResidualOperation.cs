using System.Numerics;
using Relucent.Kernels;
using Relucent.Model;

namespace Relucent.Interpretation
{
    /// <summary><c>y = f(x) + x</c>; backward, the branch's input signal plus the skip connection's.</summary>
    internal sealed class ResidualOperation<T> : Operation<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Sequence<T> _body;

        public ResidualOperation(Sequence<T> body) : base(body.InputSize, body.OutputSize) => _body = body;

        public override T[] Forward(T[] x, out object? state)
        {
            Sequence<T>.Trace trace = _body.Forward(x);
            state = trace;
            var y = new T[OutputSize];
            ElementwiseKernels.Add<T>(trace.Output, x, y);
            return y;
        }

        public override T[] Backward(T[] r, T[] x, T[] y, object? state, BackwardRule rule)
        {
            T[] rBranch = _body.Backward(r, (Sequence<T>.Trace)state!, rule);
            var rIn = new T[InputSize];
            ElementwiseKernels.Add<T>(rBranch, r, rIn);
            return rIn;
        }
    }

    internal sealed class ResidualKind : OperationKind<ResidualLayer>
    {
        protected override Operation<T> Prepare<T>(ResidualLayer layer, LayerPreparation<T> at) => new ResidualOperation<T>(at.Chain(0));
    }
}
