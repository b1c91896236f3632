using System.Numerics;
using Relucent.Model;

namespace Relucent.Interpretation
{
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

    internal sealed class FlattenKind : OperationKind<FlattenLayer>
    {
        protected override Operation<T> Prepare<T>(FlattenLayer layer, LayerPreparation<T> at) => new IdentityOperation<T>(at.InputSize);
    }

    internal sealed class DropoutKind : OperationKind<DropoutLayer>
    {
        protected override Operation<T> Prepare<T>(DropoutLayer layer, LayerPreparation<T> at) => new IdentityOperation<T>(at.InputSize);
    }
}
