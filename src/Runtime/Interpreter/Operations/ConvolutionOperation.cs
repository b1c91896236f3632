using System.Numerics;
using Relucent.Kernels;
using Relucent.Model;

namespace Relucent.Interpretation
{
    /// <summary>Conv2D: the convolution forward, the transposed convolution backward.</summary>
    internal sealed class ConvolutionOperation<T> : Operation<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly ConvolutionGeometry _geometry;
        private readonly T[] _weight; // [filters, channels·k·k], column-major
        private readonly T[] _bias;   // empty when the layer has none

        public ConvolutionOperation(ConvolutionGeometry geometry, T[] weight, T[] bias) : base(geometry.InputSize, geometry.OutputSize)
        {
            _geometry = geometry;
            _weight = weight;
            _bias = bias;
        }

        /// <summary>The convolution's geometry, which LRP's rules run the layer with (<c>Relucent.Lrp.ConvolutionMap</c>).</summary>
        public ConvolutionGeometry Geometry => _geometry;

        public override T[] Forward(T[] x, out object? state)
        {
            state = null;
            var y = new T[OutputSize];
            ConvolutionKernels.Forward<T>(x, _weight, _bias, y, _geometry);
            return y;
        }

        public override T[] Backward(T[] r, T[] x, T[] y, object? state, BackwardRule rule)
        {
            var rIn = new T[InputSize];
            ConvolutionKernels.BackwardInput<T>(r, _weight, rIn, _geometry);
            return rIn;
        }
    }

    internal sealed class Conv2DKind : OperationKind<Conv2DLayer>
    {
        protected override Operation<T> Prepare<T>(Conv2DLayer conv, LayerPreparation<T> at)
        {
            Shape input = at.Input;
            var geometry = new ConvolutionGeometry(input.Channels, input.Height, input.Width, conv.Filters, conv.Kernel, conv.Stride,
                conv.Padding.Top, conv.Padding.Left, conv.Padding.Bottom, conv.Padding.Right, conv.Groups);
            return new ConvolutionOperation<T>(geometry, at.Parameter(ParameterRole.Weight), at.OptionalParameter(ParameterRole.Bias));
        }
    }
}
