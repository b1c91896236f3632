using System.Numerics;
using Relucent.Kernels;
using Relucent.Model;

namespace Relucent.Interpretation
{
    /// <summary>
    /// One layer, prepared for the interpreter: its sizes are fixed and its parameters already in the kernels'
    /// layout. <see cref="Forward"/> returns the layer's output and whatever its backward pass needs (the
    /// switches of a max pool, the trace of a residual branch); <see cref="Backward"/> maps the signal at the
    /// output to the signal at the input. Instances are immutable, so one interpreter may run on many threads.
    /// </summary>
    internal abstract class Operation<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        protected Operation(int inputSize, int outputSize)
        {
            InputSize = inputSize;
            OutputSize = outputSize;
        }

        public int InputSize { get; }

        public int OutputSize { get; }

        /// <summary>The output for input <paramref name="x"/>; <paramref name="state"/> receives what the backward pass needs, or null.</summary>
        public abstract T[] Forward(T[] x, out object? state);

        /// <summary>The signal at the input, from the signal <paramref name="r"/> at the output, the forward input <paramref name="x"/> and output <paramref name="y"/>.</summary>
        public abstract T[] Backward(T[] r, T[] x, T[] y, object? state, BackwardRule rule);
    }

    /// <summary>A chain of operations and the activations one forward pass through it left behind.</summary>
    internal sealed class Sequence<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Operation<T>[] _operations;

        public Sequence(Operation<T>[] operations, int inputSize)
        {
            _operations = operations;
            InputSize = inputSize;
            OutputSize = operations.Length == 0 ? inputSize : operations[operations.Length - 1].OutputSize;
        }

        public int InputSize { get; }

        public int OutputSize { get; }

        /// <summary>Runs every operation in order; the trace holds each activation (index 0 is the input) and each state.</summary>
        public Trace Forward(T[] x)
        {
            var activations = new T[_operations.Length + 1][];
            var states = new object?[_operations.Length];
            activations[0] = x;
            for (int i = 0; i < _operations.Length; i++)
            {
                activations[i + 1] = _operations[i].Forward(activations[i], out states[i]);
            }
            return new Trace(activations, states);
        }

        /// <summary>Passes <paramref name="r"/>, the signal at the chain's output, back through every operation to its input.</summary>
        public T[] Backward(T[] r, Trace trace, BackwardRule rule)
        {
            T[] signal = r;
            for (int i = _operations.Length - 1; i >= 0; i--)
            {
                signal = _operations[i].Backward(signal, trace.Activations[i], trace.Activations[i + 1], trace.States[i], rule);
            }
            // An empty chain is the identity; hand back a copy so the caller may own the result.
            return ReferenceEquals(signal, r) ? (T[])r.Clone() : signal;
        }

        internal sealed class Trace
        {
            public Trace(T[][] activations, object?[] states)
            {
                Activations = activations;
                States = states;
            }

            public T[][] Activations { get; }

            public object?[] States { get; }

            public T[] Output => Activations[Activations.Length - 1];
        }
    }

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

    internal sealed class ReluOperation<T> : Operation<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public ReluOperation(int size) : base(size, size)
        {
        }

        public override T[] Forward(T[] x, out object? state)
        {
            state = null;
            var z = new T[OutputSize];
            ActivationKernels.Relu<T>(x, z);
            return z;
        }

        public override T[] Backward(T[] r, T[] x, T[] y, object? state, BackwardRule rule)
        {
            var rIn = new T[InputSize];
            switch (rule)
            {
                case BackwardRule.Saliency:
                    ReluRules.Saliency<T>(y, r, rIn);
                    break;
                case BackwardRule.DeconvNet:
                    ReluRules.DeconvNet<T>(r, rIn);
                    break;
                case BackwardRule.GuidedBackprop:
                    ReluRules.GuidedBackprop<T>(y, r, rIn);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(rule), rule, $"Unknown backward rule {rule}.");
            }
            return rIn;
        }
    }

    internal enum Smooth
    {
        Tanh,
        Sigmoid,
        Softmax,
    }

    /// <summary>Tanh, Sigmoid and Softmax: backpropagated by their true gradient, from the forward output, under every rule.</summary>
    internal sealed class SmoothOperation<T> : Operation<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Smooth _kind;

        public SmoothOperation(Smooth kind, int size) : base(size, size) => _kind = kind;

        public override T[] Forward(T[] x, out object? state)
        {
            state = null;
            var z = new T[OutputSize];
            switch (_kind)
            {
                case Smooth.Tanh: ActivationKernels.Tanh<T>(x, z); break;
                case Smooth.Sigmoid: ActivationKernels.Sigmoid<T>(x, z); break;
                default: ActivationKernels.Softmax<T>(x, z); break;
            }
            return z;
        }

        public override T[] Backward(T[] r, T[] x, T[] y, object? state, BackwardRule rule)
        {
            var rIn = new T[InputSize];
            switch (_kind)
            {
                case Smooth.Tanh: ActivationKernels.TanhBackward<T>(y, r, rIn); break;
                case Smooth.Sigmoid: ActivationKernels.SigmoidBackward<T>(y, r, rIn); break;
                default: ActivationKernels.SoftmaxBackward<T>(y, r, rIn); break;
            }
            return rIn;
        }
    }

    /// <summary>Flatten and Dropout (eval mode): the identity both ways, as a copy.</summary>
    internal sealed class IdentityOperation<T> : Operation<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public IdentityOperation(int size) : base(size, size)
        {
        }

        public override T[] Forward(T[] x, out object? state)
        {
            state = null;
            return (T[])x.Clone();
        }

        public override T[] Backward(T[] r, T[] x, T[] y, object? state, BackwardRule rule) => (T[])r.Clone();
    }

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
}
