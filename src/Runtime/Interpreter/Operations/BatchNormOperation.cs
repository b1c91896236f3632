using System.Numerics;
using Relucent.Kernels;
using Relucent.Model;

namespace Relucent.Interpretation
{
    /// <summary>Eval-mode batch normalisation, folded at load into <c>y = scale·x + shift</c> per channel.</summary>
    internal sealed class BatchNormOperation<T> : Operation<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T[] _scale;
        private readonly T[] _shift;
        private readonly int _plane;

        public BatchNormOperation(T[] scale, T[] shift, int plane) : base(scale.Length * plane, scale.Length * plane)
        {
            _scale = scale;
            _shift = shift;
            _plane = plane;
        }

        public override T[] Forward(T[] x, out object? state)
        {
            state = null;
            var y = new T[OutputSize];
            NormalizationKernels.BatchNorm<T>(x, _scale, _shift, y, _plane);
            return y;
        }

        public override T[] Backward(T[] r, T[] x, T[] y, object? state, BackwardRule rule)
        {
            var rIn = new T[InputSize];
            NormalizationKernels.BatchNormBackward<T>(r, _scale, rIn, _plane);
            return rIn;
        }
    }

    internal sealed class BatchNormKind : OperationKind<BatchNormLayer>
    {
        protected override Operation<T> Prepare<T>(BatchNormLayer norm, LayerPreparation<T> at)
        {
            int channels = at.Input.Channels;
            var scale = new T[channels];
            var shift = new T[channels];
            NormalizationKernels.Fold<T>(at.Parameter(ParameterRole.Weight), at.Parameter(ParameterRole.Bias), at.Parameter(ParameterRole.RunningMean),
                at.Parameter(ParameterRole.RunningVar), norm.Eps, scale, shift);
            return new BatchNormOperation<T>(scale, shift, at.Input.IsImage ? at.Input.Height * at.Input.Width : 1);
        }
    }
}
