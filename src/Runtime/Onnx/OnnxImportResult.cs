namespace Relucent
{
    /// <summary>
    /// A network read from an ONNX graph by <see cref="OnnxImport.Import(OnnxModel)"/>: the <see cref="Network"/>, its
    /// weights under the network's parameter names, the ONNX name of each, and its C# declaration.
    /// </summary>
    public sealed class OnnxImportResult
    {
        internal OnnxImportResult(
            OnnxModel model, Network network, IReadOnlyDictionary<string, string> nameMap, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyList<string> notes)
        {
            Model = model;
            Network = network;
            NameMap = nameMap;
            Tensors = tensors;
            Notes = notes;
        }

        /// <summary>The model read.</summary>
        public OnnxModel Model { get; }

        /// <summary>
        /// The network, built with the DSL. Layers are named (<c>name:</c>) where the ONNX initialiser names
        /// (<c>"3.weight"</c>) differ from the default <c>nn.Sequential</c> numbering, so its parameter names are the
        /// initialisers' wherever the initialisers carry PyTorch names.
        /// </summary>
        public Network Network { get; }

        /// <summary>
        /// Each ONNX initialiser (or Constant) read as a parameter → the network's parameter name, matched by position
        /// (the n-th Conv's weight, …), so constant-folded names such as <c>"onnx::MatMul_21"</c> map too. A MatMul weight,
        /// or a Gemm's with transB = 0, is stored <c>[in, out]</c> in the graph: <see cref="Tensors"/> holds it transposed.
        /// </summary>
        public IReadOnlyDictionary<string, string> NameMap { get; }

        /// <summary>
        /// The weights keyed by the network's parameter names, in PyTorch layout (<c>[out, in]</c>, <c>[out, in, k, k]</c>),
        /// in the graph's element type: what a generated class's <c>FromTensors</c> takes.
        /// </summary>
        public IReadOnlyDictionary<string, Tensor> Tensors { get; }

        /// <summary>What the import changed or made up: renamed, transposed or zero-filled tensors, one line each.</summary>
        public IReadOnlyList<string> Notes { get; }

        /// <summary>The fluent expression declaring the network (see <see cref="NetworkDeclaration.Expression"/>).</summary>
        public string Expression => NetworkDeclaration.Expression(Network);

        /// <summary>The C# file declaring the network as <paramref name="className"/> (see <see cref="NetworkDeclaration.ToDeclaration"/>).</summary>
        public string ToDeclaration(string className, string? @namespace = null, IEnumerable<string>? attributes = null) =>
            NetworkDeclaration.ToDeclaration(Network, className, @namespace, attributes);
    }
}
