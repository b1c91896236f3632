using System.Numerics;
using Relucent.Kernels;
using Relucent.Model;

namespace Relucent.Interpretation
{
    /// <summary>Dense: <c>y = W·x + b</c>; backward <c>Wᵀ·r</c>.</summary>
    internal sealed class DenseOperation<T> : Operation<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T[] _weight; // [outputs, inputs], column-major
        private readonly T[] _bias;

        public DenseOperation(int inputs, int outputs, T[] weight, T[] bias) : base(inputs, outputs)
        {
            _weight = weight;
            _bias = bias;
        }

        public override T[] Forward(T[] x, out object? state)
        {
            state = null;
            var y = new T[OutputSize];
            DenseKernels.Forward<T>(x, _weight, _bias, y, InputSize, OutputSize);
            return y;
        }

        public override T[] Backward(T[] r, T[] x, T[] y, object? state, BackwardRule rule)
        {
            var rIn = new T[InputSize];
            DenseKernels.BackwardInput<T>(r, _weight, rIn, InputSize, OutputSize);
            return rIn;
        }
    }

    internal sealed class DenseKind : OperationKind<DenseLayer>
    {
        protected override Operation<T> Prepare<T>(DenseLayer layer, LayerPreparation<T> at) =>
            new DenseOperation<T>(at.InputSize, layer.Units, at.Parameter(ParameterRole.Weight), at.Parameter(ParameterRole.Bias));
    }
}
