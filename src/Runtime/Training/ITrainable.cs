using System.Numerics;

namespace Relucent
{
    /// <summary>
    /// A network whose parameters can be trained: every generated network class implements it. Gradients and
    /// parameters share one layout (the storage behind the MathNet properties), so optimisers work element-wise.
    /// </summary>
    public interface ITrainable<T> : IExplainer<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <summary>The parameters' own storage, in <c>ParameterShapes</c> order; an optimiser updates it in place, then calls <see cref="ParametersChanged"/>.</summary>
        IReadOnlyList<T[]> ParameterStorage { get; }

        /// <summary>Whether each parameter is trained (BatchNorm running statistics are not: they hold their loaded values).</summary>
        IReadOnlyList<bool> Trainable { get; }

        /// <summary>Zeroed gradient buffers shaped like <see cref="ParameterStorage"/>.</summary>
        T[][] CreateGradients();

        /// <summary>
        /// Adds to <paramref name="gradients"/> the true gradient, with respect to every parameter, of <c>Σ seed · output</c>
        /// at <paramref name="input"/>: with <paramref name="seed"/> = ∂loss/∂output this is ∂loss/∂parameters.
        /// </summary>
        void AccumulateGradients(ReadOnlySpan<T> input, ReadOnlySpan<T> seed, T[][] gradients, IWorkspace workspace);

        /// <summary>Recomputes what is derived from the parameters (folded BatchNorm scales) after they changed.</summary>
        void ParametersChanged();
    }
}
