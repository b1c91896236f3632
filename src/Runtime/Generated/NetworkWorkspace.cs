using System.Numerics;

namespace Relucent
{
    /// <summary>
    /// The base of every generated <c>Workspace</c>: the buffers of one forward and backward pass, so calls through the
    /// span overloads allocate nothing. A workspace serves one call at a time: give each thread its own. After a call it
    /// holds that call's activations and signals. The generated class names each buffer in its own scheme (<c>a0</c>,
    /// <c>r10</c>, ...) and says here which ones every pass starts and ends with.
    /// </summary>
    public abstract class NetworkWorkspace<T> : IWorkspace where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <summary>Names the workspace in the message a second, overlapping call gets: <c>LeNet.Workspace</c>.</summary>
        protected NetworkWorkspace()
        {
            Type type = GetType();
            InUse = new SingleCaller((type.DeclaringType != null ? type.DeclaringType.Name + "." : "") + type.Name);
        }

        /// <summary>Refuses a call that overlaps another with this workspace (two threads sharing it would mix their buffers).</summary>
        internal SingleCaller InUse { get; }

        /// <summary>
        /// Whether calls with this workspace first check that the input and seed hold no NaN or infinity (one pass over each).
        /// A caller that has already checked its data may turn it off.
        /// </summary>
        public bool CheckFinite { get; set; } = true;

        /// <summary>The input buffer, where a call copies its input.</summary>
        public abstract T[] Input { get; }

        /// <summary>The output buffer: the logits after the forward pass.</summary>
        public abstract T[] Output { get; }

        /// <summary>The signal at the output, where every backward pass starts.</summary>
        public abstract T[] Seed { get; }

        /// <summary>The signal at the input, where every backward pass ends: the map.</summary>
        public abstract T[] Map { get; }
    }
}
