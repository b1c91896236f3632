using System.Numerics;
using Relucent.Kernels;
using Relucent.Model;

namespace Relucent.Interpretation
{
    /// <summary>
    /// An activation backpropagated by its true gradient under every rule, from its forward output: Tanh, Sigmoid and
    /// Softmax, each a pair of kernels.
    /// </summary>
    internal sealed class SmoothOperation<T> : Operation<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Forwards _forward;
        private readonly Backwards _backward;

        public delegate void Forwards(ReadOnlySpan<T> x, Span<T> z);

        public delegate void Backwards(ReadOnlySpan<T> z, ReadOnlySpan<T> dy, Span<T> dx);

        public SmoothOperation(int size, Forwards forward, Backwards backward) : base(size, size)
        {
            _forward = forward;
            _backward = backward;
        }

        public override T[] Forward(T[] x, out object? state)
        {
            state = null;
            var z = new T[OutputSize];
            _forward(x, z);
            return z;
        }

        public override T[] Backward(T[] r, T[] x, T[] y, object? state, BackwardRule rule)
        {
            var rIn = new T[InputSize];
            _backward(y, r, rIn);
            return rIn;
        }
    }

    internal sealed class TanhKind : OperationKind<TanhLayer>
    {
        protected override Operation<T> Prepare<T>(TanhLayer layer, LayerPreparation<T> at) =>
            new SmoothOperation<T>(at.InputSize, ActivationKernels.Tanh, ActivationKernels.TanhBackward);
    }

    internal sealed class SigmoidKind : OperationKind<SigmoidLayer>
    {
        protected override Operation<T> Prepare<T>(SigmoidLayer layer, LayerPreparation<T> at) =>
            new SmoothOperation<T>(at.InputSize, ActivationKernels.Sigmoid, ActivationKernels.SigmoidBackward);
    }

    internal sealed class SoftmaxKind : OperationKind<SoftmaxLayer>
    {
        protected override Operation<T> Prepare<T>(SoftmaxLayer layer, LayerPreparation<T> at) =>
            new SmoothOperation<T>(at.InputSize, ActivationKernels.Softmax, ActivationKernels.SoftmaxBackward);
    }
}
