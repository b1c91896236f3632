using System.Globalization;
using Google.Protobuf;
using Onnx;

namespace Relucent
{
    /// <summary>
    /// An ONNX model read from a file or bytes (with the protobuf classes of the OnnxSharp package): its graph's nodes in
    /// topological order, its initialisers as <see cref="Tensor"/>s under their ONNX names, and its one input's shape
    /// without the batch dimension. <see cref="OnnxImport"/> turns it into a <see cref="Network"/>.
    /// </summary>
    public sealed class OnnxModel
    {
        private readonly OnnxTensors _initializers;
        private readonly OnnxTensors _constants;

        private OnnxModel(ModelProto proto, string? path, string? baseDirectory)
        {
            Proto = proto;
            Path = path;
            GraphProto graph = proto.Graph ?? throw Invalid(path, "the model has no graph");
            OpsetVersion = proto.OpsetImport.Where(o => string.IsNullOrEmpty(o.Domain) || o.Domain == "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max();
            Producer = string.Join(" ", new[] { proto.ProducerName, proto.ProducerVersion }.Where(s => !string.IsNullOrEmpty(s)));

            // Initialisers are read when the graph uses them (OnnxTensors): an unused one is never read.
            var initializers = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
            foreach (TensorProto t in graph.Initializer)
            {
                if (string.IsNullOrEmpty(t.Name)) throw Invalid(path, "an initializer has no name");
                initializers[t.Name] = t;
            }

            _initializers = new OnnxTensors(initializers, baseDirectory);
            Nodes = TopologicalOrder(graph, path);

            // Constant nodes holding a tensor: weights are sometimes exported this way rather than as initialisers.
            var constants = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
            foreach (NodeProto node in Nodes.Where(n => n.OpType == "Constant" && IsDefaultDomain(n) && n.Output.Count == 1))
            {
                AttributeProto? value = node.Attribute.FirstOrDefault(a => a.Name == "value");
                if (value?.T != null) constants[node.Output[0]] = value.T;
            }

            _constants = new OnnxTensors(constants, baseDirectory);

            var inputs = graph.Input.Where(i => !_initializers.ContainsKey(i.Name)).ToList();
            if (inputs.Count != 1)
            {
                throw new NotSupportedException(
                    $"ONNX model{Where(path)}: the graph has {inputs.Count} inputs ({string.Join(", ", inputs.Select(i => $"'{i.Name}'"))}); Relucent networks take exactly one.");
            }

            ValueInfoProto input = inputs[0];
            InputName = input.Name;
            InputElementType = input.Type?.TensorType?.ElemType ?? 0;
            TensorShapeProto? shape = input.Type?.TensorType?.Shape;
            if (shape == null) throw new NotSupportedException($"ONNX model{Where(path)}: the input '{InputName}' has no shape; Relucent needs fixed sizes.");
            var dims = shape.Dim.ToList();
            if (dims.Count is not (2 or 4))
            {
                throw new NotSupportedException(
                    $"ONNX model{Where(path)}: the input '{InputName}' has rank {dims.Count} ({FormatDims(dims)}); Relucent takes [batch, features] or [batch, channels, height, width].");
            }

            var sizes = new int[dims.Count - 1];
            for (int i = 1; i < dims.Count; i++)
            {
                TensorShapeProto.Types.Dimension d = dims[i];
                if (d.ValueCase != TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue || d.DimValue <= 0 || d.DimValue > int.MaxValue)
                {
                    throw new NotSupportedException(
                        $"ONNX model{Where(path)}: dimension {i} of the input '{InputName}' {FormatDims(dims)} is not a fixed positive size; only the batch dimension may be symbolic.");
                }

                sizes[i - 1] = (int)d.DimValue;
            }

            InputShape = sizes;
            InputBatch = dims[0].ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue
                ? dims[0].DimValue.ToString(CultureInfo.InvariantCulture)
                : string.IsNullOrEmpty(dims[0].DimParam) ? "?" : dims[0].DimParam;

            if (graph.Output.Count != 1)
            {
                throw new NotSupportedException(
                    $"ONNX model{Where(path)}: the graph has {graph.Output.Count} outputs ({string.Join(", ", graph.Output.Select(o => $"'{o.Name}'"))}); Relucent networks have exactly one.");
            }

            OutputName = graph.Output[0].Name;
        }

        /// <summary>The protobuf message, for anything this class does not expose.</summary>
        public ModelProto Proto { get; }

        /// <summary>The file the model was read from, or null.</summary>
        public string? Path { get; }

        /// <summary>The producer and its version: <c>pytorch 2.11.0</c>, or empty.</summary>
        public string Producer { get; }

        /// <summary>The version of the default (<c>ai.onnx</c>) operator set, or 0 if none is imported.</summary>
        public long OpsetVersion { get; }

        /// <summary>The name of the graph's one input (initialisers listed as inputs, as old exporters did, are not counted).</summary>
        public string InputName { get; }

        /// <summary>The input's shape without the batch dimension: <c>[8]</c> or <c>[1, 12, 12]</c>.</summary>
        public IReadOnlyList<int> InputShape { get; }

        /// <summary>The input's batch dimension as written: <c>"1"</c>, or its symbolic name such as <c>"batch"</c>.</summary>
        public string InputBatch { get; }

        /// <summary>The ONNX element type of the input (<c>TensorProto.DataType</c>: 1 float, 10 float16, 11 double).</summary>
        public int InputElementType { get; }

        /// <summary>The name of the graph's one output.</summary>
        public string OutputName { get; }

        /// <summary>The graph's nodes in topological order (stable: the file's order wherever it is already valid).</summary>
        public IReadOnlyList<NodeProto> Nodes { get; }

        /// <summary>
        /// Every initialiser, under its ONNX name, with its ONNX dims and element type (F32, F64, F16, BF16, I64, I32). Each is
        /// read (from the file, or from its external data) the first time it is looked up; enumerating reads them all.
        /// </summary>
        /// <exception cref="InvalidDataException">On lookup: the initialiser is malformed, or its external data is not a regular file inside the model's folder.</exception>
        public IReadOnlyDictionary<string, Tensor> Initializers => _initializers;

        /// <summary>The value of <c>Constant</c> nodes holding a tensor, under their output's name.</summary>
        internal IReadOnlyDictionary<string, Tensor> Constants => _constants;

        /// <summary>Reads the ONNX file at <paramref name="path"/>; external data files are looked up beside it.</summary>
        /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
        /// <exception cref="InvalidDataException">The file is not an ONNX model.</exception>
        /// <exception cref="NotSupportedException">The graph has other than one input and one output, or its input has no fixed sizes.</exception>
        public static OnnxModel Load(string path)
        {
            ArgumentNullException.ThrowIfNull(path);
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"No ONNX file at '{path}' (full path '{System.IO.Path.GetFullPath(path)}').", path);
            }

            byte[] bytes = File.ReadAllBytes(path);
            return new OnnxModel(Parse(bytes, path), path, System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)));
        }

        /// <summary>Reads an ONNX model held in <paramref name="bytes"/>; external data, if any, is looked up in <paramref name="baseDirectory"/>.</summary>
        /// <exception cref="InvalidDataException">The bytes are not an ONNX model.</exception>
        public static OnnxModel FromBytes(byte[] bytes, string? baseDirectory = null)
        {
            ArgumentNullException.ThrowIfNull(bytes);
            return new OnnxModel(Parse(bytes, null), null, baseDirectory);
        }

        /// <summary>Wraps a protobuf message already in memory (for example one built in code).</summary>
        public static OnnxModel FromProto(ModelProto model, string? baseDirectory = null)
        {
            ArgumentNullException.ThrowIfNull(model);
            return new OnnxModel(model, null, baseDirectory);
        }

        /// <summary>The initialiser or <c>Constant</c> node value called <paramref name="name"/>, or null.</summary>
        internal Tensor? ConstantTensor(string name) =>
            _initializers.TryGetValue(name, out Tensor? t) ? t : _constants.TryGetValue(name, out t) ? t : null;

        /// <summary>Whether <paramref name="name"/> is an initialiser or a <c>Constant</c> node's value, without reading it.</summary>
        internal bool IsConstant(string name) => _initializers.ContainsKey(name) || _constants.ContainsKey(name);

        /// <summary><c>" 'lenet.onnx'"</c> for messages, or empty.</summary>
        internal string Describe() => Where(Path);

        private static ModelProto Parse(byte[] bytes, string? path)
        {
            ModelProto model;
            try
            {
                model = ModelProto.Parser.ParseFrom(bytes);
            }
            catch (InvalidProtocolBufferException e)
            {
                throw new InvalidDataException($"Not an ONNX model{Where(path)}: {e.Message}", e);
            }

            if (model.Graph == null || (model.Graph.Node.Count == 0 && model.Graph.Input.Count == 0))
            {
                throw new InvalidDataException($"Not an ONNX model{Where(path)}: it has no graph (is it an ONNX file?).");
            }

            return model;
        }

        private static List<NodeProto> TopologicalOrder(GraphProto graph, string? path)
        {
            var nodes = graph.Node.ToList();
            var producer = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < nodes.Count; i++)
            {
                foreach (string output in nodes[i].Output.Where(o => o.Length > 0))
                {
                    if (!producer.TryAdd(output, i))
                    {
                        throw new InvalidDataException($"ONNX model{Where(path)}: the tensor '{output}' is produced by two nodes.");
                    }
                }
            }

            // Kahn's algorithm, always taking the earliest ready node: the file's order when it is already topological.
            var pending = new int[nodes.Count];
            var dependents = new List<int>[nodes.Count];
            for (int i = 0; i < nodes.Count; i++) dependents[i] = new List<int>();
            for (int i = 0; i < nodes.Count; i++)
            {
                foreach (string input in nodes[i].Input.Where(s => s.Length > 0).Distinct())
                {
                    if (producer.TryGetValue(input, out int p) && p != i)
                    {
                        pending[i]++;
                        dependents[p].Add(i);
                    }
                }
            }

            var ready = new SortedSet<int>(Enumerable.Range(0, nodes.Count).Where(i => pending[i] == 0));
            var order = new List<NodeProto>(nodes.Count);
            while (ready.Count > 0)
            {
                int next = ready.Min;
                ready.Remove(next);
                order.Add(nodes[next]);
                foreach (int d in dependents[next])
                {
                    if (--pending[d] == 0) ready.Add(d);
                }
            }

            if (order.Count != nodes.Count)
            {
                throw new InvalidDataException($"ONNX model{Where(path)}: the graph has a cycle.");
            }

            return order;
        }

        internal static bool IsDefaultDomain(NodeProto node) => string.IsNullOrEmpty(node.Domain) || node.Domain == "ai.onnx";

        private static string Where(string? path) => path == null ? string.Empty : $" '{path}'";

        private static InvalidDataException Invalid(string? path, string what) => new($"ONNX model{Where(path)}: {what}.");

        private static string FormatDims(IEnumerable<TensorShapeProto.Types.Dimension> dims) =>
            "[" + string.Join(", ", dims.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue
                ? d.DimValue.ToString(CultureInfo.InvariantCulture)
                : string.IsNullOrEmpty(d.DimParam) ? "?" : d.DimParam)) + "]";
    }
}
