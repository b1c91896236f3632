using Onnx;
using Relucent.Model;

namespace Relucent
{
    /// <summary>One parameter tensor read from the graph: its ONNX name (null when Relucent made it, as a zero bias) and its value in PyTorch layout.</summary>
    internal sealed record ImportedTensor(string? OnnxName, Tensor Value, bool Transposed);

    /// <summary>
    /// A layer read from an ONNX graph before naming: the DSL layer (no name yet), the node it came from, its parameters
    /// in PyTorch layout by role, and for a block (a residual block, a concatenation) its chains.
    /// </summary>
    internal sealed class ImportedLayer
    {
        public ImportedLayer(Layer layer, NodeProto node, string source)
        {
            Layer = layer;
            Node = node;
            Source = source;
        }

        /// <summary>The DSL layer, unnamed; a block's chains are rebuilt from <see cref="Branches"/> by <see cref="Named"/>.</summary>
        public Layer Layer { get; }

        /// <summary>The node that defines the layer (the Conv, the Gemm or MatMul, the Add or Concat closing a block).</summary>
        public NodeProto Node { get; }

        /// <summary>How messages name the node: <c>Conv '/0/Conv'</c>.</summary>
        public string Source { get; }

        /// <summary>The parameter tensors by role, in PyTorch layout.</summary>
        public Dictionary<ParameterRole, ImportedTensor> Parameters { get; } = new();

        /// <summary>A block's chains in the order of <see cref="Model.Layer.Branches"/> (a residual branch, then its shortcut; a concatenation's branches); else empty.</summary>
        public List<List<ImportedLayer>> Branches { get; } = new();

        /// <summary>The module path the initialiser names imply (<c>"3"</c> for <c>3.weight</c>), or null.</summary>
        public string? Prefix { get; set; }

        /// <summary>The name the declaration gives with <c>name:</c>, or null for the default index.</summary>
        public string? Name { get; set; }

        /// <summary>A block of <paramref name="layer"/> kind whose chains are <paramref name="branches"/>, closed by <paramref name="node"/>.</summary>
        public static ImportedLayer Block(Layer layer, NodeProto node, string source, IEnumerable<List<ImportedLayer>> branches)
        {
            var block = new ImportedLayer(layer, node, source);
            block.Branches.AddRange(branches);
            return block;
        }

        /// <summary>The layer with its <see cref="Name"/> and, for a block, its named chains.</summary>
        public Layer Named()
        {
            EquatableArray<Layer> Chain(int b) => new(Branches[b].Select(l => l.Named()));
            return Layer switch
            {
                ResidualLayer => new ResidualLayer(Chain(0)) { Shortcut = Branches.Count > 1 ? Chain(1) : EquatableArray<Layer>.Empty, Name = Name },
                ConcatLayer => new ConcatLayer(new EquatableArray<EquatableArray<Layer>>(Enumerable.Range(0, Branches.Count).Select(Chain))) { Name = Name },
                _ => Layer with { Name = Name },
            };
        }
    }
}
