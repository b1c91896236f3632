using Google.Protobuf;
using Onnx;
using static Relucent.Onnx.Tests.OnnxBuilder;

namespace Relucent.Onnx.Tests.Hostile;

/// <summary>
/// Random ONNX graphs for the structural fuzzer: chains of the operators the importer reads (and some it does not),
/// nested blocks (residual, with a projection shortcut, concatenations of two to five branches), pads per side, groups,
/// auto_pad, tensors feeding several nodes, Reshape targets computed by small shape expressions, and
/// attributes drawn from sensible values, edge values and nonsense; then, often, one structural mutation (an input
/// removed or rewired, an output renamed, a node duplicated, an initialiser's dims or type changed, an attribute given
/// the wrong kind). Most graphs are wrong somewhere, some import: both paths are exercised.
/// </summary>
public sealed class RandomGraphs
{
    private static readonly string[] Activations = { "Relu", "Tanh", "Sigmoid", "Identity", "Dropout" };
    private static readonly string[] Unsupported = { "LeakyRelu", "Concat", "Mul", "Transpose", "Split", "Pad" };

    private readonly Random _random;
    private int _names;

    public RandomGraphs(int seed) => _random = new Random(seed);

    /// <summary>One random model's bytes and a line saying what it is, for failure messages.</summary>
    public (byte[] Bytes, string What) Next()
    {
        bool image = _random.Next(3) > 0;
        long[] dims = image ? new long[] { Batch(), Size(4), Size(9), Size(9) } : new long[] { Batch(), Size(12) };
        var b = new OnnxBuilder(dims) { Opset = _random.Next(4) == 0 ? _random.Next(0, 20) : 17 };
        var what = new List<string> { $"input [{string.Join(", ", dims)}]" };
        var shape = new Tracked(image, (int)Math.Max(1, dims[1]), image ? (int)Math.Max(1, dims[2]) : 1, image ? (int)Math.Max(1, dims[3]) : 1);
        Chain(b, shape, what, depth: 0, steps: _random.Next(0, 9));
        ModelProto model = b.Build();
        if (_random.Next(3) == 0) what.Add(Mutate(model));
        byte[] bytes = model.ToByteArray();
        if (_random.Next(20) == 0)
        {
            int at = _random.Next(bytes.Length);
            bytes[at] ^= (byte)(1 << _random.Next(8));
            what.Add($"bit flipped at byte {at}");
        }

        return (bytes, string.Join(", ", what));
    }

    /// <summary>The shape the generator believes the current tensor has (it may be wrong, on purpose or not).</summary>
    private sealed record Tracked(bool Image, int Channels, int Height, int Width)
    {
        public int Size => Image ? Channels * Height * Width : Channels;
    }

    private long Batch() => _random.Next(6) switch { 0 => 0, 1 => 2, 2 => -1, _ => 1 };

    private long Size(int typical) => _random.Next(12) switch
    {
        0 => 0,
        1 => -3,
        2 => 1L << 31,
        _ => _random.Next(1, typical + 1),
    };

    /// <summary>A size: mostly the one that fits, sometimes an edge value or nonsense.</summary>
    private long Pick(long fits) => _random.Next(10) switch
    {
        0 => _random.Next(-2, 3),
        1 => fits + _random.Next(1, 4),
        2 => new[] { int.MaxValue, 1L << 32, 4294967298L, long.MaxValue, long.MinValue }[_random.Next(5)],
        _ => fits,
    };

    private string Name(string stem) => $"{stem}{_names++}";

    private Tracked Chain(OnnxBuilder b, Tracked shape, List<string> what, int depth, int steps)
    {
        for (int i = 0; i < steps; i++) shape = Step(b, shape, what, depth);
        return shape;
    }

    private Tracked Step(OnnxBuilder b, Tracked shape, List<string> what, int depth)
    {
        int choice = _random.Next(16);
        switch (choice)
        {
            case 0:
            case 1:
            {
                string op = Activations[_random.Next(Activations.Length)];
                what.Add(op);
                b.Op(op);
                return shape;
            }

            case 2:
            case 3:
            {
                int filters = _random.Next(1, 5), kernel = _random.Next(1, 4);
                long stride = Pick(_random.Next(1, 3)), pad = Pick(_random.Next(0, 2));
                int channels = (int)Math.Clamp(Pick(shape.Channels), 1, 64);
                var attributes = new List<AttributeProto> { Ints("kernel_shape", Pick(kernel), Pick(kernel)), Ints("strides", stride, stride), Ints("pads", pad, pad, pad, pad) };
                if (_random.Next(4) == 0) attributes[2] = Ints("pads", Pick(_random.Next(0, 3)), Pick(_random.Next(0, 3)), Pick(_random.Next(0, 3)), Pick(_random.Next(0, 3)));
                if (_random.Next(6) == 0) attributes.Add(Int("group", _random.Next(2) == 0 ? Pick(1) : Pick(channels)));
                if (_random.Next(8) == 0) attributes.Add(Ints("dilations", Pick(1), Pick(1)));
                if (_random.Next(8) == 0) attributes.Add(Text("auto_pad", new[] { "SAME_UPPER", "SAME_LOWER", "VALID", "SAME" }[_random.Next(4)]));
                if (_random.Next(16) == 0) attributes.Add(Ints("pads", Pick(1), Pick(1), Pick(1), Pick(1))); // alongside auto_pad, or twice
                what.Add($"Conv {filters}×{channels}×{kernel}² stride {stride} pad {pad}");
                b.Conv(Name("conv"), filters, channels, kernel, bias: _random.Next(2) == 0, extra: attributes.ToArray());
                long h = (shape.Height + 2 * pad - kernel) / Math.Max(1, stride) + 1, w = (shape.Width + 2 * pad - kernel) / Math.Max(1, stride) + 1;
                return shape with { Channels = filters, Height = (int)Math.Clamp(h, 1, 64), Width = (int)Math.Clamp(w, 1, 64) };
            }

            case 4:
            {
                string op = _random.Next(2) == 0 ? "MaxPool" : "AveragePool";
                long k = Pick(_random.Next(1, 3)), s = Pick(_random.Next(1, 3));
                var attributes = new List<AttributeProto> { Ints("kernel_shape", k, k), Ints("strides", s, s) };
                if (_random.Next(4) == 0) attributes.Add(Int("ceil_mode", 1));
                if (_random.Next(4) == 0) attributes.Add(Ints("pads", Pick(_random.Next(0, 2)), Pick(_random.Next(0, 2)), Pick(_random.Next(0, 2)), Pick(_random.Next(0, 2))));
                if (_random.Next(4) == 0) attributes.Add(Int("count_include_pad", _random.Next(2)));
                if (_random.Next(10) == 0) attributes.Add(Text("auto_pad", new[] { "SAME_UPPER", "SAME_LOWER", "VALID" }[_random.Next(3)]));
                what.Add($"{op} {k} stride {s}");
                b.Op(op, null, null, attributes.ToArray());
                long h = (shape.Height - k) / Math.Max(1, s) + 1, w = (shape.Width - k) / Math.Max(1, s) + 1;
                return shape with { Height = (int)Math.Clamp(h, 1, 64), Width = (int)Math.Clamp(w, 1, 64) };
            }

            case 5:
            {
                string op = _random.Next(2) == 0 ? "GlobalAveragePool" : "GlobalMaxPool";
                what.Add(op);
                b.Op(op);
                return shape with { Height = 1, Width = 1 };
            }

            case 6:
            {
                int channels = (int)Math.Clamp(Pick(shape.Channels), 1, 64);
                var variance = Enumerable.Range(0, channels).Select(_ => _random.Next(10) == 0 ? -1f : (float)_random.NextDouble() + 0.1f).ToArray();
                var inputs = new List<string>
                {
                    b.Initializer(Name("bn") + ".weight", new[] { channels }), b.Initializer(Name("bn") + ".bias", new[] { channels }),
                    b.Initializer(Name("bn") + ".running_mean", new[] { channels }), b.Initializer(Name("bn") + ".running_var", new[] { channels }, variance),
                };
                if (_random.Next(6) == 0) inputs.RemoveAt(_random.Next(inputs.Count));
                what.Add($"BatchNormalization {channels}");
                b.Op("BatchNormalization", null, inputs.ToArray(), Float("epsilon", _random.Next(6) == 0 ? float.NaN : 1e-5f));
                return shape;
            }

            case 7:
            {
                long axis = _random.Next(5) == 0 ? Pick(1) : 1;
                what.Add($"Flatten axis {axis}");
                b.Op("Flatten", null, null, Int("axis", axis));
                return new Tracked(false, shape.Size, 1, 1);
            }

            case 8:
            {
                string target = ShapeExpression(b, b.Current, shape);
                what.Add("Reshape");
                b.Op("Reshape", null, new[] { target });
                return new Tracked(false, shape.Size, 1, 1);
            }

            case 9:
            case 10:
            {
                int units = _random.Next(1, 6);
                int inputs = (int)Math.Clamp(Pick(shape.Size), 1, 4096);
                if (_random.Next(2) == 0)
                {
                    bool transB = _random.Next(4) > 0;
                    what.Add($"Gemm {units}×{inputs}");
                    b.Gemm(Name("fc") + ".weight", _random.Next(3) > 0 ? Name("fc") + ".bias" : null, units, inputs, transB);
                }
                else
                {
                    what.Add($"MatMul {inputs}×{units}");
                    b.MatMulAdd(Name("fc") + ".weight", _random.Next(3) > 0 ? Name("fc") + ".bias" : null, units, inputs);
                }

                return new Tracked(false, units, 1, 1);
            }

            case 11:
            {
                long axis = _random.Next(3) == 0 ? Pick(1) : -1;
                what.Add($"Softmax axis {axis}");
                b.Op("Softmax", null, null, Int("axis", axis));
                return shape;
            }

            case 12:
            case 13:
            {
                if (depth >= 4) return shape;
                Tracked inner = shape;
                switch (_random.Next(3))
                {
                    case 0:
                        what.Add("Residual(");
                        b.Residual(branch => inner = Chain(branch, shape, what, depth + 1, _random.Next(0, 4)), skipFirst: _random.Next(2) == 0);
                        break;
                    case 1:
                        // f(x) + g(x): a projection shortcut, either input first.
                        what.Add("Add(");
                        b.Join("Add", branch => inner = Chain(branch, shape, what, depth + 1, _random.Next(0, 4)), shortcut => Chain(shortcut, shape, what, depth + 1, _random.Next(0, 3)));
                        break;
                    default:
                    {
                        // Two to five branches (five is one too many), some of them the identity, concatenated on channels.
                        int count = _random.Next(2, 6);
                        int channels = 0;
                        what.Add($"Concat{count}(");
                        b.Join("Concat", Enumerable.Range(0, count).Select(_ => (Action<OnnxBuilder>)(branch =>
                        {
                            Tracked end = Chain(branch, shape, what, depth + 1, _random.Next(0, 3));
                            channels += end.Channels;
                            inner = end;
                        })).ToArray());
                        inner = inner with { Channels = Math.Clamp(channels, 1, 64) };
                        break;
                    }
                }

                what.Add(")");
                return inner == shape ? shape : inner;
            }

            case 14:
            {
                // Fan-out: the current tensor feeds a second node besides the chain.
                string side = b.Node(Activations[_random.Next(Activations.Length)], null, new[] { b.Current });
                what.Add("fan-out");
                if (_random.Next(2) == 0) b.Current = side;
                return shape;
            }

            default:
            {
                string op = Unsupported[_random.Next(Unsupported.Length)];
                what.Add(op);
                b.Op(op, null, _random.Next(2) == 0 ? new[] { b.Current } : null);
                return shape;
            }
        }
    }

    /// <summary>A Reshape target: a constant, or <c>Concat(Unsqueeze(Gather(Shape(x), 0)), [-1])</c> as exporters write <c>x.view(N, -1)</c>, with random twists.</summary>
    private string ShapeExpression(OnnxBuilder b, string x, Tracked shape)
    {
        switch (_random.Next(4))
        {
            case 0:
                return b.Int64Initializer(Name("shape"), _random.Next(3) == 0 ? new[] { Pick(1), Pick(-1) } : new[] { 1L, -1L });
            case 1:
                return b.Int64Initializer(Name("shape"), 1, Pick(shape.Size));
            default:
            {
                string s = b.Node("Shape", null, new[] { x });
                string index = b.Int64Initializer(Name("index"), Pick(0));
                string first = b.Node("Gather", null, new[] { s, index }, null, Int("axis", _random.Next(6) == 0 ? 1 : 0));
                string unsqueezed = _random.Next(5) == 0 ? first : b.Node("Unsqueeze", null, new[] { first, b.Int64Initializer(Name("axes"), 0) });
                string rest = b.Int64Initializer(Name("rest"), Pick(-1));
                var parts = new List<string> { unsqueezed, rest };
                for (int i = _random.Next(4); i > 0; i--) parts.Add(_random.Next(2) == 0 ? unsqueezed : parts[_random.Next(parts.Count)]);
                if (parts.Count > 2 && _random.Next(2) == 0) parts.RemoveRange(2, parts.Count - 2);
                return b.Node("Concat", null, parts.ToArray(), null, Int("axis", 0));
            }
        }
    }

    /// <summary>One structural mutation of <paramref name="model"/>; says which.</summary>
    private string Mutate(ModelProto model)
    {
        GraphProto g = model.Graph;
        int kind = _random.Next(9);
        if (g.Node.Count == 0) kind = 6;
        NodeProto node = g.Node.Count == 0 ? new NodeProto() : g.Node[_random.Next(g.Node.Count)];
        switch (kind)
        {
            case 0:
                if (node.Input.Count > 0) node.Input.RemoveAt(_random.Next(node.Input.Count));
                return $"an input of {node.OpType} removed";
            case 1:
                if (node.Input.Count > 0) node.Input[_random.Next(node.Input.Count)] = g.Node[_random.Next(g.Node.Count)].Output.FirstOrDefault() ?? "input";
                return $"an input of {node.OpType} rewired";
            case 2:
                if (node.Output.Count > 0) node.Output[0] = Name("renamed");
                return $"the output of {node.OpType} renamed";
            case 3:
                g.Node.Add(node.Clone());
                return $"{node.OpType} duplicated";
            case 4:
                if (g.Initializer.Count > 0)
                {
                    TensorProto t = g.Initializer[_random.Next(g.Initializer.Count)];
                    if (t.Dims.Count > 0) t.Dims[_random.Next(t.Dims.Count)] = Pick(t.Dims[0]);
                    else t.Dims.Add(Pick(1));
                    return $"dims of '{t.Name}' changed";
                }

                return "nothing";
            case 5:
                if (g.Initializer.Count > 0)
                {
                    TensorProto t = g.Initializer[_random.Next(g.Initializer.Count)];
                    t.DataType = _random.Next(0, 20);
                    return $"type of '{t.Name}' changed to {t.DataType}";
                }

                return "nothing";
            case 6:
                g.Output.Clear();
                if (_random.Next(2) == 0) g.Output.Add(new ValueInfoProto { Name = g.Node.Count == 0 ? "input" : g.Node[_random.Next(g.Node.Count)].Output.FirstOrDefault() ?? "x" });
                return "output moved";
            case 7:
                if (node.Attribute.Count > 0)
                {
                    AttributeProto a = node.Attribute[_random.Next(node.Attribute.Count)];
                    a.Ints.Clear();
                    a.I = Pick(1);
                    return $"attribute {a.Name} of {node.OpType} made a single int";
                }

                return "nothing";
            default:
                if (g.Initializer.Count > 0) g.Initializer.RemoveAt(_random.Next(g.Initializer.Count));
                return "an initializer dropped";
        }
    }
}
