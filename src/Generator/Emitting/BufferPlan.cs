using System.Collections.Generic;
using System.Linq;
using Relucent.Model;

namespace Relucent.Generator.Emitting
{
    /// <summary>
    /// Places every layer in the workspace with deterministic buffer names:
    /// <list type="bullet">
    /// <item><c>a0</c> is the input and <c>a{k}</c> the output of layer <c>k − 1</c>; inside residual block <c>i</c>, branch layer <c>j</c> writes <c>a{i+1}_{j+1}</c>.</item>
    /// <item><c>r{…}</c> is the backward signal at the activation of the same name; <c>r{i+1}_0</c> is the signal at a branch's input.</item>
    /// <item><c>switch{k}</c> holds the argmax positions of the max pooling that writes <c>a{k}</c>.</item>
    /// </list>
    /// Flatten and Dropout write no buffer of their own: their output aliases their input.
    /// </summary>
    internal sealed class BufferPlan
    {
        private BufferPlan(List<PlannedLayer> layers, List<Buffer> activations, List<Buffer> signals, List<Buffer> switches, string output)
        {
            Layers = layers;
            Activations = activations;
            Signals = signals;
            Switches = switches;
            Output = output;
        }

        public List<PlannedLayer> Layers { get; }

        public List<Buffer> Activations { get; }

        /// <summary>Signals in the order they must be created: aliases after what they alias (top layer first).</summary>
        public List<Buffer> Signals { get; }

        public List<Buffer> Switches { get; }

        /// <summary>The buffer holding the network's output (and, as <c>r…</c>, the seed).</summary>
        public string Output { get; }

        public static BufferPlan Create(Shape input, IReadOnlyList<Layer> layers, IReadOnlyList<ParameterMember> parameters)
        {
            var activations = new List<Buffer> { new Buffer("a0", (int)input.Size, null, false, "the input " + input) };
            var signals = new List<Buffer>();
            var switches = new List<Buffer>();
            var planned = Place(input, layers, new int[0], "a0", "", activations, switches, parameters);
            string output = planned.Count == 0 ? "a0" : planned[planned.Count - 1].Out;
            string rOutput = "r" + output.Substring(1);
            signals.Add(new Buffer(rOutput, (int)(planned.Count == 0 ? input.Size : planned[planned.Count - 1].Output.Size), null, false,
                "the seed: the signal at the output " + output + " where the backward pass starts"));
            AssignSignals(planned, rOutput, "r0", signals, isTop: true);
            var unused = new HashSet<string>();
            Fuse(planned, unused);
            activations.RemoveAll(b => unused.Contains(b.Name));
            signals.RemoveAll(b => unused.Contains(b.Name));
            return new BufferPlan(planned, activations, signals, switches, output);
        }

        /// <summary>
        /// Pairs each ReLU with its neighbours so that no pass is spent on it alone: forward, a dense or convolution layer
        /// right before it applies <c>max(·, 0)</c> as it stores; backward, a dense or max-pooling layer right after it
        /// applies the rule as it stores the signal. The buffers between the pair are then never written, and are dropped.
        /// </summary>
        /// <remarks>
        /// Max pooling qualifies only when its windows do not overlap (stride ≥ kernel): each input position then receives
        /// at most one value, so the rule can be applied value by value (DeconvNet's max(Σ, 0) is not Σ max(·, 0)).
        /// A convolution's backward is not fused: its input gradient is assembled from overlapping taps.
        /// </remarks>
        private static void Fuse(List<PlannedLayer> layers, HashSet<string> unused)
        {
            for (int i = 0; i < layers.Count; i++)
            {
                PlannedLayer layer = layers[i];
                Fuse(layer.Branch, unused);
                if (!(layer.Layer is ReLULayer)) continue;
                if (i > 0 && (layers[i - 1].Layer is DenseLayer || layers[i - 1].Layer is Conv2DLayer))
                {
                    layers[i - 1].ForwardRelu = layer;
                    layer.ForwardFused = true;
                    unused.Add(layers[i - 1].Out);
                }
                if (i + 1 < layers.Count && (layers[i + 1].Layer is DenseLayer || layers[i + 1].Layer is MaxPoolLayer max && max.Stride >= max.Kernel))
                {
                    layers[i + 1].BackwardRelu = layer;
                    layer.BackwardFused = true;
                    unused.Add(layer.ROut);
                }
            }
        }

        private static List<PlannedLayer> Place(Shape input, IReadOnlyList<Layer> layers, int[] prefix, string inName, string suffixPrefix,
            List<Buffer> activations, List<Buffer> switches, IReadOnlyList<ParameterMember> parameters)
        {
            ShapeRules.Infer(input, layers, out Shape[] shapes);
            var planned = new List<PlannedLayer>();
            string current = inName;
            Shape currentShape = input;
            for (int i = 0; i < layers.Count; i++)
            {
                int[] path = prefix.Concat(new[] { i }).ToArray();
                string suffix = suffixPrefix + (suffixPrefix.Length == 0 ? "" : "_") + (i + 1);
                var layer = new PlannedLayer(layers[i], path, currentShape, shapes[i]) { In = current };
                foreach (ParameterMember p in parameters.Where(p => p.Info.Path.SequenceEqual(path)))
                {
                    layer.Parameters[p.Info.Role] = p;
                }
                string holds = $"output of {layer.Label}, {layers[i].Describe()}, {shapes[i]}";
                if (layer.IsIdentity)
                {
                    layer.Out = "a" + suffix;
                    activations.Add(new Buffer(layer.Out, (int)shapes[i].Size, current, false, holds + "; the same storage as " + current));
                }
                else if (layers[i] is ResidualLayer residual)
                {
                    layer.Branch.AddRange(Place(currentShape, residual.Body, path, current, suffix, activations, switches, parameters));
                    layer.BranchOut = layer.Branch.Count == 0 ? current : layer.Branch[layer.Branch.Count - 1].Out;
                    layer.Out = "a" + suffix;
                    activations.Add(new Buffer(layer.Out, (int)shapes[i].Size, null, false, holds + ": the branch output plus " + current));
                }
                else
                {
                    layer.Out = "a" + suffix;
                    string extra = layers[i] is ReLULayer ? "; a > 0 is this ReLU's forward mask, read by Saliency and GuidedBackprop" : "";
                    activations.Add(new Buffer(layer.Out, (int)shapes[i].Size, null, false, holds + extra));
                }
                if (layers[i] is MaxPoolLayer)
                {
                    layer.Switches = "switch" + suffix;
                    switches.Add(new Buffer(layer.Switches, (int)shapes[i].Size, null, true,
                        $"for each value of {layer.Out}, the flat index into {current} of its window's maximum ({layer.Label}); the backward pass routes the signal through them"));
                }
                // Geometry constants are named by layer path, as the comments label layers: s_conv0, s_pool2_1.
                string pathName = string.Join("_", path);
                if (layers[i] is Conv2DLayer) layer.Geometry = "s_conv" + pathName;
                if (layers[i] is MaxPoolLayer || layers[i] is AvgPoolLayer) layer.Geometry = "s_pool" + pathName;
                planned.Add(layer);
                current = layer.Out;
                currentShape = shapes[i];
            }
            return planned;
        }

        // Walks backward from the top so that every alias is declared after the buffer it shares.
        private static void AssignSignals(List<PlannedLayer> layers, string rOut, string rInOfFirst, List<Buffer> signals, bool isTop)
        {
            for (int i = layers.Count - 1; i >= 0; i--)
            {
                PlannedLayer layer = layers[i];
                layer.ROut = i == layers.Count - 1 ? rOut : "r" + layer.Out.Substring(1);
                layer.RIn = i == 0 ? rInOfFirst : "r" + layer.In.Substring(1);
                bool firstInBranch = i == 0 && !isTop;
                if (layer.Layer is ResidualLayer)
                {
                    string suffix = layer.Out.Substring(1);
                    layer.BranchRIn = "r" + suffix + "_0";
                    if (layer.Branch.Count == 0)
                    {
                        signals.Add(new Buffer(layer.BranchRIn, (int)layer.Input.Size, layer.ROut, false, $"the signal at the (empty) branch input of {layer.Label}; the same storage as {layer.ROut}"));
                    }
                    else
                    {
                        signals.Add(new Buffer(layer.BranchRIn, (int)layer.Input.Size, null, false, $"the signal at the branch input of {layer.Label}"));
                        AssignSignals(layer.Branch, layer.ROut, layer.BranchRIn, signals, isTop: false);
                    }
                }
                if (firstInBranch)
                {
                    layer.CopiesSignal = layer.IsIdentity;
                    continue; // the branch input signal is declared by its block
                }
                if (layer.IsIdentity)
                {
                    signals.Add(new Buffer(layer.RIn, (int)layer.Input.Size, layer.ROut, false, $"the signal at {layer.In}; the same storage as {layer.ROut}"));
                }
                else
                {
                    string what = i == 0 && isTop ? "the signal at the input a0: the explanation map" : "the signal at " + layer.In;
                    signals.Add(new Buffer(layer.RIn, (int)layer.Input.Size, null, false, what));
                }
            }
        }
    }
}
