using Onnx;

namespace Relucent
{
    /// <summary>
    /// Evaluates the small integer computations exporters build for a Reshape's target shape
    /// (<c>Shape → Gather → Unsqueeze → Concat</c>, or a Constant), given the shapes of the chain's tensors with batch 1.
    /// </summary>
    internal sealed class StaticShapes
    {
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

        private IntValue Value(string tensor, int depth)
        {
            if (depth > 64) throw new CannotEvaluate($"the computation of '{tensor}' is too deep");
            Tensor? constant = _model.ConstantTensor(tensor);
            if (constant != null)
            {
                if (constant.DType is not (DType.I64 or DType.I32)) throw new CannotEvaluate($"'{tensor}' holds {constant.DType.Name()} values, not integers");
                return new IntValue(constant.ToInt64(), constant.Rank);
            }

            if (!_producer.TryGetValue(tensor, out NodeProto? node)) throw new CannotEvaluate($"'{tensor}' is neither a constant nor computed from one");
            string op = node.OpType;
            switch (op)
            {
                case "Constant":
                {
                    AttributeProto? ints = node.Attribute.FirstOrDefault(a => a.Name == "value_ints");
                    if (ints != null) return new IntValue(ints.Ints.ToArray(), 1);
                    AttributeProto? one = node.Attribute.FirstOrDefault(a => a.Name == "value_int");
                    if (one != null) return new IntValue(new[] { one.I }, 0);
                    throw new CannotEvaluate($"Constant '{node.Name}' holds no integers");
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
                    if (data.Rank != 1 || Attr(node, "axis", 0) != 0) throw new CannotEvaluate($"Gather '{node.Name}' is not a lookup in a vector");
                    long[] picked = indices.Data.Select(i => i < 0 ? i + data.Data.Length : i).ToArray();
                    if (picked.Any(i => i < 0 || i >= data.Data.Length)) throw new CannotEvaluate($"Gather '{node.Name}' indexes out of range");
                    return new IntValue(picked.Select(i => data.Data[i]).ToArray(), indices.Rank);
                }

                case "Unsqueeze":
                {
                    IntValue data = Value(node.Input[0], depth + 1);
                    if (data.Rank == 0) return new IntValue(data.Data, 1);
                    throw new CannotEvaluate($"Unsqueeze '{node.Name}' of a vector");
                }

                case "Squeeze":
                {
                    IntValue data = Value(node.Input[0], depth + 1);
                    if (data.Rank == 1 && data.Data.Length == 1) return new IntValue(data.Data, 0);
                    throw new CannotEvaluate($"Squeeze '{node.Name}' of more than one value");
                }

                case "Concat":
                {
                    var parts = node.Input.Where(i => i.Length > 0).Select(i => Value(i, depth + 1)).ToList();
                    if (parts.Any(p => p.Rank != 1)) throw new CannotEvaluate($"Concat '{node.Name}' of other than vectors");
                    return new IntValue(parts.SelectMany(p => p.Data).ToArray(), 1);
                }

                default:
                    throw new CannotEvaluate($"{op} '{node.Name}' is not an operator Relucent evaluates for shapes (Constant, Shape, Gather, Unsqueeze, Squeeze, Concat, Cast, Identity)");
            }
        }

        private static long Attr(NodeProto node, string name, long fallback) =>
            node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.I : fallback;
    }
}
