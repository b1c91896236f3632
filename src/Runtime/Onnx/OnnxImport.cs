using System.Globalization;
using Relucent.Model;

namespace Relucent
{
    /// <summary>
    /// Reads a network from an ONNX graph (as <c>torch.onnx.export</c> writes it): the <see cref="Network"/>, its C#
    /// declaration, and its weights under the network's parameter names; or checks a declared network against a graph
    /// and loads the graph's weights into it.
    /// </summary>
    /// <remarks>
    /// Supported: Conv (square kernel, one stride, pads per side or auto_pad, groups, no dilation), Relu, Tanh, Sigmoid,
    /// MaxPool and AveragePool (square, padded by at most half the kernel, MaxPool's ceil mode), GlobalAveragePool (any
    /// input) and GlobalMaxPool (square inputs), BatchNormalization (eval), Flatten and Reshape to <c>[N, -1]</c>, Gemm
    /// (transA 0, alpha = beta = 1) or MatMul followed by an Add of the bias, Softmax over the features, Dropout and
    /// Identity (skipped), and blocks: branches from one tensor meeting at an Add (a residual block <c>f(x) + x</c>, or
    /// <c>f(x) + g(x)</c> with a shortcut) or at a Concat along the channels. Anything else is a
    /// <see cref="NotSupportedException"/> naming the node and the attribute.
    /// </remarks>
    public static class OnnxImport
    {
        /// <summary>Reads the ONNX file at <paramref name="path"/> and imports its network.</summary>
        /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
        /// <exception cref="InvalidDataException">The file is not a valid ONNX model.</exception>
        /// <exception cref="NotSupportedException">The graph uses an operator or attribute Relucent cannot express.</exception>
        public static OnnxImportResult Import(string path) => Import(OnnxModel.Load(path));

        /// <summary>Imports the network of <paramref name="model"/>: see <see cref="OnnxImportResult"/>.</summary>
        /// <exception cref="InvalidDataException">The graph is inconsistent (a weight of the wrong shape, say).</exception>
        /// <exception cref="NotSupportedException">The graph uses an operator or attribute Relucent cannot express.</exception>
        public static OnnxImportResult Import(OnnxModel model)
        {
            ArgumentNullException.ThrowIfNull(model);
            (Shape input, List<ImportedLayer> layers) = OnnxGraphReader.Read(model);

            // Name layers after their initialisers ("3.weight" → layer "3") where that differs from the nn.Sequential
            // index, and parameterless top-level layers after their nodes ("ReLU393"); if the names collide with the default
            // numbering, fall back to the indices (loading is by position).
            DerivePrefixes(layers);
            AssignNames(layers, string.Empty, null);
            NameAfterNodes(layers);
            Network network;
            try
            {
                network = Build(input, layers.Select(l => l.Named()));
            }
            catch (NetworkDefinitionException)
            {
                ClearNames(layers);
                network = Build(input, layers.Select(l => l.Named()));
            }

            var nameMap = new Dictionary<string, string>(StringComparer.Ordinal);
            var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            var notes = new List<string>();
            Dictionary<string, ParameterInfo> parameters = ByPath(network);
            foreach ((int[] path, ImportedLayer layer) in Walk(layers, Array.Empty<int>()))
            {
                foreach ((ParameterRole role, ImportedTensor tensor) in layer.Parameters)
                {
                    ParameterInfo info = Find(parameters, path, role);
                    CheckShape(info, tensor, layer.Source);
                    tensors[info.Name] = tensor.Value;
                    if (tensor.OnnxName == null)
                    {
                        notes.Add($"{info.Name}: {layer.Source} has no bias; Relucent's Dense adds one, set to zeros");
                        continue;
                    }

                    nameMap[tensor.OnnxName] = info.Name;
                    if (tensor.Transposed) notes.Add($"{info.Name}: the ONNX initializer '{tensor.OnnxName}' {Tensor.FormatShape(tensor.Value.Shape.Reverse())}, transposed to [out, in]");
                    else if (tensor.OnnxName != info.Name) notes.Add($"{info.Name}: the ONNX initializer '{tensor.OnnxName}'");
                }
            }

            return new OnnxImportResult(model, network, nameMap, tensors, notes);
        }

        /// <summary>
        /// The first difference between <paramref name="declared"/> and the network of <paramref name="model"/>: the input
        /// shape, then layer by layer the operator and its sizes (parameter names do not count; declared Dropout layers,
        /// which exports drop, are skipped). Null when they match.
        /// </summary>
        /// <exception cref="NotSupportedException">The graph uses an operator or attribute Relucent cannot express.</exception>
        public static OnnxMismatch? FindMismatch(Network declared, OnnxModel model) => Compare(declared, model, out _);

        /// <summary>Checks <paramref name="declared"/> against the network of <paramref name="model"/> (see <see cref="FindMismatch"/>).</summary>
        /// <exception cref="OnnxMismatchException">They differ; the message names the first difference with both sides.</exception>
        /// <exception cref="NotSupportedException">The graph uses an operator or attribute Relucent cannot express.</exception>
        public static void Check(Network declared, OnnxModel model)
        {
            OnnxMismatch? mismatch = Compare(declared, model, out _);
            if (mismatch != null) throw new OnnxMismatchException(mismatch);
        }

        /// <summary>
        /// Checks <paramref name="declared"/> against <paramref name="model"/>, then returns the graph's weights keyed by the
        /// declared network's parameter names (matched by position, so any names work), shapes checked, in PyTorch layout:
        /// what a generated class's <c>FromTensors</c> takes.
        /// </summary>
        /// <exception cref="OnnxMismatchException">The network and the graph differ.</exception>
        /// <exception cref="NotSupportedException">The graph uses an operator or attribute Relucent cannot express.</exception>
        public static Dictionary<string, Tensor> LoadTensors(Network declared, OnnxModel model)
        {
            OnnxMismatch? mismatch = Compare(declared, model, out List<(int[] Path, ImportedLayer Layer)> pairs);
            if (mismatch != null) throw new OnnxMismatchException(mismatch);
            var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            Dictionary<string, ParameterInfo> parameters = ByPath(declared);
            foreach ((int[] path, ImportedLayer layer) in pairs)
            {
                foreach ((ParameterRole role, ImportedTensor tensor) in layer.Parameters)
                {
                    ParameterInfo info = Find(parameters, path, role);
                    CheckShape(info, tensor, layer.Source);
                    tensors[info.Name] = tensor.Value;
                }
            }

            ParameterInfo? missing = declared.Parameters.FirstOrDefault(p => !tensors.ContainsKey(p.Name));
            if (missing != null) throw new InvalidDataException($"The ONNX graph has no tensor for '{missing.Name}' {Tensor.FormatShape(missing.Dimensions)}.");
            return tensors;
        }

        /// <summary>Reads the ONNX file at <paramref name="path"/> and loads it as <see cref="LoadTensors(Network, OnnxModel)"/> does.</summary>
        public static Dictionary<string, Tensor> LoadTensors(Network declared, string path) => LoadTensors(declared, OnnxModel.Load(path));

        // ---- building and naming ------------------------------------------------------------------------------------

        /// <summary>Builds a network from layer records with the fluent DSL, so every shape rule runs.</summary>
        internal static Network Build(Shape input, IEnumerable<Layer> layers) => Network.FromLayers(input, layers);

        private static IEnumerable<(int[] Path, ImportedLayer Layer)> Walk(List<ImportedLayer> layers, int[] prefix)
        {
            for (int i = 0; i < layers.Count; i++)
            {
                int[] path = prefix.Concat(new[] { i }).ToArray();
                yield return (path, layers[i]);
                // A block's chain b holds the layers at path + [b, index] (see LayerPath).
                for (int b = 0; b < layers[i].Branches.Count; b++)
                {
                    foreach (var inner in Walk(layers[i].Branches[b], path.Append(b).ToArray())) yield return inner;
                }
            }
        }

        /// <summary>The network's parameters by layer path and role (<see cref="Key"/>), so each lookup is constant time.</summary>
        private static Dictionary<string, ParameterInfo> ByPath(Network network)
        {
            var parameters = new Dictionary<string, ParameterInfo>(StringComparer.Ordinal);
            foreach (ParameterInfo p in network.Parameters) parameters[Key(p.Path, p.Role)] = p;
            return parameters;
        }

        private static string Key(IEnumerable<int> path, ParameterRole role) => string.Join(".", path) + ":" + role;

        private static ParameterInfo Find(Dictionary<string, ParameterInfo> parameters, int[] path, ParameterRole role) =>
            parameters.TryGetValue(Key(path, role), out ParameterInfo? info)
                ? info
                : throw new InvalidOperationException($"Layer {string.Join(".", path)} has no {ParameterInfo.Suffix(role)} parameter.");

        private static void CheckShape(ParameterInfo info, ImportedTensor tensor, string source)
        {
            if (!tensor.Value.Shape.SequenceEqual(info.Dimensions))
            {
                string from = tensor.OnnxName == null ? string.Empty : $" '{tensor.OnnxName}'";
                throw new InvalidDataException(
                    $"{info.Name}: the network expects {Tensor.FormatShape(info.Dimensions)}; {source}'s tensor{from} is {Tensor.FormatShape(tensor.Value.Shape)}.");
            }
        }

        /// <summary>Sets each parametric layer's <see cref="ImportedLayer.Prefix"/> from its initialiser names, and each residual block's from its branch.</summary>
        private static void DerivePrefixes(List<ImportedLayer> layers)
        {
            foreach (ImportedLayer layer in layers)
            {
                if (layer.Branches.Count > 0)
                {
                    foreach (List<ImportedLayer> chain in layer.Branches) DerivePrefixes(chain);
                    layer.Prefix = CommonProperPrefix(layer.Branches.SelectMany(Leaves).Select(l => l.Prefix).OfType<string>().ToList());
                    continue;
                }

                var candidates = layer.Parameters
                    .Where(p => p.Value.OnnxName != null)
                    .Select(p => (Name: p.Value.OnnxName!, Suffix: "." + ParameterInfo.Suffix(p.Key)))
                    .Where(p => p.Name.Length > p.Suffix.Length && p.Name.EndsWith(p.Suffix, StringComparison.Ordinal))
                    .Select(p => p.Name[..^p.Suffix.Length])
                    .Distinct(StringComparer.Ordinal)
                    .ToList();
                layer.Prefix = candidates.Count == 1 ? candidates[0] : null;
            }
        }

        private static IEnumerable<ImportedLayer> Leaves(List<ImportedLayer> layers) =>
            layers.SelectMany(l => l.Branches.Count > 0 ? l.Branches.SelectMany(Leaves) : l.Parameters.Count > 0 ? new[] { l } : Enumerable.Empty<ImportedLayer>());

        /// <summary>The longest dotted prefix shared by all of <paramref name="names"/> and shorter than each: <c>2.0</c>, <c>2.2.1</c> give <c>2</c>.</summary>
        private static string? CommonProperPrefix(List<string> names)
        {
            if (names.Count == 0) return null;
            List<string[]> parts = names.Select(n => n.Split('.')).ToList();
            int length = parts.Min(p => p.Length) - 1;
            for (int i = 0; i < length; i++)
            {
                if (parts.Any(p => p[i] != parts[0][i]))
                {
                    length = i;
                    break;
                }
            }

            return length <= 0 ? null : string.Join(".", parts[0].Take(length));
        }

        /// <summary>
        /// Names the layers of a chain after their <see cref="ImportedLayer.Prefix"/> where it differs from the name the
        /// chain would give by default: <paramref name="module"/> is the enclosing block's module name (empty at the
        /// top), <paramref name="branch"/> the chain's naming (<c>{block}.{index}</c>, <c>{block}.downsample.{index}</c>, …).
        /// </summary>
        private static void AssignNames(List<ImportedLayer> layers, string module, Branch? branch)
        {
            for (int i = 0; i < layers.Count; i++)
            {
                ImportedLayer layer = layers[i];
                string index = i.ToString(CultureInfo.InvariantCulture);
                layer.Name = null;
                if (layer.Prefix != null && branch == null)
                {
                    if (layer.Prefix != index) layer.Name = layer.Prefix;
                }
                else if (layer.Prefix != null && branch != null && layer.Prefix != module + "." + branch.DefaultPrefix + index)
                {
                    string within = module + "." + branch.NamedPrefix;
                    if (layer.Prefix.Length > within.Length && layer.Prefix.StartsWith(within, StringComparison.Ordinal)) layer.Name = layer.Prefix[within.Length..];
                }

                string own = branch == null ? layer.Name ?? index : module + "." + (layer.Name != null ? branch.NamedPrefix + layer.Name : branch.DefaultPrefix + index);
                IReadOnlyList<Branch> chains = layer.Layer.Branches;
                for (int b = 0; b < layer.Branches.Count; b++) AssignNames(layer.Branches[b], own, chains[b]);
            }
        }

        /// <summary>
        /// Names the top-level chain's parameterless layers (ReLU, pools, Flatten, …) after their ONNX nodes, where the node's
        /// name is a plain identifier (a letter, then letters, digits and <c>_</c>) that no other layer of the chain is named or
        /// numbered: CNTK's <c>ReLU393</c>, <c>Pooling395</c>. A name on a parameterless layer changes no parameter name and
        /// makes the layer addressable by layer methods (Grad-CAM at <c>ReLU393</c>). Blocks keep their names, which prefix
        /// their inner parameters'; torch exports name nodes by path (<c>/1/Relu</c>), so their declarations are unchanged.
        /// </summary>
        private static void NameAfterNodes(List<ImportedLayer> layers)
        {
            List<ImportedLayer> candidates = layers.Where(l => l.Branches.Count == 0 && l.Parameters.Count == 0 && IsIdentifier(l.Node.Name)).ToList();
            // Every name the chain would hold: the candidates', each layer's own name: and each layer's default index.
            Dictionary<string, int> uses = candidates.Select(l => l.Node.Name)
                .Concat(layers.Select(l => l.Name).OfType<string>())
                .Concat(layers.Select((_, i) => i.ToString(CultureInfo.InvariantCulture)))
                .GroupBy(n => n, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            foreach (ImportedLayer layer in candidates)
            {
                if (uses[layer.Node.Name] == 1) layer.Name = layer.Node.Name;
            }
        }

        private static bool IsIdentifier(string name) =>
            name.Length > 0 && char.IsAsciiLetter(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

        private static void ClearNames(List<ImportedLayer> layers)
        {
            foreach (ImportedLayer layer in layers)
            {
                layer.Name = null;
                foreach (List<ImportedLayer> chain in layer.Branches) ClearNames(chain);
            }
        }

        // ---- checking a declared network ------------------------------------------------------------------------------

        private static OnnxMismatch? Compare(Network declared, OnnxModel model, out List<(int[] Path, ImportedLayer Layer)> pairs)
        {
            ArgumentNullException.ThrowIfNull(declared);
            ArgumentNullException.ThrowIfNull(model);
            pairs = new List<(int[] Path, ImportedLayer Layer)>();
            (Shape input, List<ImportedLayer> layers) = OnnxGraphReader.Read(model);
            if (declared.InputShape != input)
            {
                return new OnnxMismatch(
                    "input",
                    $"the network declares {InputCall(declared.InputShape)}",
                    $"the ONNX graph's input '{model.InputName}' is [{model.InputBatch}, {string.Join(", ", model.InputShape)}] ({InputCall(input)})");
            }

            return CompareLayers(declared.Layers, layers, Array.Empty<int>(), string.Empty, $"after which the graph reaches its output '{model.OutputName}'", pairs);
        }

        /// <summary>
        /// Compares one chain, layer by layer; <paramref name="prefix"/> is its path (see <see cref="LayerPath"/>) and
        /// <paramref name="label"/> how messages label it (<c>""</c> at the top, <c>"2."</c>, <c>"2.shortcut."</c> inside a block).
        /// </summary>
        private static OnnxMismatch? CompareLayers(
            IReadOnlyList<Layer> declared, List<ImportedLayer> imported, int[] prefix, string label, string end, List<(int[] Path, ImportedLayer Layer)> pairs)
        {
            int j = 0;
            for (int i = 0; i < declared.Count; i++)
            {
                Layer d = declared[i];
                int[] path = prefix.Concat(new[] { i }).ToArray();
                string at = label + i.ToString(CultureInfo.InvariantCulture);
                if (d is DropoutLayer) continue; // the identity when explaining; exports leave it out
                if (j >= imported.Count)
                {
                    string last = imported.Count == 0 ? "no layers" : $"no more layers (the last is {imported[^1].Source}, {end})";
                    return new OnnxMismatch(at, $"the network declares {Declared(d)}", $"the ONNX graph has {last}");
                }

                ImportedLayer o = imported[j++];
                if (d.Branches.Count > 0 && d.GetType() == o.Layer.GetType() && d.Branches.Count == o.Branches.Count)
                {
                    pairs.Add((path, o));
                    for (int b = 0; b < o.Branches.Count; b++)
                    {
                        string inside = at + "." + (d.Branches[b].Label.Length > 0 ? d.Branches[b].Label + "." : string.Empty);
                        OnnxMismatch? inner = CompareLayers(d.Branches[b].Layers, o.Branches[b], path.Append(b).ToArray(), inside, $"closed by {o.Source}", pairs);
                        if (inner != null) return inner;
                    }

                    continue;
                }

                if (!Same(d, o.Layer))
                {
                    return new OnnxMismatch(at, $"the network declares {Declared(d)}", $"the ONNX graph has {Explain(o, d)}");
                }

                pairs.Add((path, o));
            }

            if (j < imported.Count)
            {
                string where = prefix.Length == 0 ? "no more layers" : "no more layers in this branch";
                return new OnnxMismatch(label + declared.Count.ToString(CultureInfo.InvariantCulture), $"the network declares {where}", $"the ONNX graph has {Explain(imported[j], null)}");
            }

            return null;
        }

        private static bool Same(Layer declared, Layer imported)
        {
            if (declared is BatchNormLayer a && imported is BatchNormLayer b)
            {
                return Math.Abs(a.Eps - b.Eps) <= 1e-6 * Math.Max(Math.Abs(a.Eps), Math.Abs(b.Eps));
            }

            return (declared with { Name = null }) == (imported with { Name = null });
        }

        private static string Declared(Layer layer) => layer switch
        {
            ResidualLayer r => $"a residual block of {Count(r.Body.Count, "layer")}" + (r.Shortcut.Count > 0 ? $" with a shortcut of {Count(r.Shortcut.Count, "layer")}" : string.Empty),
            ConcatLayer c => $"a concatenation of {Count(c.Chains.Count, "branch")}",
            _ => NetworkDeclaration.Call(layer with { Name = null }),
        };

        private static string InputCall(Shape shape) =>
            shape.IsImage ? $"Net.Input({shape.Channels}, {shape.Height}, {shape.Width})" : $"Net.Input({shape.Channels})";

        /// <summary>An imported layer in words, listing what <paramref name="declared"/> might differ in: <c>Conv '/0/Conv' with 16 filters and kernel 5</c>.</summary>
        private static string Explain(ImportedLayer layer, Layer? declared)
        {
            string source = layer.Source;
            switch (layer.Layer)
            {
                case Conv2DLayer c:
                {
                    var parts = new List<string> { Count(c.Filters, "filter"), $"kernel {c.Kernel}" };
                    var dc = declared as Conv2DLayer;
                    if (c.Stride != 1 || (dc != null && dc.Stride != c.Stride)) parts.Add($"stride {c.Stride}");
                    if (c.Padding != 0 || (dc != null && dc.Padding != c.Padding)) parts.Add($"padding {c.Padding}");
                    if (c.Groups != 1 || (dc != null && dc.Groups != c.Groups)) parts.Add($"groups {c.Groups}");
                    if (!c.Bias) parts.Add("no bias");
                    else if (dc != null && !dc.Bias) parts.Add("a bias");
                    return $"{source} with {Join(parts)}";
                }

                case DenseLayer d:
                    return $"{source} with {Count(d.Units, "output")}";
                case PoolLayer p:
                    return $"{source} ({NetworkDeclaration.Call(p)})";
                case BatchNormLayer b:
                    return $"{source} with epsilon {Format.Number(b.Eps)}";
                case ResidualLayer r:
                    return $"a residual block ({source}) over a branch of {Count(r.Body.Count, "layer")}"
                        + (r.Shortcut.Count > 0 ? $" with a shortcut of {Count(r.Shortcut.Count, "layer")}" : string.Empty);
                case ConcatLayer c:
                    return $"a concatenation ({source}) of {Count(c.Chains.Count, "branch")}";
                default:
                    return $"{source} ({NetworkDeclaration.Call(layer.Layer)})";
            }
        }

        private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}{(noun.EndsWith("ch", StringComparison.Ordinal) ? "es" : "s")}";

        private static string Join(List<string> parts) =>
            parts.Count == 1 ? parts[0] : string.Join(", ", parts.Take(parts.Count - 1)) + " and " + parts[^1];
    }
}
