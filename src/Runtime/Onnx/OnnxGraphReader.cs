using System.Globalization;
using Onnx;
using Relucent.Model;

namespace Relucent
{
    /// <summary>
    /// Walks an ONNX graph from its input to its output and reads each node as a Relucent layer. The graph must be a
    /// chain of layers and blocks: where a tensor feeds several nodes, their branches must meet at one node, an
    /// <c>Add</c> (a residual block <c>y = f(x) + x</c>, or <c>f(x) + g(x)</c> with a projection shortcut) or a
    /// <c>Concat</c> along the channels (parallel branches). Nodes that only compute shapes (Shape, Constant, Gather, …)
    /// are set aside and evaluated when a Reshape needs them.
    /// </summary>
    internal sealed class OnnxGraphReader
    {
        /// <summary>The operators read, for messages.</summary>
        public const string SupportedOperators =
            "Conv, Relu, Tanh, Sigmoid, MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool, BatchNormalization, Flatten, Reshape (to [N, -1]), "
            + "Gemm, MatMul (+ Add of a bias), Add (residual), Concat (of branches, on channels), Softmax, Dropout, Identity";

        private readonly OnnxModel _model;
        private readonly Dictionary<string, NodeProto> _producer = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<NodeProto>> _consumers = new(StringComparer.Ordinal);
        private readonly HashSet<NodeProto> _static = new(ReferenceEqualityComparer.Instance);
        private readonly HashSet<NodeProto> _used = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<NodeProto, int> _order = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<string, int[]> _shapes = new(StringComparer.Ordinal);
        private readonly StaticShapes _statics;
        private readonly PostDominators _dominators;

        private OnnxGraphReader(OnnxModel model)
        {
            _model = model;
            for (int i = 0; i < model.Nodes.Count; i++)
            {
                NodeProto node = model.Nodes[i];
                _order[node] = i;
                foreach (string output in node.Output.Where(o => o.Length > 0)) _producer[output] = node;
            }

            // Nodes computing only from constants and shapes are not layers: they feed a Reshape's target shape.
            foreach (NodeProto node in model.Nodes)
            {
                bool isStatic = node.OpType is "Constant" or "Shape" or "Size" or "ConstantOfShape"
                    || (node.Input.Any(i => i.Length > 0) && node.Input.Where(i => i.Length > 0).All(IsConstant));
                if (isStatic)
                {
                    _static.Add(node);
                    continue;
                }

                foreach (string input in node.Input.Where(i => i.Length > 0).Distinct())
                {
                    if (!_consumers.TryGetValue(input, out List<NodeProto>? list)) _consumers[input] = list = new List<NodeProto>();
                    list.Add(node);
                }
            }

            _statics = new StaticShapes(model, _producer, name => _shapes.TryGetValue(name, out int[]? s) ? s : null);
            _dominators = new PostDominators(Successors(), budget => new NotSupportedException(
                $"ONNX model{model.Describe()}: the graph's branches cross one another too often to be read as blocks (more than {budget} steps finding where they meet)."));
        }

        /// <summary>For each node (by its index in <see cref="OnnxModel.Nodes"/>), the layer nodes reading its outputs, and the end for the graph's output or a tensor nothing reads.</summary>
        private int[][] Successors()
        {
            int end = _model.Nodes.Count;
            var successors = new int[end][];
            var next = new List<int>();
            for (int v = 0; v < end; v++)
            {
                NodeProto node = _model.Nodes[v];
                next.Clear();
                if (!_static.Contains(node))
                {
                    foreach (string output in node.Output)
                    {
                        if (output.Length == 0) continue;
                        if (output == _model.OutputName) next.Add(end);
                        if (_consumers.TryGetValue(output, out List<NodeProto>? readers)) next.AddRange(readers.Select(r => _order[r]));
                    }
                }

                successors[v] = next.ToArray();
            }

            return successors;
        }

        /// <summary>Reads the whole graph: the input shape and the layers from input to output.</summary>
        public static (Shape Input, List<ImportedLayer> Layers) Read(OnnxModel model)
        {
            ArgumentNullException.ThrowIfNull(model);
            var reader = new OnnxGraphReader(model);
            IReadOnlyList<int> dims = model.InputShape;
            Shape input = dims.Count == 3 ? Shape.Image(dims[0], dims[1], dims[2]) : Shape.Vector(dims[0]);
            LayerError? error = ShapeRules.CheckInput(input);
            if (error != null) throw new NotSupportedException($"ONNX model{model.Describe()}: {error.Message}");
            List<ImportedLayer> layers = reader.ReadChain(model.InputName, input);

            var unused = model.Nodes.Where(n => !reader._static.Contains(n) && !reader._used.Contains(n)).ToList();
            if (unused.Count > 0)
            {
                throw new NotSupportedException(
                    $"ONNX model{model.Describe()}: {Describe(unused.Count, "node")} lie off the chain from the input '{model.InputName}' to the output '{model.OutputName}': "
                    + string.Join(", ", unused.Take(5).Select(Source)) + (unused.Count > 5 ? ", …" : "")
                    + ". Relucent reads a chain of layers and blocks (branches from one tensor meeting at an Add or a Concat).");
            }

            return (input, layers);
        }

        /// <summary>How messages name a node: <c>Conv '/0/Conv'</c>, or by its output when it has no name.</summary>
        public static string Source(NodeProto node) =>
            string.IsNullOrEmpty(node.Name)
                ? $"{Cut(node.OpType)} (output '{Cut(node.Output.FirstOrDefault() ?? string.Empty)}')"
                : $"{Cut(node.OpType)} '{Cut(node.Name)}'";

        /// <summary>A name from the file, cut to 200 characters: the file's text, so a message cannot grow with it.</summary>
        internal static string Cut(string name) => name.Length <= 200 ? name : name[..200] + "…";

        private bool IsConstant(string tensor) =>
            _model.IsConstant(tensor) || (_producer.TryGetValue(tensor, out NodeProto? p) && _static.Contains(p));

        private IEnumerable<NodeProto> Consumers(string tensor) =>
            _consumers.TryGetValue(tensor, out List<NodeProto>? list) ? list.Where(n => !_used.Contains(n)) : Enumerable.Empty<NodeProto>();

        private static int[] Full(Shape shape) => shape.IsImage ? new[] { 1, shape.Channels, shape.Height, shape.Width } : new[] { 1, shape.Channels };

        /// <summary>
        /// One chain being read: the whole graph's, or one chain of a block, from the block's input until it reaches
        /// <see cref="End"/>.
        /// </summary>
        private sealed class Chain(Block? block, string start, string? end, HashSet<NodeProto>? starts, int[] prefix, Shape shape)
        {
            public List<ImportedLayer> Layers { get; } = new();

            /// <summary>The block the chain belongs to, or null for the graph's.</summary>
            public Block? Block { get; } = block;

            /// <summary>The tensor the chain starts from.</summary>
            public string Start { get; } = start;

            /// <summary>The tensor the chain ends at (an input of its block's Add or Concat), or null for the graph's output.</summary>
            public string? End { get; } = end;

            /// <summary>The nodes reading <see cref="Start"/> that begin this chain (its siblings begin with the others), or null for any.</summary>
            public HashSet<NodeProto>? Starts { get; } = starts;

            /// <summary>The path of the chain's layers: empty for the graph, the block's path and the chain's index for a block's chain.</summary>
            public int[] Prefix { get; } = prefix;

            /// <summary>The shape of the tensor being read.</summary>
            public Shape Shape { get; set; } = shape;
        }

        /// <summary>
        /// A block being read: parallel chains from one tensor, joined by an <c>Add</c> (a residual block, its shortcut the
        /// identity or a chain of its own) or a <c>Concat</c> along the channels.
        /// </summary>
        private sealed class Block(string input, Shape shape, NodeProto join, List<(string End, HashSet<NodeProto> Starts)> ends, int[] path)
        {
            /// <summary>The tensor every chain starts from.</summary>
            public string Input { get; } = input;

            /// <summary>Its shape.</summary>
            public Shape Shape { get; } = shape;

            /// <summary>The Add or Concat joining the chains.</summary>
            public NodeProto Join { get; } = join;

            /// <summary>Each chain's end (<see cref="Input"/> itself for an identity chain) and the nodes it begins with, in the block's order.</summary>
            public List<(string End, HashSet<NodeProto> Starts)> Ends { get; } = ends;

            /// <summary>The block's path in its enclosing chain.</summary>
            public int[] Path { get; } = path;

            /// <summary>The chains read so far.</summary>
            public List<List<ImportedLayer>> Done { get; } = new();

            /// <summary>The next chain to read, from the block's input.</summary>
            public Chain Next()
            {
                (string end, HashSet<NodeProto> starts) = Ends[Done.Count];
                return new Chain(this, Input, end, starts, Path.Append(Done.Count).ToArray(), Shape);
            }
        }

        /// <summary>
        /// Reads the chain from <paramref name="input"/> to the graph's output, with an explicit stack of open chains
        /// instead of recursion, so a deep graph cannot overflow the call stack: a block nesting deeper than
        /// <see cref="Limits.MaxNesting"/>, or a network of more than <see cref="Limits.MaxLayers"/> layers, is refused as
        /// soon as it is met. Where a tensor feeds several nodes, <see cref="FindJoin"/> finds the node where its branches
        /// meet, and each branch is read as a chain of the block; every node is read once, and finding the joins costs
        /// about one step per node and block (<see cref="PostDominators"/>).
        /// </summary>
        private List<ImportedLayer> ReadChain(string input, Shape shape)
        {
            var open = new Stack<Chain>();
            open.Push(new Chain(null, input, null, null, Array.Empty<int>(), shape));
            string cur = input;
            int count = 0, blocks = 0;
            while (true)
            {
                Chain chain = open.Peek();
                _shapes[cur] = Full(chain.Shape);
                if (cur == (chain.End ?? _model.OutputName))
                {
                    if (chain.Block is not Block block) return chain.Layers;

                    // The chain is complete: read the block's next chain, or close the block in the enclosing chain.
                    open.Pop();
                    block.Done.Add(chain.Layers);
                    if (block.Done.Count < block.Ends.Count)
                    {
                        open.Push(block.Next());
                        cur = block.Input;
                        continue;
                    }

                    blocks--;
                    Append(open.Peek(), Close(block), ref count);
                    cur = block.Join.Output[0];
                    continue;
                }

                List<NodeProto> consumers = Consumers(cur, chain).ToList();
                if (consumers.Count == 0)
                {
                    throw new NotSupportedException(chain.Block == null
                        ? $"ONNX model{_model.Describe()}: the tensor '{Cut(cur)}' leads nowhere: nothing reads it and it is not the output '{Cut(_model.OutputName)}'."
                        : $"ONNX model{_model.Describe()}: the branch from '{Cut(chain.Start)}' ends at '{Cut(cur)}' without reaching '{Cut(chain.End!)}', an input of {Source(chain.Block.Join)}.");
                }

                if (consumers.Count > 1 || consumers[0].Input.Count(i => i == cur) > 1)
                {
                    if (blocks >= Limits.MaxNesting)
                    {
                        throw new NotSupportedException(
                            $"ONNX model{_model.Describe()}: the tensor '{Cut(cur)}' opens a block nested {blocks + 1} deep, more than the {Limits.MaxNesting} levels a network may nest (Limits.MaxNesting).");
                    }

                    Block block = Open(cur, chain, consumers);
                    blocks++;
                    open.Push(block.Next());
                    continue;
                }

                NodeProto node = consumers[0];
                _used.Add(node);
                (ImportedLayer? layer, string next) = Convert(node, cur, chain.Shape);
                if (layer != null) Append(chain, layer, ref count);
                cur = next;
            }
        }

        /// <summary>The unread nodes reading <paramref name="tensor"/>; at a block chain's start, only those beginning that chain.</summary>
        private IEnumerable<NodeProto> Consumers(string tensor, Chain chain) =>
            chain.Starts != null && tensor == chain.Start ? Consumers(tensor).Where(chain.Starts.Contains) : Consumers(tensor);

        /// <summary>
        /// Opens the block whose chains start at <paramref name="input"/> with <paramref name="starts"/>: finds the node
        /// joining them (see <see cref="FindJoin"/>), checks it is an <c>Add</c> or a channel <c>Concat</c>, and sorts the
        /// starts by the join input each leads to (the input whose producer post-dominates it). A residual block's longer
        /// chain is its branch, the shorter its shortcut (torchvision's <c>downsample</c>); a concatenation keeps the
        /// Concat's order.
        /// </summary>
        private Block Open(string input, Chain chain, List<NodeProto> starts)
        {
            NodeProto join = FindJoin(input, starts);
            List<string> inputs = JoinInputs(join, input, chain.Shape);
            int depth = _dominators.Depth(_order[join]);
            var ends = new List<(string End, HashSet<NodeProto> Starts, int Size)>();
            var grouped = new HashSet<NodeProto>(ReferenceEqualityComparer.Instance);
            foreach (string end in inputs)
            {
                var group = new HashSet<NodeProto>(ReferenceEqualityComparer.Instance);
                if (end == input)
                {
                    ends.Add((end, group, 0));
                    continue;
                }

                if (ends.Any(e => e.End == end)) throw Unsupported(join, $"it joins '{Cut(end)}' with itself; Relucent's blocks join separate branches");
                int producer = _producer.TryGetValue(end, out NodeProto? p) && !_static.Contains(p) ? _order[p] : -1;
                int size = 0;
                foreach (NodeProto start in starts)
                {
                    int at = _order[start];
                    if (producer < 0 || !_dominators.Dominates(producer, at)) continue;
                    group.Add(start);
                    grouped.Add(start);
                    size = Math.Max(size, _dominators.Depth(at) - depth);
                }

                ends.Add((end, group, size));
            }

            NodeProto? astray = starts.FirstOrDefault(s => !grouped.Contains(s) && s != join);
            if (astray != null)
            {
                throw Unsupported(join, $"the branches from '{Cut(input)}' cross: {Source(astray)} leads to more than one of its inputs; Relucent reads blocks whose branches are separate chains");
            }

            foreach ((string end, HashSet<NodeProto> group, _) in ends)
            {
                if (group.Count == 0 && end != input) throw Unsupported(join, $"its input '{Cut(end)}' does not come from the branches of '{Cut(input)}'");
            }

            if (join.OpType == "Add")
            {
                // y = f(x) + x reads one chain (the identity needs none); y = f(x) + g(x) reads the branch, then the shortcut.
                if (ends[0].End == input || (ends[1].End != input && ends[1].Size > ends[0].Size)) ends.Reverse();
                if (ends[1].End == input) ends.RemoveAt(1);
            }

            _used.Add(join);
            return new Block(input, chain.Shape, join, ends.Select(e => (e.End, e.Starts)).ToList(), NextPath(chain));
        }

        /// <summary>
        /// The node where the branches from <paramref name="input"/> beginning with <paramref name="starts"/> meet: their
        /// nearest common post-dominator, the first node every path from them passes through. When they meet only at the
        /// graph's end, says why: a branch reaching the output on its own, or leading nowhere.
        /// </summary>
        private NodeProto FindJoin(string input, List<NodeProto> starts)
        {
            int join = _dominators.Join(starts.Select(s => _order[s]));
            if (join != _dominators.Exit) return _model.Nodes[join];
            foreach (NodeProto start in starts.Take(2))
            {
                int last = _order[start];
                while (_dominators.Parent(last) != _dominators.Exit) last = _dominators.Parent(last);
                NodeProto node = _model.Nodes[last];
                if (node.Output.Contains(_model.OutputName))
                {
                    throw new NotSupportedException(
                        $"ONNX model{_model.Describe()}: the graph's output '{Cut(_model.OutputName)}' comes out of {Source(node)} on one of the branches from '{Cut(input)}' before they meet; Relucent reads a chain of layers ending at the output.");
                }

                if (node.Output.All(o => o.Length == 0 || !_consumers.ContainsKey(o)))
                {
                    throw new NotSupportedException(
                        $"ONNX model{_model.Describe()}: the tensor '{Cut(node.Output.FirstOrDefault() ?? string.Empty)}' of {Source(node)}, on a branch from '{Cut(input)}', leads nowhere: nothing reads it and it is not the output '{Cut(_model.OutputName)}'.");
                }
            }

            throw new NotSupportedException($"ONNX model{_model.Describe()}: the branches from '{Cut(input)}' never meet.");
        }

        /// <summary>The inputs of <paramref name="join"/>, checked to be an Add of two tensors or a Concat of two to four along the channels.</summary>
        private List<string> JoinInputs(NodeProto join, string input, Shape shape)
        {
            string why = $"the branches from '{Cut(input)}' meet at {Source(join)}; Relucent joins branches with Add (a residual block) or Concat along the channels (parallel branches)";
            if (!OnnxModel.IsDefaultDomain(join) || join.OpType is not ("Add" or "Concat")) throw Unsupported(join, why);
            if (join.Output.Count == 0 || join.Output[0].Length == 0) throw Invalid(join, "it has no output");
            Single(join);
            var inputs = join.Input.ToList();
            if (inputs.Any(i => i.Length == 0 || IsConstant(i)))
            {
                throw Unsupported(join, $"it joins the branches from '{Cut(input)}' with a constant; Relucent's blocks join branches only");
            }

            if (join.OpType == "Add")
            {
                if (inputs.Count != 2) throw Invalid(join, $"it has {inputs.Count} inputs; Add takes two");
                return inputs;
            }

            if (!shape.IsImage) throw Unsupported(join, $"it concatenates the vectors {shape}; Relucent's Concat joins images along the channels");
            long axis = Int(join, "axis", long.MinValue);
            if (axis is not (1 or -3)) throw UnsupportedAttribute(join, "axis", axis == long.MinValue ? "(none)" : axis.ToString(CultureInfo.InvariantCulture), "Concat joins branches along the channels (axis 1)");
            if (inputs.Count is < 2 or > MaxConcatBranches)
            {
                throw Unsupported(join, $"it concatenates {inputs.Count} tensors; Relucent's Concat takes 2 to {MaxConcatBranches} branches");
            }

            return inputs;
        }

        /// <summary>The most branches <see cref="ConcatLayer"/> takes.</summary>
        private const int MaxConcatBranches = 4;

        /// <summary>The block's layer from its chains: a residual block (with its shortcut when it has one) or a concatenation.</summary>
        private static ImportedLayer Close(Block block)
        {
            EquatableArray<Layer> Chain(int b) => new(block.Done[b].Select(l => l.Layer));
            Layer layer = block.Join.OpType == "Add"
                ? new ResidualLayer(Chain(0)) { Shortcut = block.Done.Count > 1 ? Chain(1) : EquatableArray<Layer>.Empty }
                : new ConcatLayer(new EquatableArray<EquatableArray<Layer>>(Enumerable.Range(0, block.Done.Count).Select(Chain)));
            return ImportedLayer.Block(layer, block.Join, Source(block.Join), block.Done);
        }

        private static int[] NextPath(Chain chain) => chain.Prefix.Append(chain.Layers.Count).ToArray();

        /// <summary>Checks <paramref name="layer"/> against the chain's shape and appends it, counting it against <see cref="Limits.MaxLayers"/>.</summary>
        private void Append(Chain chain, ImportedLayer layer, ref int count)
        {
            if (++count > Limits.MaxLayers)
            {
                throw new NotSupportedException(
                    $"ONNX model{_model.Describe()}: {layer.Source} is layer {count}, more than the {Limits.MaxLayers} layers a network may hold (Limits.MaxLayers).");
            }

            LayerError? error = ShapeRules.Check(layer.Layer, chain.Shape, NextPath(chain), out Shape after);
            if (error != null) throw new InvalidDataException($"ONNX model{_model.Describe()}: {layer.Source}: {error.Message}");
            chain.Shape = after;
            chain.Layers.Add(layer);
        }

        private (ImportedLayer? Layer, string Output) Convert(NodeProto node, string cur, Shape shape)
        {
            if (!OnnxModel.IsDefaultDomain(node))
            {
                throw Unsupported(node, $"its domain '{node.Domain}' is not the standard ONNX operator set; supported operators: {SupportedOperators}");
            }

            if (node.OpType is "Add" or "Concat" && node.Input.FirstOrDefault(i => i.Length > 0 && i != cur && !IsConstant(i)) is string other)
            {
                throw Unsupported(node, $"it joins '{Cut(cur)}' with '{Cut(other)}', which does not branch from the same tensor; Relucent reads a block's branches from one tensor to the Add or Concat joining them");
            }

            if (node.Input.Count == 0 || node.Input[0] != cur)
            {
                throw Unsupported(node, $"it reads '{cur}' as other than its first input; Relucent reads a chain of layers");
            }

            foreach (string extra in node.Input.Skip(1).Where(i => i.Length > 0 && !IsConstant(i)))
            {
                throw Unsupported(node, $"its input '{extra}' is computed in the graph; Relucent reads weights from initialisers and constants");
            }

            switch (node.OpType)
            {
                case "Relu": return (Make(node, new ReLULayer()), Single(node));
                case "Tanh": return (Make(node, new TanhLayer()), Single(node));
                case "Sigmoid": return (Make(node, new SigmoidLayer()), Single(node));
                case "Identity": return (null, Single(node));
                case "Dropout": return (null, Single(node));
                case "Conv": return Conv(node, shape);
                case "MaxPool":
                case "AveragePool": return Pool(node, shape);
                case "GlobalAveragePool":
                case "GlobalMaxPool": return GlobalPool(node, shape);
                case "BatchNormalization": return BatchNorm(node, shape);
                case "Flatten": return Flatten(node, shape);
                case "Reshape": return Reshape(node, shape);
                case "Gemm": return Gemm(node, shape);
                case "MatMul": return MatMul(node, shape);
                case "Softmax": return Softmax(node, shape);
                case "Add":
                    throw Unsupported(node, "it adds a constant to something other than a MatMul's output; Relucent reads Add as a Dense bias (after MatMul) or as the sum closing a residual block");
                case "Concat":
                    throw Unsupported(node, "it concatenates constants; Relucent reads Concat as parallel branches from one tensor");
                default:
                    throw Unsupported(node, $"the operator {node.OpType} is not supported; supported operators: {SupportedOperators}");
            }
        }

        // ---- one method per operator ------------------------------------------------------------------------------

        private (ImportedLayer?, string) Conv(NodeProto node, Shape shape)
        {
            RequireImage(node, shape);
            Tensor w = Param(node, 1, "W");
            if (w.Rank != 4) throw Invalid(node, $"its weight '{node.Input[1]}' has shape {Tensor.FormatShape(w.Shape)}; a 2-D convolution's is [filters, channels / group, kh, kw]");
            long group = Int(node, "group", 1);
            if (group < 1 || group > int.MaxValue) throw Invalid(node, $"group = {group} is out of range; it runs from 1 to {int.MaxValue}");
            long[] kernel = Sizes(node, "kernel_shape", 1) ?? new long[] { w.Shape[2], w.Shape[3] };
            if (kernel.Length != 2) throw UnsupportedAttribute(node, "kernel_shape", Format(kernel), "Conv2D is 2-D");
            if (kernel[0] != kernel[1]) throw UnsupportedAttribute(node, "kernel_shape", Format(kernel), "Conv2D takes a square kernel");
            if (kernel[0] != w.Shape[2] || kernel[1] != w.Shape[3]) throw Invalid(node, $"kernel_shape {Format(kernel)} disagrees with its weight {Tensor.FormatShape(w.Shape)}");
            int stride = EqualPair(node, "strides", 1, "Conv2D takes one stride for both axes");
            long[]? dilations = Sizes(node, "dilations", 1);
            if (dilations != null && dilations.Any(d => d != 1)) throw UnsupportedAttribute(node, "dilations", Format(dilations), "Conv2D has no dilation (dilations = 1)");
            Padding padding = Pads(node, (int)kernel[0], stride, shape);
            if (shape.Channels % group != 0 || w.Shape[0] % group != 0)
            {
                throw Invalid(node, $"group = {group} does not divide both its input channels ({shape.Channels}) and its filters ({w.Shape[0]})");
            }

            if ((long)w.Shape[1] * group != shape.Channels)
            {
                string per = group == 1 ? string.Empty : $" per group of {group}";
                throw Invalid(node, $"its weight {Tensor.FormatShape(w.Shape)} takes {w.Shape[1]} channels{per}; its input {shape} has {shape.Channels}");
            }

            var layer = Make(node, new Conv2DLayer(w.Shape[0], (int)kernel[0], stride, padding, Bias: Has(node, 2)) { Groups = (int)group });
            layer.Parameters[ParameterRole.Weight] = new(node.Input[1], w, false);
            if (Has(node, 2)) layer.Parameters[ParameterRole.Bias] = new(node.Input[2], Vector(node, 2, "B", w.Shape[0]), false);
            return (layer, Single(node));
        }

        private (ImportedLayer?, string) Pool(NodeProto node, Shape shape)
        {
            RequireImage(node, shape);
            bool max = node.OpType == "MaxPool";
            string call = max ? "MaxPool" : "AvgPool";
            if (node.Output.Count > 1 && node.Output[1].Length > 0 && _consumers.ContainsKey(node.Output[1]))
            {
                throw Unsupported(node, "its second output (the argmax indices) is read; Relucent's MaxPool has one output");
            }

            long[] kernel = Sizes(node, "kernel_shape", 1) ?? throw Invalid(node, "it has no kernel_shape");
            if (kernel.Length != 2) throw UnsupportedAttribute(node, "kernel_shape", Format(kernel), "pooling is 2-D");
            if (kernel[0] != kernel[1]) throw UnsupportedAttribute(node, "kernel_shape", Format(kernel), "pooling takes a square kernel");
            int k = (int)kernel[0];
            int stride = EqualPair(node, "strides", 1, "pooling takes one stride for both axes");
            long[]? dilations = Sizes(node, "dilations", 1);
            if (dilations != null && dilations.Any(d => d != 1)) throw UnsupportedAttribute(node, "dilations", Format(dilations), "pooling has no dilation");
            Padding padding = Pads(node, k, stride, shape);
            int largest = Math.Max(Math.Max(padding.Top, padding.Left), Math.Max(padding.Bottom, padding.Right));
            if (largest > k / 2)
            {
                throw Unsupported(node, $"it pads {largest} on a side with a kernel of {k}; {call} pads at most half its kernel on each side, as PyTorch does");
            }

            if (!max && !padding.IsZero && Int(node, "count_include_pad", 0) == 0)
            {
                throw UnsupportedAttribute(node, "count_include_pad", "0", "AvgPool counts the zero padding in each window's mean, as PyTorch's default count_include_pad=True does (count_include_pad = 1)");
            }

            bool ceil = Int(node, "ceil_mode", 0) != 0 && RoundingUpMatters(node, shape, k, stride, padding, max);
            Layer layer = max ? new MaxPoolLayer(k, stride) { Padding = padding, CeilMode = ceil } : new AvgPoolLayer(k, stride) { Padding = padding };
            return (Make(node, layer), First(node));
        }

        /// <summary>
        /// Whether <c>ceil_mode = 1</c> changes this pooling's output size; refuses it where Relucent cannot follow: on
        /// AveragePool (AvgPool rounds down), and where ONNX's plain ceiling and PyTorch's (the last window must start
        /// inside the input or its leading padding) give different sizes.
        /// </summary>
        private bool RoundingUpMatters(NodeProto node, Shape shape, int kernel, int stride, Padding padding, bool max)
        {
            bool matters = false;
            foreach ((int size, int before, int after, string axis) in new[] { (shape.Height, padding.Top, padding.Bottom, "height"), (shape.Width, padding.Left, padding.Right, "width") })
            {
                long span = (long)size + before + after - kernel;
                if (span < 0) return false; // the shape rule names the kernel that does not fit
                long down = span / stride + 1, plain = (span + stride - 1) / stride + 1;
                if (plain == down) continue;
                matters = true;
                if (!max)
                {
                    throw UnsupportedAttribute(node, "ceil_mode", "1", $"rounding up changes the output size of this {shape.Height}×{shape.Width} input; Relucent's AvgPool rounds down, as PyTorch's default does");
                }

                WindowArithmetic.TryOutputSize(size, kernel, stride, before, after, ceilMode: true, out int pytorch);
                if (pytorch != plain)
                {
                    throw UnsupportedAttribute(node, "ceil_mode", "1", $"rounding up gives {plain} windows along the {axis}, the last starting in the padding past the input; PyTorch's rule, which MaxPool follows, drops that window ({pytorch})");
                }
            }

            return matters;
        }

        private (ImportedLayer?, string) GlobalPool(NodeProto node, Shape shape)
        {
            RequireImage(node, shape);
            if (node.OpType == "GlobalAveragePool") return (Make(node, new AdaptiveAvgPoolLayer(1)), Single(node));
            if (shape.Height != shape.Width)
            {
                throw Unsupported(node, $"its input {shape} is not square; Relucent's MaxPool takes a square kernel");
            }

            return (Make(node, new MaxPoolLayer(shape.Height, shape.Height)), Single(node));
        }

        private (ImportedLayer?, string) BatchNorm(NodeProto node, Shape shape)
        {
            if (node.Output.Skip(1).Any(o => o.Length > 0 && _consumers.ContainsKey(o)))
            {
                throw Unsupported(node, "its running statistics outputs are read (training mode); Relucent's BatchNorm is the eval-mode affine map");
            }

            if (node.Input.Count < 5 || node.Input.Take(5).Any(i => i.Length == 0))
            {
                throw Invalid(node, $"it has {node.Input.Count} inputs; BatchNormalization takes X, scale, B, input_mean and input_var");
            }

            if (Int(node, "training_mode", 0) != 0) throw UnsupportedAttribute(node, "training_mode", "1", "Relucent's BatchNorm runs in eval mode");
            if (Int(node, "spatial", 1) != 1) throw UnsupportedAttribute(node, "spatial", "0", "Relucent's BatchNorm normalises per channel");
            double eps = Float(node, "epsilon", 1e-5);
            int channels = shape.Channels;
            var layer = Make(node, new BatchNormLayer(eps));
            layer.Parameters[ParameterRole.Weight] = new(node.Input[1], Vector(node, 1, "scale", channels), false);
            layer.Parameters[ParameterRole.Bias] = new(node.Input[2], Vector(node, 2, "B", channels), false);
            layer.Parameters[ParameterRole.RunningMean] = new(node.Input[3], Vector(node, 3, "input_mean", channels), false);
            layer.Parameters[ParameterRole.RunningVar] = new(node.Input[4], Vector(node, 4, "input_var", channels), false);
            return (layer, First(node));
        }

        private (ImportedLayer?, string) Flatten(NodeProto node, Shape shape)
        {
            int rank = shape.IsImage ? 4 : 2;
            long axis = Int(node, "axis", 1);
            if ((axis < 0 ? axis + rank : axis) != 1)
            {
                throw UnsupportedAttribute(node, "axis", axis.ToString(CultureInfo.InvariantCulture), "Flatten keeps the batch dimension and flattens the rest (axis = 1)");
            }

            return (Make(node, new FlattenLayer()), Single(node));
        }

        private (ImportedLayer?, string) Reshape(NodeProto node, Shape shape)
        {
            if (node.Input.Count < 2) throw Invalid(node, "it has no shape input");
            long[] target = _statics.Evaluate(node.Input[1], out string why)
                ?? throw Unsupported(node, $"its target shape cannot be worked out ({why})");
            int[] from = Full(shape);
            bool allowZero = Int(node, "allowzero", 0) != 0;
            var resolved = new long[target.Length];
            int infer = -1;
            long known = 1;
            for (int i = 0; i < target.Length; i++)
            {
                long d = target[i];
                if (d == 0 && !allowZero) d = i < from.Length ? from[i] : 0;
                if (d == -1)
                {
                    if (infer >= 0) throw Invalid(node, $"its target shape {Format(target)} has two -1");
                    infer = i;
                    continue;
                }

                if (d < 0) throw Invalid(node, $"its target shape {Format(target)} has the size {d}");
                resolved[i] = d;
                known = d == 0 || known == 0 ? 0 : known > Limits.MaxElements / d ? Limits.MaxElements + 1 : known * d; // saturates: no wrap-around
            }

            long size = shape.Size;
            if (infer >= 0) resolved[infer] = known == 0 ? 0 : size / known;
            if (resolved.Length != 2 || resolved[0] != 1 || resolved[1] != shape.Size)
            {
                throw Unsupported(node, $"it reshapes {Format(from.Select(d => (long)d).ToArray())} to {Format(target)}; Relucent reads only a flatten to [batch, C·H·W] (x.view(N, -1))");
            }

            return (Make(node, new FlattenLayer()), Single(node));
        }

        private (ImportedLayer?, string) Gemm(NodeProto node, Shape shape)
        {
            RequireVector(node, shape);
            if (Int(node, "transA", 0) != 0) throw UnsupportedAttribute(node, "transA", "1", "Dense multiplies the input as it is (transA = 0)");
            double alpha = Float(node, "alpha", 1), beta = Float(node, "beta", 1);
            if (alpha != 1) throw UnsupportedAttribute(node, "alpha", Model.Format.Number(alpha), "Dense computes W·x + b (alpha = 1)");
            if (beta != 1 && Has(node, 2)) throw UnsupportedAttribute(node, "beta", Model.Format.Number(beta), "Dense computes W·x + b (beta = 1)");
            Tensor b = Param(node, 1, "B");
            if (b.Rank != 2) throw Invalid(node, $"its weight '{node.Input[1]}' has shape {Tensor.FormatShape(b.Shape)}; Gemm's B is a matrix");
            bool transposed = Int(node, "transB", 0) == 0;
            Tensor weight = transposed ? Transpose(b) : b;
            return Dense(node, shape, weight, transposed, node.Input[1], Has(node, 2) ? node.Input[2] : null, Single(node));
        }

        private (ImportedLayer?, string) MatMul(NodeProto node, Shape shape)
        {
            RequireVector(node, shape);
            Tensor b = Param(node, 1, "B");
            if (b.Rank != 2) throw Invalid(node, $"its weight '{node.Input[1]}' has shape {Tensor.FormatShape(b.Shape)}; Relucent reads MatMul by a matrix as a Dense layer");
            Tensor weight = Transpose(b);
            string output = Single(node);
            string? biasName = null;

            // x·B + c, the other way torch.onnx exports nn.Linear: fold the Add of a constant vector into the layer.
            List<NodeProto> next = Consumers(output).ToList();
            if (next.Count == 1 && next[0].OpType == "Add" && OnnxModel.IsDefaultDomain(next[0]) && next[0].Input.Count == 2 && next[0].Output.Count >= 1)
            {
                NodeProto add = next[0];
                string other = add.Input[0] == output ? add.Input[1] : add.Input[0];
                Tensor? c = _model.ConstantTensor(other);
                if (c != null && c.ElementCount == weight.Shape[0] && c.Shape.Count(d => d != 1) <= 1)
                {
                    _used.Add(add);
                    biasName = other;
                    output = add.Output[0];
                }
            }

            return Dense(node, shape, weight, transposed: true, node.Input[1], biasName, output);
        }

        private (ImportedLayer?, string) Dense(NodeProto node, Shape shape, Tensor weight, bool transposed, string weightName, string? biasName, string output)
        {
            int units = weight.Shape[0];
            if (weight.Shape[1] != shape.Size)
            {
                throw Invalid(node, $"its weight '{weightName}' (as [out, in]: {Tensor.FormatShape(weight.Shape)}) takes {weight.Shape[1]} features; its input {shape} has {shape.Size}");
            }

            var layer = Make(node, new DenseLayer(units));
            layer.Parameters[ParameterRole.Weight] = new(weightName, weight, transposed);
            if (biasName != null)
            {
                Tensor c = _model.ConstantTensor(biasName)!;
                if (c.ElementCount != units || c.Shape.Count(d => d != 1) > 1)
                {
                    throw Unsupported(node, $"its bias '{biasName}' has shape {Tensor.FormatShape(c.Shape)}; Dense takes one bias per output ([{units}])");
                }

                layer.Parameters[ParameterRole.Bias] = new(biasName, Reshaped(c, units), false);
            }
            else
            {
                // Dense always has a bias: a layer exported without one adds zeros, which changes nothing.
                layer.Parameters[ParameterRole.Bias] = new(null, new Tensor(weight.DType, new[] { units }, new byte[units * weight.DType.ElementSize()]), false);
            }

            return (layer, output);
        }

        private (ImportedLayer?, string) Softmax(NodeProto node, Shape shape)
        {
            RequireVector(node, shape);
            long axis = Int(node, "axis", _model.OpsetVersion >= 13 ? -1 : 1);
            if (axis is not (1 or -1)) throw UnsupportedAttribute(node, "axis", axis.ToString(CultureInfo.InvariantCulture), "Softmax runs over the features (axis 1 or -1)");
            return (Make(node, new SoftmaxLayer()), Single(node));
        }

        // ---- helpers ------------------------------------------------------------------------------------------------

        private static ImportedLayer Make(NodeProto node, Layer layer) => new(layer, node, Source(node));

        /// <summary>The node's first output, whatever its others hold.</summary>
        private string First(NodeProto node) =>
            node.Output.Count == 0 || node.Output[0].Length == 0 ? throw Invalid(node, "it has no output") : node.Output[0];

        private string Single(NodeProto node)
        {
            First(node);
            foreach (string extra in node.Output.Skip(1).Where(o => o.Length > 0 && _consumers.ContainsKey(o)))
            {
                throw Unsupported(node, $"its extra output '{extra}' is read; Relucent layers have one output");
            }

            return node.Output[0];
        }

        private static bool Has(NodeProto node, int index) => node.Input.Count > index && node.Input[index].Length > 0;

        private Tensor Param(NodeProto node, int index, string what)
        {
            if (!Has(node, index)) throw Invalid(node, $"it has no input {what}");
            Tensor t = _model.ConstantTensor(node.Input[index])
                ?? throw Unsupported(node, $"its input {what} '{node.Input[index]}' is computed in the graph; Relucent reads weights from initialisers and constants");
            if (!t.DType.IsFloatingPoint()) throw Invalid(node, $"its input {what} '{node.Input[index]}' holds {t.DType.Name()} values, not floating point");
            return t;
        }

        private Tensor Vector(NodeProto node, int index, string what, int length)
        {
            Tensor t = Param(node, index, what);
            if (t.ElementCount != length || t.Shape.Count(d => d != 1) > 1)
            {
                throw Invalid(node, $"its input {what} '{node.Input[index]}' has shape {Tensor.FormatShape(t.Shape)}; expected [{length}]");
            }

            return Reshaped(t, length);
        }

        private static Tensor Reshaped(Tensor t, int length) =>
            t.Rank == 1 ? t : new Tensor(t.DType, new[] { length }, t.Bytes.ToArray());

        /// <summary>A matrix <c>[rows, columns]</c> as <c>[columns, rows]</c>, element by element in its own type.</summary>
        internal static Tensor Transpose(Tensor t)
        {
            int rows = t.Shape[0], columns = t.Shape[1], size = t.DType.ElementSize();
            ReadOnlySpan<byte> source = t.Bytes;
            byte[] result = new byte[source.Length];
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < columns; c++)
                {
                    source.Slice((int)(((long)r * columns + c) * size), size).CopyTo(result.AsSpan((int)(((long)c * rows + r) * size), size));
                }
            }

            return new Tensor(t.DType, new[] { columns, rows }, result);
        }

        private void RequireImage(NodeProto node, Shape shape)
        {
            if (!shape.IsImage) throw Invalid(node, $"it needs an image [N, C, H, W]; its input is the vector {shape}");
        }

        private void RequireVector(NodeProto node, Shape shape)
        {
            if (shape.IsImage) throw Unsupported(node, $"its input is the image {shape}; Relucent applies {node.OpType} to a flattened vector (add a Flatten before it)");
        }

        /// <summary>
        /// The padding of a Conv or pooling node: its explicit <c>pads</c> (<c>[top, left, bottom, right]</c>, ONNX's
        /// begin values then end values), or what <c>auto_pad</c> SAME_UPPER / SAME_LOWER works out for this input (the
        /// odd row or column at the end, or at the start), or none for VALID.
        /// </summary>
        private Padding Pads(NodeProto node, int kernel, int stride, Shape shape)
        {
            string autoPad = Text(node, "auto_pad", "NOTSET");
            long[]? pads = Sizes(node, "pads", 0);
            switch (autoPad)
            {
                case "NOTSET":
                case "":
                    if (pads == null) return 0;
                    if (pads.Length != 4) throw Invalid(node, $"pads = {Format(pads)} has {pads.Length} values; a 2-D {node.OpType} takes four, [top, left, bottom, right]");
                    return new Padding((int)pads[0], (int)pads[1], (int)pads[2], (int)pads[3]);
                case "VALID":
                case "SAME_UPPER":
                case "SAME_LOWER":
                    if (pads != null) throw Invalid(node, $"it has both auto_pad = {autoPad} and pads = {Format(pads)}; ONNX allows one of them");
                    if (autoPad == "VALID") return 0;
                    (int top, int bottom) = Same(node, shape.Height, kernel, stride, autoPad == "SAME_UPPER");
                    (int left, int right) = Same(node, shape.Width, kernel, stride, autoPad == "SAME_UPPER");
                    return new Padding(top, left, bottom, right);
                default:
                    throw UnsupportedAttribute(node, "auto_pad", Cut(autoPad), "ONNX's auto_pad is NOTSET, VALID, SAME_UPPER or SAME_LOWER");
            }
        }

        /// <summary>ONNX's "same" padding of one axis: <c>⌈input / stride⌉</c> outputs, the odd value at the end (upper) or the start (lower).</summary>
        private (int Before, int After) Same(NodeProto node, int input, int kernel, int stride, bool upper)
        {
            long outputs = ((long)input + stride - 1) / stride;
            long total = Math.Max(0, (outputs - 1) * stride + kernel - input);
            long small = total / 2, large = total - small;
            if (large > int.MaxValue) throw Invalid(node, $"its \"same\" padding of {total} is out of range");
            return upper ? ((int)small, (int)large) : ((int)large, (int)small);
        }

        private int EqualPair(NodeProto node, string attribute, int fallback, string why)
        {
            long[]? values = Sizes(node, attribute, 1);
            if (values == null) return fallback;
            if (values.Length != 2 || values[0] != values[1]) throw UnsupportedAttribute(node, attribute, Format(values), why);
            return (int)values[0];
        }

        private static long Int(NodeProto node, string name, long fallback) =>
            node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.I : fallback;

        private static long[]? Ints(NodeProto node, string name) =>
            node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.Ints.ToArray() : null;

        /// <summary>
        /// A list of sizes (kernel, strides, pads, dilations), each checked to lie in [<paramref name="min"/>,
        /// <see cref="int.MaxValue"/>] before anything narrows it to <c>int</c>: <c>kernel_shape = 4294967298</c> is
        /// refused, not read as 2.
        /// </summary>
        private long[]? Sizes(NodeProto node, string name, long min)
        {
            long[]? values = Ints(node, name);
            if (values != null && values.Any(v => v < min || v > int.MaxValue))
            {
                string range = min == 0 ? "from 0" : $"from {min}";
                throw Invalid(node, $"{name} = {Format(values)} is out of range; each value runs {range} to {int.MaxValue}");
            }

            return values;
        }

        /// <summary>A float attribute as the double it was written as: 1e-5f reads as 1e-5, not 9.99999974738e-06.</summary>
        private static double Float(NodeProto node, string name, double fallback) =>
            node.Attribute.FirstOrDefault(a => a.Name == name) is { } a
                ? double.Parse(a.F.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)
                : fallback;

        private static string Text(NodeProto node, string name, string fallback) =>
            node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.S.ToStringUtf8() : fallback;

        private static string Format(long[] values) =>
            "[" + string.Join(", ", values.Take(8).Select(v => v.ToString(CultureInfo.InvariantCulture))) + (values.Length > 8 ? ", …" : "") + "]";

        private static string Describe(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";

        private NotSupportedException Unsupported(NodeProto node, string why) =>
            new($"ONNX model{_model.Describe()}: {Source(node)}: {why}.");

        private NotSupportedException UnsupportedAttribute(NodeProto node, string attribute, string value, string why) =>
            new($"ONNX model{_model.Describe()}: {Source(node)}: {attribute} = {value} is not supported; {why}.");

        private InvalidDataException Invalid(NodeProto node, string why) =>
            new($"ONNX model{_model.Describe()}: {Source(node)}: {why}.");
    }
}
