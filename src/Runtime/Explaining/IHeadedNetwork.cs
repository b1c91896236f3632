using System.Numerics;

namespace Relucent
{
    /// <summary>
    /// A network whose dense head a batch may run once for all its examples (<see cref="DenseHead{T}"/>): the layers before
    /// it run example by example, each in its own workspace, and the head's weights are read once per batch. Generated
    /// networks implement it; <see cref="BatchRunner{T}"/> uses it. Every example's map is the same bits as its single call.
    /// </summary>
    internal interface IHeadedNetwork<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <summary>The network's dense head with buffers for <paramref name="capacity"/> examples, or null when it has none.</summary>
        DenseHead<T>? CreateHead(int capacity);

        /// <summary>The forward pass of <paramref name="input"/> up to the head, its output into <paramref name="headInput"/>; the workspace keeps what the backward pass reads.</summary>
        void ForwardTrunk(ReadOnlySpan<T> input, Span<T> headInput, IWorkspace workspace);

        /// <summary>
        /// The backward pass under <paramref name="rule"/> from <paramref name="headSignal"/> at the head's input to the map
        /// <paramref name="result"/>, after <see cref="ForwardTrunk"/> with the same workspace (the map checked finite when the workspace checks).
        /// </summary>
        void BackwardTrunk(BackwardRule rule, ReadOnlySpan<T> headSignal, Span<T> result, IWorkspace workspace);
    }
}
