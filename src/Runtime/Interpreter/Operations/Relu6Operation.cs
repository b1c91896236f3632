using System.Numerics;
using Relucent.Kernels;
using Relucent.Model;

namespace Relucent.Interpretation
{
    /// <summary>ReLU6: <c>min(max(x, 0), 6)</c>; the rule, chosen here at run time, acts at its rectifier, its clamp passes the true gradient.</summary>
    internal sealed class Relu6Operation<T> : Operation<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public Relu6Operation(int size) : base(size, size)
        {
        }

        public override T[] Forward(T[] x, out object? state)
        {
            state = null;
            var z = new T[OutputSize];
            ActivationKernels.Relu6<T>(x, z);
            return z;
        }

        public override T[] Backward(T[] r, T[] x, T[] y, object? state, BackwardRule rule)
        {
            var rIn = new T[InputSize];
            switch (rule)
            {
                case BackwardRule.Saliency:
                    Relu6Rules.Saliency<T>(y, r, rIn);
                    break;
                case BackwardRule.DeconvNet:
                    Relu6Rules.DeconvNet<T>(y, r, rIn);
                    break;
                case BackwardRule.GuidedBackprop:
                    Relu6Rules.GuidedBackprop<T>(y, r, rIn);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(rule), rule, $"Unknown backward rule {rule}.");
            }
            return rIn;
        }
    }

    internal sealed class ReLU6Kind : OperationKind<ReLU6Layer>
    {
        protected override Operation<T> Prepare<T>(ReLU6Layer layer, LayerPreparation<T> at) => new Relu6Operation<T>(at.InputSize);
    }
}
