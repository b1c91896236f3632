using System.Collections.Generic;
using Relucent.Model;

namespace Relucent.Generator.Emitting
{
    /// <summary>
    /// One layer placed in the workspace: which buffers it reads and writes forward (<c>a…</c>) and backward
    /// (<c>r…</c>), its shapes, its parameters and, for a residual block, its branch.
    /// </summary>
    internal sealed class PlannedLayer
    {
        public PlannedLayer(Layer layer, int[] path, Shape input, Shape output)
        {
            Layer = layer;
            Path = path;
            Input = input;
            Output = output;
        }

        public Layer Layer { get; }

        /// <summary>Indices from the top: <c>[3]</c>, or <c>[2, 0]</c> inside residual block 2.</summary>
        public int[] Path { get; }

        /// <summary><c>Layer 3</c> or <c>Layer 2.0</c>, as shape errors name layers.</summary>
        public string Label => "Layer " + string.Join(".", Path);

        public Shape Input { get; }

        public Shape Output { get; }

        /// <summary>The activation the layer reads.</summary>
        public string In { get; set; } = "";

        /// <summary>The activation the layer writes.</summary>
        public string Out { get; set; } = "";

        /// <summary>The signal arriving at the layer's output.</summary>
        public string ROut { get; set; } = "";

        /// <summary>The signal the layer passes to its input.</summary>
        public string RIn { get; set; } = "";

        /// <summary>The max-pooling switches buffer, if any.</summary>
        public string? Switches { get; set; }

        /// <summary>The layer's parameters by role.</summary>
        public Dictionary<ParameterRole, ParameterMember> Parameters { get; } = new Dictionary<ParameterRole, ParameterMember>();

        /// <summary>The constant geometry field of a convolution or pooling layer.</summary>
        public string? Geometry { get; set; }

        /// <summary>A residual block's branch, in order.</summary>
        public List<PlannedLayer> Branch { get; } = new List<PlannedLayer>();

        /// <summary>A residual block's branch output (the last branch activation, or the block input for an empty branch).</summary>
        public string BranchOut { get; set; } = "";

        /// <summary>A residual block's signal at the branch input.</summary>
        public string BranchRIn { get; set; } = "";

        /// <summary>Whether <see cref="RIn"/> is its own buffer although the layer is an identity (the first layer of a branch), so the backward must copy.</summary>
        public bool CopiesSignal { get; set; }

        /// <summary>
        /// On a dense or convolution layer: the ReLU right after it, which its forward kernel applies as it stores
        /// (<c>relu: true</c>), writing the ReLU's output directly; the pre-activation is never stored.
        /// </summary>
        public PlannedLayer? ForwardRelu { get; set; }

        /// <summary>
        /// On a dense or max-pooling layer: the ReLU right before it, whose backward rule its backward kernel applies as
        /// it stores, writing the signal at the ReLU's input directly; the signal between the two is never stored.
        /// </summary>
        public PlannedLayer? BackwardRelu { get; set; }

        /// <summary>On a ReLU: its forward pass is done by the layer before it (<see cref="ForwardRelu"/>).</summary>
        public bool ForwardFused { get; set; }

        /// <summary>On a ReLU: its backward pass is done by the layer after it (<see cref="BackwardRelu"/>).</summary>
        public bool BackwardFused { get; set; }

        /// <summary>Whether the layer only reinterprets its input (Flatten, Dropout): its buffers alias its input's.</summary>
        public bool IsIdentity => Layer is FlattenLayer || Layer is DropoutLayer;
    }
}
