using System.Numerics;
using Relucent.Model;

namespace Relucent.Interpretation
{
    /// <summary>What preparing one layer needs: its place and shapes, its parameters in the kernels' layout, and its chains.</summary>
    internal sealed class LayerPreparation<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Layer _layer;
        private readonly Func<LayerPath, ParameterRole, T[]?> _parameter;
        private readonly Func<Shape, Branch, Func<int, LayerPath>, Sequence<T>> _chain;

        public LayerPreparation(Layer layer, LayerPath path, Shape input, Shape output, Func<LayerPath, ParameterRole, T[]?> parameter,
            Func<Shape, Branch, Func<int, LayerPath>, Sequence<T>> chain)
        {
            _layer = layer;
            Path = path;
            Input = input;
            Output = output;
            _parameter = parameter;
            _chain = chain;
        }

        public LayerPath Path { get; }

        public Shape Input { get; }

        public Shape Output { get; }

        /// <summary>Values in one input.</summary>
        public int InputSize => (int)Input.Size;

        /// <summary>Values in one output.</summary>
        public int OutputSize => (int)Output.Size;

        /// <summary>The layer's parameter of <paramref name="role"/>, in the kernels' layout (<see cref="ParameterLayout"/>); the interpreter's own copy.</summary>
        public T[] Parameter(ParameterRole role) =>
            _parameter(Path, role) ?? throw new InvalidOperationException($"No {ParameterInfo.Suffix(role)} parameter is listed for layer {Path.Label}.");

        /// <summary>The layer's parameter of <paramref name="role"/>, or an empty array when it has none (a convolution without bias).</summary>
        public T[] OptionalParameter(ParameterRole role) => _parameter(Path, role) ?? Array.Empty<T>();

        /// <summary>Chain <paramref name="branch"/> of a block, prepared.</summary>
        public Sequence<T> Chain(int branch)
        {
            Branch chain = _layer.Branches[branch];
            return _chain(Input, chain, j => Path.Inside(branch, chain.Label, j));
        }
    }
}
