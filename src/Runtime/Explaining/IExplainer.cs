using System.Numerics;
using Relucent.Model;

namespace Relucent
{
    /// <summary>
    /// A network that runs forward and explains under backward rules: every generated network class implements it,
    /// and so does the <see cref="Interpreter{T}"/>. Attribution methods, batches and metrics are written against it,
    /// so they work with any rule of any network.
    /// </summary>
    /// <typeparam name="T"><c>float</c> or <c>double</c>, the precision the network computes in.</typeparam>
    public interface IExplainer<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <summary>The declared network.</summary>
        Network Architecture { get; }

        /// <summary>Values in one input (C·H·W).</summary>
        int InputSize { get; }

        /// <summary>Values in one output.</summary>
        int OutputSize { get; }

        /// <summary>The rules <see cref="Explain"/> accepts.</summary>
        IReadOnlyList<BackwardRule> Rules { get; }

        /// <summary>A new workspace: every buffer one call needs. Use one per thread.</summary>
        IWorkspace CreateWorkspace();

        /// <summary>The output for one input, into <paramref name="output"/>.</summary>
        void Forward(ReadOnlySpan<T> input, Span<T> output, IWorkspace workspace);

        /// <summary>
        /// The map of <paramref name="input"/> under <paramref name="rule"/>, backpropagating the output-side signal
        /// <paramref name="seed"/> (a one-hot vector for a class), into <paramref name="result"/>.
        /// </summary>
        void Explain(BackwardRule rule, ReadOnlySpan<T> input, ReadOnlySpan<T> seed, Span<T> result, IWorkspace workspace);
    }

    /// <summary>The buffers of one network's calls, made by <see cref="IExplainer{T}.CreateWorkspace"/>; not thread-safe.</summary>
    public interface IWorkspace
    {
        /// <summary>
        /// Whether calls with this workspace first check that the input and seed hold no NaN or infinity (one pass
        /// over each); true for a generated network's workspace, whose own <c>CheckFinite</c> property this is.
        /// </summary>
        /// <remarks>
        /// Declared here so that code holding only an <see cref="IWorkspace"/> (a <see cref="BatchRunner{T}"/>'s
        /// workers) can switch the scan. Explainers whose calls never scan, such as the <see cref="Interpreter{T}"/>,
        /// keep this default: it reads false and a set does nothing.
        /// </remarks>
        bool CheckFinite
        {
            get => false;
            set { }
        }
    }
}
