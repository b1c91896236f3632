using System.Numerics;
using System.Reflection;
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

    /// <summary>A block's operation, which layer attribution descends into: its chains, their traces and the signal each receives.</summary>
    internal interface IBlockOperation<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <summary>Chain <paramref name="branch"/>.</summary>
        Sequence<T> Chain(int branch);

        /// <summary>Chain <paramref name="branch"/>'s trace, from the block's forward state.</summary>
        Sequence<T>.Trace ChainTrace(object? state, int branch);

        /// <summary>The signal at chain <paramref name="branch"/>'s output, from the signal <paramref name="r"/> at the block's output.</summary>
        T[] ChainOutputSignal(int branch, T[] r);
    }

    /// <summary>
    /// How the interpreter runs one layer kind: it prepares the kind's <see cref="Operation{T}"/> from a layer. One
    /// subclass per kind, in a file of its own under Interpreter/Operations; <see cref="For(Layer)"/> finds them all and fails
    /// loudly on a kind without one.
    /// </summary>
    internal abstract class OperationKind
    {
        /// <summary>The layer record this prepares.</summary>
        public abstract Type LayerType { get; }

        /// <summary>The operation running <paramref name="layer"/>, placed and parameterised as <paramref name="at"/> says.</summary>
        public abstract Operation<T> Prepare<T>(Layer layer, LayerPreparation<T> at) where T : unmanaged, IFloatingPointIeee754<T>;

        /// <summary>The kind that runs <paramref name="layer"/>.</summary>
        /// <exception cref="NotSupportedException">No kind does (a new layer kind without its interpreter operation).</exception>
        public static OperationKind For(Layer layer) => For(layer.GetType());

        /// <summary>The kind that runs layers of type <paramref name="layerType"/>.</summary>
        /// <exception cref="NotSupportedException">No kind does.</exception>
        public static OperationKind For(Type layerType) =>
            s_byType.Value.TryGetValue(layerType, out OperationKind? kind)
                ? kind
                : throw new NotSupportedException($"The interpreter does not know the layer kind {layerType.Name}; add its operation under src/Runtime/Interpreter/Operations.");

        /// <summary>Every kind the interpreter runs.</summary>
        public static IReadOnlyCollection<OperationKind> All => s_byType.Value.Values;

        private static readonly Lazy<Dictionary<Type, OperationKind>> s_byType = new(() =>
            typeof(OperationKind).Assembly.GetTypes()
                .Where(t => t.IsSubclassOf(typeof(OperationKind)) && !t.IsAbstract)
                .Select(t => (OperationKind)Activator.CreateInstance(t, nonPublic: true)!)
                .ToDictionary(k => k.LayerType));
    }

    /// <summary>An <see cref="OperationKind"/> for records of type <typeparamref name="TLayer"/>.</summary>
    internal abstract class OperationKind<TLayer> : OperationKind where TLayer : Layer
    {
        public sealed override Type LayerType => typeof(TLayer);

        public sealed override Operation<T> Prepare<T>(Layer layer, LayerPreparation<T> at) => Prepare((TLayer)layer, at);

        protected abstract Operation<T> Prepare<T>(TLayer layer, LayerPreparation<T> at) where T : unmanaged, IFloatingPointIeee754<T>;
    }
}
