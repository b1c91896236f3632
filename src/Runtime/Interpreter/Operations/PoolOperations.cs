using System.Numerics;
using Relucent.Kernels;
using Relucent.Model;

namespace Relucent.Interpretation
{
    /// <summary>Max pooling: forward records the switches, backward unpools through them.</summary>
    internal sealed class MaxPoolOperation<T> : Operation<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly PoolGeometry _geometry;

        public MaxPoolOperation(PoolGeometry geometry) : base(geometry.InputSize, geometry.OutputSize) => _geometry = geometry;

        public override T[] Forward(T[] x, out object? state)
        {
            var y = new T[OutputSize];
            var switches = new int[OutputSize];
            PoolingKernels.MaxForward<T>(x, y, switches, _geometry);
            state = switches;
            return y;
        }

        public override T[] Backward(T[] r, T[] x, T[] y, object? state, BackwardRule rule)
        {
            var rIn = new T[InputSize];
            PoolingKernels.MaxBackward<T>(r, (int[])state!, rIn, _geometry);
            return rIn;
        }
    }

    /// <summary>Average pooling: the window's mean forward, spread back evenly.</summary>
    internal sealed class AvgPoolOperation<T> : Operation<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly PoolGeometry _geometry;

        public AvgPoolOperation(PoolGeometry geometry) : base(geometry.InputSize, geometry.OutputSize) => _geometry = geometry;

        public override T[] Forward(T[] x, out object? state)
        {
            state = null;
            var y = new T[OutputSize];
            PoolingKernels.AvgForward<T>(x, y, _geometry);
            return y;
        }

        public override T[] Backward(T[] r, T[] x, T[] y, object? state, BackwardRule rule)
        {
            var rIn = new T[InputSize];
            PoolingKernels.AvgBackward<T>(r, rIn, _geometry);
            return rIn;
        }
    }

    /// <summary>Adaptive average pooling: the mean of each bin forward, spread back evenly over the bin.</summary>
    internal sealed class AdaptiveAvgPoolOperation<T> : Operation<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly AdaptivePoolGeometry _geometry;

        public AdaptiveAvgPoolOperation(AdaptivePoolGeometry geometry) : base(geometry.InputSize, geometry.OutputSize) => _geometry = geometry;

        public override T[] Forward(T[] x, out object? state)
        {
            state = null;
            var y = new T[OutputSize];
            PoolingKernels.AdaptiveAvgForward<T>(x, y, _geometry);
            return y;
        }

        public override T[] Backward(T[] r, T[] x, T[] y, object? state, BackwardRule rule)
        {
            var rIn = new T[InputSize];
            PoolingKernels.AdaptiveAvgBackward<T>(r, rIn, _geometry);
            return rIn;
        }
    }

    internal sealed class AdaptiveAvgPoolKind : OperationKind<AdaptiveAvgPoolLayer>
    {
        protected override Operation<T> Prepare<T>(AdaptiveAvgPoolLayer pool, LayerPreparation<T> at) =>
            new AdaptiveAvgPoolOperation<T>(new AdaptivePoolGeometry(at.Input.Channels, at.Input.Height, at.Input.Width, at.Output.Height, at.Output.Width));
    }

    internal sealed class MaxPoolKind : OperationKind<MaxPoolLayer>
    {
        protected override Operation<T> Prepare<T>(MaxPoolLayer pool, LayerPreparation<T> at) =>
            new MaxPoolOperation<T>(Geometry(pool, at.Input));

        /// <summary>The kernels' geometry of a pooling layer receiving <paramref name="input"/>.</summary>
        internal static PoolGeometry Geometry(PoolLayer pool, Shape input) =>
            new(input.Channels, input.Height, input.Width, pool.Kernel, pool.Stride, pool.Padding.Top, pool.Padding.Left, pool.Padding.Bottom, pool.Padding.Right, pool.CeilMode);
    }

    internal sealed class AvgPoolKind : OperationKind<AvgPoolLayer>
    {
        protected override Operation<T> Prepare<T>(AvgPoolLayer pool, LayerPreparation<T> at) =>
            new AvgPoolOperation<T>(MaxPoolKind.Geometry(pool, at.Input));
    }
}
