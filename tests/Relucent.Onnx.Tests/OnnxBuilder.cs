using Google.Protobuf;
using Onnx;

namespace Relucent.Onnx.Tests;

/// <summary>
/// Builds small ONNX graphs with OnnxSharp's protobuf classes, one node at a time along a chain: each method reads
/// <see cref="Current"/> and moves it to the node's output. Weights are deterministic pseudo-random float32.
/// </summary>
public sealed class OnnxBuilder
{
    private readonly GraphProto _graph = new() { Name = "test" };
    private readonly Random _random = new(1234);
    private int _count;

    /// <summary>A graph whose input is <c>input</c> of <paramref name="dims"/> (batch included; 0 for a symbolic batch).</summary>
    public OnnxBuilder(params long[] dims)
    {
        _graph.Input.Add(ValueInfo("input", dims));
        Current = "input";
    }

    /// <summary>The tensor the next node reads.</summary>
    public string Current { get; set; }

    public long Opset { get; set; } = 17;

    public static ValueInfoProto ValueInfo(string name, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (long d in dims)
        {
            shape.Dim.Add(d == 0 ? new TensorShapeProto.Types.Dimension { DimParam = "batch" } : new TensorShapeProto.Types.Dimension { DimValue = d });
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = shape } } };
    }

    public static AttributeProto Int(string name, long value) => new() { Name = name, I = value, Type = AttributeProto.Types.AttributeType.Int };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static AttributeProto Float(string name, float value) => new() { Name = name, F = value, Type = AttributeProto.Types.AttributeType.Float };

    public static AttributeProto Text(string name, string value) => new() { Name = name, S = ByteString.CopyFromUtf8(value), Type = AttributeProto.Types.AttributeType.String };

    /// <summary>A float32 initialiser in raw data, random unless <paramref name="values"/> are given.</summary>
    public string Initializer(string name, int[] dims, float[]? values = null)
    {
        int count = dims.Aggregate(1, (a, b) => a * b);
        values ??= Enumerable.Range(0, count).Select(_ => (float)(_random.NextDouble() * 2 - 1)).ToArray();
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(values.SelectMany(BitConverter.GetBytes).ToArray()) };
        t.Dims.AddRange(dims.Select(d => (long)d));
        _graph.Initializer.Add(t);
        return name;
    }

    /// <summary>
    /// A float32 initialiser whose data lies outside the model, in <paramref name="location"/> from
    /// <paramref name="offset"/> (ONNX external data); <paramref name="length"/> is written when given.
    /// </summary>
    public string ExternalInitializer(string name, int[] dims, string location, long offset = 0, long? length = null)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, DataLocation = TensorProto.Types.DataLocation.External };
        t.Dims.AddRange(dims.Select(d => (long)d));
        t.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        if (offset != 0) t.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        if (length is long l) t.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = l.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        _graph.Initializer.Add(t);
        return name;
    }

    /// <summary>A float32 initialiser with dims as written, raw data as given: for dims no array could hold.</summary>
    public string RawInitializer(string name, long[] dims, byte[] raw)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(raw) };
        t.Dims.AddRange(dims);
        _graph.Initializer.Add(t);
        return name;
    }

    /// <summary>
    /// <paramref name="depth"/> residual blocks nested inside one another, each branch a ReLU and the next block:
    /// <c>Residual(b =&gt; b.ReLU().Residual(b =&gt; b.ReLU()…))</c>. Built without recursion, so any depth can be made.
    /// </summary>
    public OnnxBuilder NestedResiduals(int depth)
    {
        var skips = new Stack<string>();
        for (int i = 0; i < depth; i++)
        {
            skips.Push(Current);
            Relu();
        }

        while (skips.Count > 0) Current = Node("Add", null, new[] { Current, skips.Pop() });
        return this;
    }

    /// <summary>
    /// <paramref name="depth"/> concatenations nested inside one another, each of a ReLU and the next level with the
    /// identity: <c>Concat(b =&gt; b.ReLU().Concat(…), b =&gt; b)</c>. Built without recursion, so any depth can be made.
    /// </summary>
    public OnnxBuilder NestedConcats(int depth)
    {
        var skips = new Stack<string>();
        for (int i = 0; i < depth; i++)
        {
            skips.Push(Current);
            Relu();
        }

        while (skips.Count > 0) Current = Node("Concat", null, new[] { Current, skips.Pop() }, null, Int("axis", 1));
        return this;
    }

    /// <summary>The serialised model.</summary>
    public byte[] Bytes(string? output = null) => Build(output).ToByteArray();

    /// <summary>An int64 initialiser (a shape).</summary>
    public string Int64Initializer(string name, params long[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.Add(values.Length);
        t.Int64Data.AddRange(values);
        _graph.Initializer.Add(t);
        return name;
    }

    /// <summary>Adds a node; returns its (first) output.</summary>
    public string Node(string op, string? name, string[] inputs, string[]? outputs = null, params AttributeProto[] attributes)
    {
        int n = _count++;
        var node = new NodeProto { OpType = op, Name = name ?? $"/{n}/{op}" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs ?? new[] { $"/{n}/{op}_output_0" });
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return node.Output[0];
    }

    /// <summary>A node reading <see cref="Current"/> (and <paramref name="more"/>), which becomes its output.</summary>
    public OnnxBuilder Op(string op, string? name = null, string[]? more = null, params AttributeProto[] attributes)
    {
        Current = Node(op, name, new[] { Current }.Concat(more ?? Array.Empty<string>()).ToArray(), null, attributes);
        return this;
    }

    public OnnxBuilder Relu(string? name = null) => Op("Relu", name);

    public OnnxBuilder Conv(string prefix, int filters, int channels, int kernel, int stride = 1, int padding = 0, bool bias = true, string? name = null, params AttributeProto[] extra)
    {
        string w = Initializer(prefix + ".weight", new[] { filters, channels, kernel, kernel });
        var inputs = new List<string> { w };
        if (bias) inputs.Add(Initializer(prefix + ".bias", new[] { filters }));
        var attributes = new List<AttributeProto>
        {
            Ints("dilations", 1, 1), Int("group", 1), Ints("kernel_shape", kernel, kernel), Ints("pads", padding, padding, padding, padding), Ints("strides", stride, stride),
        };
        if (extra.Any(a => a.Name == "auto_pad")) attributes.RemoveAll(x => x.Name == "pads"); // ONNX allows one of them
        foreach (AttributeProto a in extra)
        {
            attributes.RemoveAll(x => x.Name == a.Name);
            attributes.Add(a);
        }

        return Op("Conv", name, inputs.ToArray(), attributes.ToArray());
    }

    public OnnxBuilder Gemm(string weight, string? bias, int outputs, int inputs, bool transB = true, string? name = null, float[]? weightValues = null, float[]? biasValues = null)
    {
        string w = Initializer(weight, transB ? new[] { outputs, inputs } : new[] { inputs, outputs }, weightValues);
        var more = new List<string> { w };
        if (bias != null) more.Add(Initializer(bias, new[] { outputs }, biasValues));
        return Op("Gemm", name, more.ToArray(), Float("alpha", 1), Float("beta", 1), Int("transB", transB ? 1 : 0));
    }

    /// <summary>x·B + c with B stored [in, out], as constant folding leaves nn.Linear.</summary>
    public OnnxBuilder MatMulAdd(string weight, string? bias, int outputs, int inputs, float[]? weightValues = null, float[]? biasValues = null)
    {
        string w = Initializer(weight, new[] { inputs, outputs }, weightValues);
        Op("MatMul", null, new[] { w });
        if (bias != null) Op("Add", null, new[] { Initializer(bias, new[] { outputs }, biasValues) });
        return this;
    }

    public OnnxBuilder BatchNorm(string prefix, int channels, float epsilon = 1e-5f)
    {
        float[] variance = Enumerable.Range(0, channels).Select(i => 0.5f + i * 0.25f).ToArray();
        return Op(
            "BatchNormalization",
            null,
            new[] { Initializer(prefix + ".weight", new[] { channels }), Initializer(prefix + ".bias", new[] { channels }), Initializer(prefix + ".running_mean", new[] { channels }), Initializer(prefix + ".running_var", new[] { channels }, variance) },
            Float("epsilon", epsilon),
            Float("momentum", 0.9f));
    }

    /// <summary>Branches from the current tensor, each built by one of <paramref name="branches"/> (an identity leaves it as it is), joined by <paramref name="join"/> (Add, or Concat on channels).</summary>
    public OnnxBuilder Join(string join, params Action<OnnxBuilder>[] branches)
    {
        string start = Current;
        var ends = new List<string>();
        foreach (Action<OnnxBuilder> branch in branches)
        {
            Current = start;
            branch(this);
            ends.Add(Current);
        }

        Current = join == "Concat" ? Node("Concat", null, ends.ToArray(), null, Int("axis", 1)) : Node(join, null, ends.ToArray());
        return this;
    }

    /// <summary>A pooling node (MaxPool or AveragePool) of a square <paramref name="kernel"/>, with the attributes given.</summary>
    public OnnxBuilder Pool(string op, int kernel, params AttributeProto[] attributes) =>
        Op(op, null, null, new[] { Ints("kernel_shape", kernel, kernel) }.Concat(attributes).ToArray());

    /// <summary>y = f(x) + x, with f built by <paramref name="branch"/> from the current tensor.</summary>
    public OnnxBuilder Residual(Action<OnnxBuilder> branch, bool skipFirst = false)
    {
        string skip = Current;
        branch(this);
        Current = Node("Add", null, skipFirst ? new[] { skip, Current } : new[] { Current, skip });
        return this;
    }

    public ModelProto Build(string? output = null)
    {
        var model = new ModelProto { IrVersion = 8, ProducerName = "test", ProducerVersion = "1", Graph = _graph.Clone() };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = Opset });
        // Typed (float), as ONNX Runtime needs the graph's output to be; the importer reads only the name.
        model.Graph.Output.Add(new ValueInfoProto { Name = output ?? Current, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1 } } });
        return model;
    }

    /// <summary>The model serialised and read back, as a file would be.</summary>
    public OnnxModel Model() => OnnxModel.FromBytes(Build().ToByteArray());
}
