using Onnx;
using Relucent.Model;

namespace Relucent
{
    /// <summary>One parameter tensor read from the graph: its ONNX name (null when Relucent made it, as a zero bias) and its value in PyTorch layout.</summary>
    internal sealed record ImportedTensor(string? OnnxName, Tensor Value, bool Transposed);

    /// <summary>
    /// A layer read from an ONNX graph before naming: the DSL layer (no name yet), the node it came from, its parameters
    /// in PyTorch layout by role, and for a residual block its branch.
    /// </summary>
    internal sealed class ImportedLayer
    {
        public ImportedLayer(Layer layer, NodeProto node, string source)
        {
            Layer = layer;
            Node = node;
            Source = source;
        }

        /// <summary>The DSL layer, unnamed; for a residual block its body is rebuilt from <see cref="Body"/>.</summary>
        public Layer Layer { get; set; }

        /// <summary>The node that defines the layer (the Conv, the Gemm or MatMul, the residual Add).</summary>
        public NodeProto Node { get; }

        /// <summary>How messages name the node: <c>Conv '/0/Conv'</c>.</summary>
        public string Source { get; }

        /// <summary>The parameter tensors by role, in PyTorch layout.</summary>
        public Dictionary<ParameterRole, ImportedTensor> Parameters { get; } = new();

        /// <summary>The branch of a residual block, else empty.</summary>
        public List<ImportedLayer> Body { get; } = new();

        /// <summary>The module path the initialiser names imply (<c>"3"</c> for <c>3.weight</c>), or null.</summary>
        public string? Prefix { get; set; }

        /// <summary>The name the declaration gives with <c>name:</c>, or null for the default index.</summary>
        public string? Name { get; set; }

        /// <summary>The layer with its <see cref="Name"/> and, for a residual block, its named branch.</summary>
        public Layer Named() => Layer is ResidualLayer
            ? new ResidualLayer(new EquatableArray<Layer>(Body.Select(b => b.Named()))) { Name = Name }
            : Layer with { Name = Name };
    }
}
