using Onnx;

namespace Relucent
{
    /// <summary>
    /// Evaluates the small integer computations exporters build for a Reshape's target shape
    /// (<c>Shape → Gather → Unsqueeze → Concat</c>, or a Constant), given the shapes of the chain's tensors with batch 1.
    /// </summary>
    /// <remarks>
    /// Bounded on any graph: each tensor is evaluated once and remembered (a graph reusing one tensor twice at every
    /// level costs linear work, not exponential), a computation may be at most <see cref="MaxDepth"/> nodes deep, and no
    /// value may hold more than <see cref="MaxValues"/> integers (a Concat of a tensor with itself, repeated, would double
    /// its length at every level).
    /// </remarks>
    internal sealed class StaticShapes
    {
        /// <summary>The deepest computation evaluated, in nodes.</summary>
        public const int MaxDepth = 64;

        /// <summary>The most integers one value of a shape computation may hold (a shape has a few).</summary>
        public const int MaxValues = 64;

        private readonly Dictionary<string, IntValue> _values = new(StringComparer.Ordinal);
        private readonly OnnxModel _model;
        private readonly Dictionary<string, NodeProto> _producer;
        private readonly Func<string, int[]?> _shapeOf;

        public StaticShapes(OnnxModel model, Dictionary<string, NodeProto> producer, Func<string, int[]?> shapeOf)
        {
            _model = model;
            _producer = producer;
            _shapeOf = shapeOf;
        }

        /// <summary>The integer values of <paramref name="tensor"/> as a flat array, or null with the reason.</summary>
        public long[]? Evaluate(string tensor, out string why)
        {
            why = string.Empty;
            try
            {
                return Value(tensor, 0).Data;
            }
            catch (CannotEvaluate e)
            {
                why = e.Message;
                return null;
            }
        }

        private sealed record IntValue(long[] Data, int Rank);

        private sealed class CannotEvaluate(string message) : Exception(message);

        /// <summary>The value of <paramref name="tensor"/>, evaluated once and remembered.</summary>
        private IntValue Value(string tensor, int depth)
        {
            if (_values.TryGetValue(tensor, out IntValue? known)) return known;
            if (depth > MaxDepth) throw new CannotEvaluate($"the computation of '{OnnxGraphReader.Cut(tensor)}' is more than {MaxDepth} nodes deep");
            IntValue value = Compute(tensor, depth);
            if (value.Data.Length > MaxValues) throw new CannotEvaluate($"'{OnnxGraphReader.Cut(tensor)}' holds more than the {MaxValues} integers a shape computation may hold");
            _values[tensor] = value;
            return value;
        }

        private IntValue Compute(string tensor, int depth)
        {
            if (_model.IsConstant(tensor))
            {
                Tensor constant = _model.ConstantTensor(tensor)!;
                if (constant.DType is not (DType.I64 or DType.I32)) throw new CannotEvaluate($"'{OnnxGraphReader.Cut(tensor)}' holds {constant.DType.Name()} values, not integers");
                if (constant.ElementCount > MaxValues) throw new CannotEvaluate($"'{OnnxGraphReader.Cut(tensor)}' holds more than the {MaxValues} integers a shape computation may hold");
                return new IntValue(constant.ToInt64(), constant.Rank);
            }

            if (!_producer.TryGetValue(tensor, out NodeProto? node)) throw new CannotEvaluate($"'{OnnxGraphReader.Cut(tensor)}' is neither a constant nor computed from one");
            string op = node.OpType;
            int needed = op switch { "Constant" => 0, "Gather" => 2, _ => 1 };
            if (node.Input.Count(i => i.Length > 0) < needed) throw new CannotEvaluate($"{OnnxGraphReader.Cut(op)} '{OnnxGraphReader.Cut(node.Name)}' has {node.Input.Count} inputs");
            switch (op)
            {
                case "Constant":
                {
                    AttributeProto? ints = node.Attribute.FirstOrDefault(a => a.Name == "value_ints");
                    if (ints != null) return new IntValue(ints.Ints.ToArray(), 1);
                    AttributeProto? one = node.Attribute.FirstOrDefault(a => a.Name == "value_int");
                    if (one != null) return new IntValue(new[] { one.I }, 0);
                    throw new CannotEvaluate($"Constant '{OnnxGraphReader.Cut(node.Name)}' holds no integers");
                }

                case "Shape":
                {
                    int[] shape = _shapeOf(node.Input[0]) ?? throw new CannotEvaluate($"the shape of '{node.Input[0]}' is not known");
                    long start = Attr(node, "start", 0), end = Attr(node, "end", shape.Length);
                    if (start < 0) start += shape.Length;
                    if (end < 0) end += shape.Length;
                    start = Math.Clamp(start, 0, shape.Length);
                    end = Math.Clamp(end, start, shape.Length);
                    return new IntValue(shape.Skip((int)start).Take((int)(end - start)).Select(d => (long)d).ToArray(), 1);
                }

                case "Identity":
                case "Cast":
                    return Value(node.Input[0], depth + 1);

                case "Gather":
                {
                    IntValue data = Value(node.Input[0], depth + 1);
                    IntValue indices = Value(node.Input[1], depth + 1);
                    if (data.Rank != 1 || Attr(node, "axis", 0) != 0) throw new CannotEvaluate($"Gather '{OnnxGraphReader.Cut(node.Name)}' is not a lookup in a vector");
                    long[] picked = indices.Data.Select(i => i < 0 ? i + data.Data.Length : i).ToArray();
                    if (picked.Any(i => i < 0 || i >= data.Data.Length)) throw new CannotEvaluate($"Gather '{OnnxGraphReader.Cut(node.Name)}' indexes out of range");
                    return new IntValue(picked.Select(i => data.Data[i]).ToArray(), indices.Rank);
                }

                case "Unsqueeze":
                {
                    IntValue data = Value(node.Input[0], depth + 1);
                    if (data.Rank == 0) return new IntValue(data.Data, 1);
                    throw new CannotEvaluate($"Unsqueeze '{OnnxGraphReader.Cut(node.Name)}' of a vector");
                }

                case "Squeeze":
                {
                    IntValue data = Value(node.Input[0], depth + 1);
                    if (data.Rank == 1 && data.Data.Length == 1) return new IntValue(data.Data, 0);
                    throw new CannotEvaluate($"Squeeze '{OnnxGraphReader.Cut(node.Name)}' of more than one value");
                }

                case "Concat":
                {
                    var parts = new List<IntValue>();
                    long total = 0;
                    foreach (string input in node.Input.Where(i => i.Length > 0))
                    {
                        IntValue part = Value(input, depth + 1);
                        if (part.Rank != 1) throw new CannotEvaluate($"Concat '{OnnxGraphReader.Cut(node.Name)}' of other than vectors");
                        total += part.Data.Length;
                        if (total > MaxValues) throw new CannotEvaluate($"Concat '{OnnxGraphReader.Cut(node.Name)}' holds more than the {MaxValues} integers a shape computation may hold");
                        parts.Add(part);
                    }

                    return new IntValue(parts.SelectMany(p => p.Data).ToArray(), 1);
                }

                default:
                    throw new CannotEvaluate($"{op} '{OnnxGraphReader.Cut(node.Name)}' is not an operator Relucent evaluates for shapes (Constant, Shape, Gather, Unsqueeze, Squeeze, Concat, Cast, Identity)");
            }
        }

        private static long Attr(NodeProto node, string name, long fallback) =>
            node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.I : fallback;
    }
}
