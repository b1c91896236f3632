using System.Numerics;
using Relucent.Kernels;

namespace Relucent.Lrp
{
    /// <summary>
    /// A linear layer as the LRP rules use it: <see cref="Forward{T}"/> is the layer with given parameters (the rules run it on
    /// modified inputs and weights, as Zennit's <c>BasicHook</c> does), <see cref="Transpose{T}"/> its transposed product
    /// <c>Wᵀs</c>, what Zennit's <c>torch.autograd.grad</c> computes. Both are the kernels the forward and gradient passes use.
    /// </summary>
    public interface ILrpMap
    {
        /// <summary>Values the layer reads.</summary>
        int InputSize { get; }

        /// <summary>Values the layer writes.</summary>
        int OutputSize { get; }

        /// <summary><c>z = f(x; weight, bias)</c>; an empty <paramref name="bias"/> is no bias.</summary>
        void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> z) where T : unmanaged, IFloatingPointIeee754<T>;

        /// <summary><c>c = weightᵀ·s</c>, the transposed product (for a pool, its gradient).</summary>
        void Transpose<T>(ReadOnlySpan<T> s, ReadOnlySpan<T> weight, Span<T> c) where T : unmanaged, IFloatingPointIeee754<T>;
    }

    /// <summary>A dense layer <c>z = W·x + b</c>, <c>W</c> column-major <c>[outputs, inputs]</c>.</summary>
    public readonly struct DenseMap : ILrpMap
    {
        /// <summary>A dense layer of <paramref name="inputs"/> to <paramref name="outputs"/>.</summary>
        public DenseMap(int inputs, int outputs)
        {
            InputSize = inputs;
            OutputSize = outputs;
        }

        /// <inheritdoc />
        public int InputSize { get; }

        /// <inheritdoc />
        public int OutputSize { get; }

        /// <inheritdoc />
        public void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> z) where T : unmanaged, IFloatingPointIeee754<T> =>
            DenseKernels.Forward(x, weight, bias, z, InputSize, OutputSize);

        /// <inheritdoc />
        public void Transpose<T>(ReadOnlySpan<T> s, ReadOnlySpan<T> weight, Span<T> c) where T : unmanaged, IFloatingPointIeee754<T> =>
            DenseKernels.BackwardInput(s, weight, c, InputSize, OutputSize);
    }

    /// <summary>A convolution of the given geometry; backward, the transposed convolution.</summary>
    public readonly struct ConvolutionMap : ILrpMap
    {
        private readonly ConvolutionGeometry _geometry;

        /// <summary>A convolution of geometry <paramref name="geometry"/>.</summary>
        public ConvolutionMap(in ConvolutionGeometry geometry) => _geometry = geometry;

        /// <inheritdoc />
        public int InputSize => _geometry.InputSize;

        /// <inheritdoc />
        public int OutputSize => _geometry.OutputSize;

        /// <inheritdoc />
        public void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> z) where T : unmanaged, IFloatingPointIeee754<T> =>
            ConvolutionKernels.Forward(x, weight, bias, z, in _geometry);

        /// <inheritdoc />
        public void Transpose<T>(ReadOnlySpan<T> s, ReadOnlySpan<T> weight, Span<T> c) where T : unmanaged, IFloatingPointIeee754<T> =>
            ConvolutionKernels.BackwardInput(s, weight, c, in _geometry);
    }

    /// <summary>Average pooling of the given geometry, a linear map without parameters (the weights are ignored).</summary>
    public readonly struct AvgPoolMap : ILrpMap
    {
        private readonly PoolGeometry _geometry;

        /// <summary>Average pooling of geometry <paramref name="geometry"/>.</summary>
        public AvgPoolMap(in PoolGeometry geometry) => _geometry = geometry;

        /// <inheritdoc />
        public int InputSize => _geometry.Channels * _geometry.Height * _geometry.Width;

        /// <inheritdoc />
        public int OutputSize => _geometry.Channels * _geometry.OutputHeight * _geometry.OutputWidth;

        /// <inheritdoc />
        public void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> z) where T : unmanaged, IFloatingPointIeee754<T> =>
            PoolingKernels.AvgForward(x, z, in _geometry);

        /// <inheritdoc />
        public void Transpose<T>(ReadOnlySpan<T> s, ReadOnlySpan<T> weight, Span<T> c) where T : unmanaged, IFloatingPointIeee754<T> =>
            PoolingKernels.AvgBackward(s, c, in _geometry);
    }

    /// <summary>Adaptive average pooling of the given geometry, a linear map without parameters.</summary>
    public readonly struct AdaptivePoolMap : ILrpMap
    {
        private readonly AdaptivePoolGeometry _geometry;

        /// <summary>Adaptive average pooling of geometry <paramref name="geometry"/>.</summary>
        public AdaptivePoolMap(in AdaptivePoolGeometry geometry) => _geometry = geometry;

        /// <inheritdoc />
        public int InputSize => _geometry.InputSize;

        /// <inheritdoc />
        public int OutputSize => _geometry.OutputSize;

        /// <inheritdoc />
        public void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> z) where T : unmanaged, IFloatingPointIeee754<T> =>
            PoolingKernels.AdaptiveAvgForward(x, z, in _geometry);

        /// <inheritdoc />
        public void Transpose<T>(ReadOnlySpan<T> s, ReadOnlySpan<T> weight, Span<T> c) where T : unmanaged, IFloatingPointIeee754<T> =>
            PoolingKernels.AdaptiveAvgBackward(s, c, in _geometry);
    }
}
