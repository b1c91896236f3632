using System.Buffers.Binary;
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
        private readonly Dictionary<string, Tensor> _initializers;
        private readonly Dictionary<string, Tensor> _constants;

        private OnnxModel(ModelProto proto, string? path, string? baseDirectory)
        {
            Proto = proto;
            Path = path;
            GraphProto graph = proto.Graph ?? throw Invalid(path, "the model has no graph");
            OpsetVersion = proto.OpsetImport.Where(o => string.IsNullOrEmpty(o.Domain) || o.Domain == "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max();
            Producer = string.Join(" ", new[] { proto.ProducerName, proto.ProducerVersion }.Where(s => !string.IsNullOrEmpty(s)));

            _initializers = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (TensorProto t in graph.Initializer)
            {
                if (string.IsNullOrEmpty(t.Name)) throw Invalid(path, "an initializer has no name");
                _initializers[t.Name] = ReadTensor(t, t.Name, baseDirectory);
            }

            Nodes = TopologicalOrder(graph, path);

            // Constant nodes holding a tensor: weights are sometimes exported this way rather than as initialisers.
            _constants = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (NodeProto node in Nodes.Where(n => n.OpType == "Constant" && IsDefaultDomain(n) && n.Output.Count == 1))
            {
                AttributeProto? value = node.Attribute.FirstOrDefault(a => a.Name == "value");
                if (value?.T != null) _constants[node.Output[0]] = ReadTensor(value.T, node.Output[0], baseDirectory);
            }

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

        /// <summary>Every initialiser, under its ONNX name, with its ONNX dims and element type (F32, F64, F16, BF16, I64, I32).</summary>
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

        /// <summary>An ONNX tensor as a <see cref="Tensor"/> with the same dims and element type, from raw or typed data.</summary>
        internal static Tensor ReadTensor(TensorProto t, string name, string? baseDirectory)
        {
            int[] shape = new int[t.Dims.Count];
            for (int i = 0; i < shape.Length; i++)
            {
                if (t.Dims[i] < 0 || t.Dims[i] > int.MaxValue) throw new InvalidDataException($"ONNX tensor '{name}' has the dimension {t.Dims[i]}.");
                shape[i] = (int)t.Dims[i];
            }

            long count = 1;
            foreach (int d in shape) count = checked(count * d);
            DType dtype = (TensorProto.Types.DataType)t.DataType switch
            {
                TensorProto.Types.DataType.Float => DType.F32,
                TensorProto.Types.DataType.Double => DType.F64,
                TensorProto.Types.DataType.Float16 => DType.F16,
                TensorProto.Types.DataType.Bfloat16 => DType.BF16,
                TensorProto.Types.DataType.Int64 => DType.I64,
                TensorProto.Types.DataType.Int32 => DType.I32,
                _ => throw new NotSupportedException(
                    $"ONNX tensor '{name}' has the element type {(TensorProto.Types.DataType)t.DataType}; Relucent reads float, double, float16, bfloat16, int64 and int32 tensors."),
            };

            int size = dtype.ElementSize();
            long byteCount = checked(count * size);
            if (byteCount > Array.MaxLength) throw new NotSupportedException($"ONNX tensor '{name}' holds {count} values, more than an array can hold.");
            byte[] data;
            if (t.DataLocation == TensorProto.Types.DataLocation.External)
            {
                data = ReadExternal(t, name, baseDirectory, byteCount);
            }
            else if (!t.RawData.IsEmpty)
            {
                if (t.RawData.Length != byteCount)
                {
                    throw new InvalidDataException($"ONNX tensor '{name}' {Tensor.FormatShape(shape)} {dtype.Name()} needs {byteCount} bytes of raw data; it has {t.RawData.Length}.");
                }

                data = t.RawData.ToByteArray();
            }
            else
            {
                data = new byte[byteCount];
                Span<byte> o = data;
                int typed = dtype switch
                {
                    DType.F32 => t.FloatData.Count,
                    DType.F64 => t.DoubleData.Count,
                    DType.I64 => t.Int64Data.Count,
                    _ => t.Int32Data.Count, // int32, and float16 / bfloat16 bit patterns
                };
                if (typed != count)
                {
                    throw new InvalidDataException($"ONNX tensor '{name}' {Tensor.FormatShape(shape)} holds {typed} values; its shape needs {count}.");
                }

                for (int i = 0; i < count; i++)
                {
                    switch (dtype)
                    {
                        case DType.F32: BinaryPrimitives.WriteSingleLittleEndian(o[(i * 4)..], t.FloatData[i]); break;
                        case DType.F64: BinaryPrimitives.WriteDoubleLittleEndian(o[(i * 8)..], t.DoubleData[i]); break;
                        case DType.I64: BinaryPrimitives.WriteInt64LittleEndian(o[(i * 8)..], t.Int64Data[i]); break;
                        case DType.I32: BinaryPrimitives.WriteInt32LittleEndian(o[(i * 4)..], t.Int32Data[i]); break;
                        default: BinaryPrimitives.WriteUInt16LittleEndian(o[(i * 2)..], unchecked((ushort)t.Int32Data[i])); break;
                    }
                }
            }

            return new Tensor(dtype, shape, data);
        }

        private static byte[] ReadExternal(TensorProto t, string name, string? baseDirectory, long byteCount)
        {
            string? location = t.ExternalData.FirstOrDefault(e => e.Key == "location")?.Value;
            if (string.IsNullOrEmpty(location)) throw new InvalidDataException($"ONNX tensor '{name}' is stored externally but names no location.");
            if (baseDirectory == null)
            {
                throw new NotSupportedException($"ONNX tensor '{name}' is stored in the external file '{location}'; load the model with OnnxModel.Load(path) so the file can be found.");
            }

            long offset = long.TryParse(t.ExternalData.FirstOrDefault(e => e.Key == "offset")?.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long o) ? o : 0;
            string file = System.IO.Path.Combine(baseDirectory, location);
            if (!File.Exists(file)) throw new FileNotFoundException($"ONNX tensor '{name}' is stored in '{file}', which does not exist.", file);
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (offset < 0 || offset + byteCount > stream.Length)
            {
                throw new InvalidDataException($"ONNX tensor '{name}' needs bytes {offset}..{offset + byteCount} of '{file}', which has {stream.Length}.");
            }

            stream.Position = offset;
            byte[] data = new byte[byteCount];
            stream.ReadExactly(data);
            return data;
        }
    }
}
