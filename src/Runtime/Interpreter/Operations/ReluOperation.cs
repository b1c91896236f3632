using System.Numerics;
using Relucent.Kernels;
using Relucent.Model;

namespace Relucent.Interpretation
{
    /// <summary>ReLU: the one layer whose backward the rule decides, chosen here at run time.</summary>
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

    internal sealed class ReLUKind : OperationKind<ReLULayer>
    {
        protected override Operation<T> Prepare<T>(ReLULayer layer, LayerPreparation<T> at) => new ReluOperation<T>(at.InputSize);
    }
}
