using System.Collections.Generic;
using Relucent.Generator.Emitting.Kinds;
using Relucent.Model;

namespace Relucent.Generator.Emitting
{
    /// <summary>
    /// One layer placed in the workspace: which buffers it reads and writes forward (<c>a…</c>) and backward (<c>r…</c>),
    /// its shapes, its parameters, the kind that emits it and, for a block, its chains.
    /// </summary>
    internal sealed class PlannedLayer
    {
        public PlannedLayer(Layer layer, LayerPath path, Shape input, Shape output, string suffix)
        {
            Layer = layer;
            Path = path;
            Input = input;
            Output = output;
            Suffix = suffix;
            Kind = LayerEmitter.For(layer);
        }

        public Layer Layer { get; }

        /// <summary>The kind's emitter.</summary>
        public LayerEmitter Kind { get; }

        public LayerPath Path { get; }

        /// <summary><c>Layer 3</c> or <c>Layer 2.0</c>, as shape errors name layers.</summary>
        public string Label => "Layer " + Path.Label;

        /// <summary><c>Layer 3 · Dense(16)</c>: how every comment on this layer starts.</summary>
        public string Heading => Label + " · " + Layer.Describe();

        /// <summary>The layer's module path as PyTorch names it (<c>3</c>, <c>layer1.0.conv1</c>): its parameters' prefix, and its name for layer attribution.</summary>
        public string Module { get; set; } = "";

        /// <summary>For a layer given <c>name:</c>: its index among the network's named layers (forward order, a block after its chains), else null.</summary>
        public int? NamedIndex { get; set; }

        /// <summary>Whether the layer lies inside a block (a backward pass cannot start there).</summary>
        public bool Nested => Path.Depth > 0;

        /// <summary>What the layer's buffers are named after: <c>3</c> (a3, r3), <c>3_1</c> inside a block's chain.</summary>
        public string Suffix { get; }

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

        /// <summary>The max-pooling switches buffer, if the kind keeps one.</summary>
        public string? Switches { get; set; }

        /// <summary>The layer's parameters by role.</summary>
        public Dictionary<ParameterRole, ParameterMember> Parameters { get; } = new Dictionary<ParameterRole, ParameterMember>();

        /// <summary>The constant holding the layer's geometry (<c>s_conv0</c>), if the kind declares one.</summary>
        public string? Geometry { get; set; }

        /// <summary>A block's chains, in the order of <see cref="Layer.Branches"/>.</summary>
        public List<PlannedBranch> Branches { get; } = new List<PlannedBranch>();

        /// <summary>Whether <see cref="RIn"/> is its own buffer although the layer is an identity (the first layer of a chain), so the backward must copy.</summary>
        public bool CopiesSignal { get; set; }

        /// <summary>
        /// On a dense or convolution layer: the rectifier (ReLU, ReLU6) right after it, which its forward kernel applies as it
        /// stores, writing the rectifier's output directly; the pre-activation is never stored.
        /// </summary>
        public PlannedLayer? ForwardRectifier { get; set; }

        /// <summary>
        /// On a dense, convolution or max-pooling layer: the rectifier right before it, whose backward rule its backward kernel
        /// applies as it stores, writing the signal at the rectifier's input directly; the signal between the two is never stored.
        /// </summary>
        public PlannedLayer? BackwardRectifier { get; set; }

        /// <summary>On a rectifier: its forward pass is done by the layer before it (<see cref="ForwardRectifier"/>).</summary>
        public bool ForwardFused { get; set; }

        /// <summary>On a rectifier: its backward pass is done by the layer after it (<see cref="BackwardRectifier"/>).</summary>
        public bool BackwardFused { get; set; }

        /// <summary>
        /// On a dense or convolution layer: the BatchNorm right after it, merged into its weights and bias (Zennit's canonizer) by
        /// the LRP passes and by the merged forward and backward passes, where the BatchNorm then runs no kernel.
        /// </summary>
        public PlannedLayer? MergedBatchNorm { get; set; }

        /// <summary>On a BatchNorm: the dense or convolution layer it is merged into (<see cref="MergedBatchNorm"/>).</summary>
        public PlannedLayer? MergedInto { get; set; }

        /// <summary>
        /// On a layer with a <see cref="MergedBatchNorm"/>: the rectifier right after the BatchNorm, which the layer's forward kernel
        /// applies as it stores in the merged pass (in the declared pass the BatchNorm stands between them).
        /// </summary>
        public PlannedLayer? MergedRectifier { get; set; }

        /// <summary>
        /// On a rectifier: in the merged forward pass, the layer before its BatchNorm applies it (<see cref="MergedRectifier"/>), or
        /// the residual sum before it (<see cref="SumRectifier"/>).
        /// </summary>
        public bool MergedForwardFused { get; set; }

        /// <summary>
        /// On a residual: the ReLU right after it, which the merged forward pass applies in the call that sums the block's paths
        /// (<c>ResidualKernels.AddRelu</c>), so the sum is not stored there; the declared pass keeps the two steps.
        /// </summary>
        public PlannedLayer? SumRectifier { get; set; }

        /// <summary>
        /// On a residual: the ReLU right before it, whose rule the merged gradient passes apply in the call that sums the signals
        /// of the block's paths (<c>ResidualKernels.AddRule</c>), so the signal at the ReLU's output is not written there; the
        /// declared pass keeps the two steps.
        /// </summary>
        public PlannedLayer? SignalRectifier { get; set; }

        /// <summary>
        /// On a dense, convolution or max-pooling layer: a named rectifier right before it, whose backward rule its backward kernel
        /// applies in the merged gradient passes. The declared pass keeps a named rectifier's buffers, which layer methods read;
        /// the merged passes serve only whole maps, so there the name does not stand in the way.
        /// </summary>
        public PlannedLayer? MergedBackwardRectifier { get; set; }

        /// <summary>
        /// On a rectifier: in the merged gradient passes, the layer after it applies its rule: a named rectifier's kernel neighbour
        /// (<see cref="MergedBackwardRectifier"/>), or a residual after a ReLU (<see cref="SignalRectifier"/>).
        /// </summary>
        public bool MergedBackwardFused { get; set; }

        /// <summary>The buffer the layer's backward kernel writes: the signal at its input, or at its fused rectifier's input.</summary>
        public string BackwardTarget => BackwardRectifier?.RIn ?? RIn;
    }

    /// <summary>One chain of a block, placed: its layers, the buffer holding its output and the signal at its input.</summary>
    internal sealed class PlannedBranch
    {
        public PlannedBranch(Branch branch, List<PlannedLayer> layers, string output, string signalIn)
        {
            Branch = branch;
            Layers = layers;
            Output = output;
            SignalIn = signalIn;
        }

        public Branch Branch { get; }

        public List<PlannedLayer> Layers { get; }

        /// <summary>The chain's output: its last layer's, or the block's input for an identity chain.</summary>
        public string Output { get; }

        /// <summary>The signal at the chain's input, which the block adds into its own input signal.</summary>
        public string SignalIn { get; }

        /// <summary>
        /// The signal at the chain's output: the block's own output signal where the chains share it (a residual sum), else a
        /// buffer of the chain's that the block fills (its slice of a concatenation's signal).
        /// </summary>
        public string SignalOut { get; set; } = "";
    }
}
