using System.Collections.Generic;
using System.Linq;
using Relucent.Model;

namespace Relucent.Generator.Emitting
{
    /// <summary>
    /// Places every layer in the workspace with deterministic buffer names:
    /// <list type="bullet">
    /// <item><c>a0</c> is the input and <c>a{k}</c> the output of layer <c>k − 1</c>; inside block <c>i</c>, layer <c>j</c> of the
    /// block's main chain writes <c>a{i+1}_{j+1}</c>, of its shortcut <c>a{i+1}_shortcut_{j+1}</c>.</item>
    /// <item><c>r{…}</c> is the backward signal at the activation of the same name; <c>r{i+1}_0</c> is the signal at a chain's input.</item>
    /// <item><c>switch{k}</c> holds the argmax positions of the max pooling that writes <c>a{k}</c>.</item>
    /// </list>
    /// Flatten and Dropout write no buffer of their own: their output aliases their input.
    /// </summary>
    internal sealed class BufferPlan
    {
        private BufferPlan(List<PlannedLayer> layers, List<Buffer> activations, List<Buffer> signals, List<Buffer> switches, string output, string seed)
        {
            Layers = layers;
            Activations = activations;
            Signals = signals;
            Switches = switches;
            Output = output;
            Seed = seed;
        }

        public List<PlannedLayer> Layers { get; }

        public List<Buffer> Activations { get; }

        /// <summary>Signals in the order they must be created: aliases after what they alias (top layer first).</summary>
        public List<Buffer> Signals { get; }

        public List<Buffer> Switches { get; }

        /// <summary>The buffer holding the network's output.</summary>
        public string Output { get; }

        /// <summary>The signal at the output, where the backward pass starts.</summary>
        public string Seed { get; }

        /// <summary>Every layer, blocks' chains included, in forward order.</summary>
        public IEnumerable<PlannedLayer> All => Flatten(Layers);

        public static BufferPlan Create(Shape input, IReadOnlyList<Layer> layers, IReadOnlyList<ParameterMember> parameters)
        {
            var activations = new List<Buffer> { new Buffer("a0", (int)input.Size, null, false, "the input " + input) };
            var signals = new List<Buffer>();
            var switches = new List<Buffer>();
            var placer = new Placer(activations, switches, parameters);
            List<PlannedLayer> planned = placer.Place(input, layers, LayerPath.Top, i => ParameterNames.ModuleName(layers[i], i), "a0", "");
            int named = 0;
            NumberNamed(planned, ref named);
            string output = planned.Count == 0 ? "a0" : planned[planned.Count - 1].Out;
            string seed = "r" + (planned.Count == 0 ? "0" : planned[planned.Count - 1].Suffix);
            signals.Add(new Buffer(seed, (int)(planned.Count == 0 ? input.Size : planned[planned.Count - 1].Output.Size), null, false,
                "the seed: the signal at the output " + output + " where the backward pass starts"));
            AssignSignals(planned, seed, "r0", signals, isTop: true);
            var unused = new HashSet<string>();
            Fuse(planned, unused);
            Merge(planned);
            FuseResiduals(planned);
            activations.RemoveAll(b => unused.Contains(b.Name));
            signals.RemoveAll(b => unused.Contains(b.Name));
            return new BufferPlan(planned, activations, signals, switches, output, seed);
        }

        // Numbers the named layers in the order NamedLayer.Of lists them at run time: forward, a block after its chains.
        private static void NumberNamed(List<PlannedLayer> layers, ref int next)
        {
            foreach (PlannedLayer layer in layers)
            {
                foreach (PlannedBranch branch in layer.Branches) NumberNamed(branch.Layers, ref next);
                if (layer.Layer.Name != null) layer.NamedIndex = next++;
            }
        }

        /// <summary>
        /// Pairs each rectifier (ReLU, ReLU6) with its neighbours so that no pass is spent on it alone: forward, a layer right
        /// before it whose kind can (dense, convolution) applies it as it stores; backward, a layer right after it whose kind
        /// can (dense, convolution, max pooling) applies its rule as it stores the signal. The buffers between the pair are
        /// then never written, and are dropped. A named layer keeps its buffers (layer methods read them); a named rectifier's
        /// backward pair still forms in the merged gradient passes, which layer methods do not run.
        /// </summary>
        private static void Fuse(List<PlannedLayer> layers, HashSet<string> unused)
        {
            for (int i = 0; i < layers.Count; i++)
            {
                PlannedLayer layer = layers[i];
                foreach (PlannedBranch branch in layer.Branches) Fuse(branch.Layers, unused);
                if (!layer.Kind.IsRectifier) continue;
                // A named layer keeps its buffers (layer attribution reads them), so its pair is not fused.
                if (i > 0 && layers[i - 1].Kind.AppliesFollowingRectifier && layers[i - 1].NamedIndex == null)
                {
                    layers[i - 1].ForwardRectifier = layer;
                    layer.ForwardFused = true;
                    unused.Add(layers[i - 1].Out);
                }
                if (i + 1 < layers.Count && layers[i + 1].Kind.AppliesPrecedingRule(layers[i + 1].Layer))
                {
                    if (layer.NamedIndex == null)
                    {
                        layers[i + 1].BackwardRectifier = layer;
                        layer.BackwardFused = true;
                        unused.Add(layer.ROut);
                    }
                    else
                    {
                        // Named: fused in the merged gradient passes only, which no layer method reads (its ROut stays).
                        layers[i + 1].MergedBackwardRectifier = layer;
                        layer.MergedBackwardFused = true;
                    }
                }
            }
        }

        /// <summary>
        /// Pairs each BatchNorm with the convolution or dense layer right before it, which takes it into its weights and bias
        /// (<see cref="LrpComposites.MergesIntoPrevious"/>, as the LRP passes and the interpreter's LRP decide), and a rectifier
        /// right after the BatchNorm with that layer's forward kernel. Only the merged passes use the pairs; the declared pass
        /// (training, layer methods) and its buffers are as without them.
        /// </summary>
        private static void Merge(List<PlannedLayer> layers)
        {
            List<Layer> declared = layers.Select(l => l.Layer).ToList();
            for (int i = 0; i < layers.Count; i++)
            {
                foreach (PlannedBranch branch in layers[i].Branches) Merge(branch.Layers);
                if (!LrpComposites.MergesIntoPrevious(declared, i)) continue;
                PlannedLayer layer = layers[i - 1], batchNorm = layers[i];
                layer.MergedBatchNorm = batchNorm;
                batchNorm.MergedInto = layer;
                if (i + 1 < layers.Count && layers[i + 1].Kind.IsRectifier && layer.Kind.AppliesFollowingRectifier)
                {
                    layer.MergedRectifier = layers[i + 1];
                    layers[i + 1].MergedForwardFused = true;
                }
            }
        }

        /// <summary>
        /// Pairs each residual with a ReLU right after it (forward: <see cref="PlannedLayer.SumRectifier"/>) and a ReLU right before
        /// it (backward: <see cref="PlannedLayer.SignalRectifier"/>), for the merged passes, as every torchvision ResNet block
        /// chains them: one pass over the tensor instead of two. In a chain only the next layer reads a layer's output, so the sum
        /// is read by the ReLU alone, and the signal at the ReLU's output by its rule alone; a ReLU starting a block's chain (a
        /// pre-activation block, whose skip reads the sum too) is not the next layer of the chain and stays apart. A ReLU6 is not
        /// paired (its rules are other kernels). The declared pass, and a network without merged passes, keep both steps.
        /// </summary>
        private static void FuseResiduals(List<PlannedLayer> layers)
        {
            for (int i = 0; i < layers.Count; i++)
            {
                foreach (PlannedBranch branch in layers[i].Branches) FuseResiduals(branch.Layers);
                if (i + 1 == layers.Count) break;
                PlannedLayer layer = layers[i], next = layers[i + 1];
                if (layer.Layer is ResidualLayer && next.Layer is ReLULayer && !next.ForwardFused && !next.MergedForwardFused)
                {
                    layer.SumRectifier = next;
                    next.MergedForwardFused = true;
                }
                if (layer.Layer is ReLULayer && next.Layer is ResidualLayer && !layer.BackwardFused && !layer.MergedBackwardFused)
                {
                    next.SignalRectifier = layer;
                    layer.MergedBackwardFused = true;
                }
            }
        }

        /// <summary>Names each layer's activation, switches and geometry, forward, chain by chain.</summary>
        private sealed class Placer
        {
            private readonly List<Buffer> _activations;
            private readonly List<Buffer> _switches;
            private readonly ILookup<string, ParameterMember> _parameters;

            public Placer(List<Buffer> activations, List<Buffer> switches, IReadOnlyList<ParameterMember> parameters)
            {
                _activations = activations;
                _switches = switches;
                _parameters = parameters.ToLookup(p => string.Join(".", p.Info.Path));
            }

            public List<PlannedLayer> Place(Shape input, IReadOnlyList<Layer> layers, System.Func<int, LayerPath> pathOf, System.Func<int, string> moduleOf,
                string inName, string suffixPrefix)
            {
                var planned = new List<PlannedLayer>();
                string current = inName;
                Shape currentShape = input;
                for (int i = 0; i < layers.Count; i++)
                {
                    LayerPath path = pathOf(i);
                    ShapeRules.Check(layers[i], currentShape, path, out Shape output);
                    var layer = new PlannedLayer(layers[i], path, currentShape, output, suffixPrefix + (i + 1)) { In = current, Out = "a" + suffixPrefix + (i + 1), Module = moduleOf(i) };
                    foreach (ParameterMember p in _parameters[string.Join(".", path.Indices)]) layer.Parameters[p.Info.Role] = p;
                    string holds = $"output of {layer.Heading}, {output}";
                    if (layer.Kind.IsIdentity)
                    {
                        _activations.Add(new Buffer(layer.Out, (int)output.Size, current, false, holds + "; the same storage as " + current));
                    }
                    else
                    {
                        for (int b = 0; b < layers[i].Branches.Count; b++)
                        {
                            Branch branch = layers[i].Branches[b];
                            string prefix = layer.Suffix + "_" + (branch.Label.Length > 0 ? branch.Label + "_" : "");
                            int index = b;
                            List<PlannedLayer> chain = Place(currentShape, branch.Layers, j => path.Inside(index, branch.Label, j), j => layer.Module + "." + branch.ModuleName(j),
                                current, prefix);
                            layer.Branches.Add(new PlannedBranch(branch, chain, chain.Count == 0 ? current : chain[chain.Count - 1].Out, "r" + prefix + "0"));
                        }
                        _activations.Add(new Buffer(layer.Out, (int)output.Size, null, false, holds + layer.Kind.OutputNote(layer)));
                    }
                    if (layer.Kind.KeepsSwitches)
                    {
                        layer.Switches = "switch" + layer.Suffix;
                        _switches.Add(new Buffer(layer.Switches, (int)output.Size, null, true,
                            $"for each value of {layer.Out}, the flat index into {current} of its window's maximum ({layer.Label}); the backward pass routes the signal through them"));
                    }
                    // Geometry constants are named by layer label, as the comments label layers: s_conv0, s_pool2_shortcut_0.
                    if (layer.Kind.GeometryName is string geometry) layer.Geometry = "s_" + geometry + path.Label.Replace('.', '_');
                    planned.Add(layer);
                    current = layer.Out;
                    currentShape = output;
                }
                return planned;
            }
        }

        // Walks backward from the top so that every alias is declared after the buffer it shares.
        private static void AssignSignals(List<PlannedLayer> layers, string rOut, string rInOfFirst, List<Buffer> signals, bool isTop)
        {
            for (int i = layers.Count - 1; i >= 0; i--)
            {
                PlannedLayer layer = layers[i];
                layer.ROut = i == layers.Count - 1 ? rOut : "r" + layer.Suffix;
                layer.RIn = i == 0 ? rInOfFirst : "r" + layers[i - 1].Suffix;
                foreach (PlannedBranch branch in layer.Branches)
                {
                    bool shared = layer.Kind.ChainsShareOutputSignal;
                    if (branch.Layers.Count == 0)
                    {
                        // An identity chain: its input and output signals are one buffer, the block's own or the chain's.
                        branch.SignalOut = shared ? layer.ROut : branch.SignalIn;
                        signals.Add(shared
                            ? new Buffer(branch.SignalIn, (int)layer.Input.Size, layer.ROut, false, $"the signal at the input of {layer.Label}'s identity chain; the same storage as {layer.ROut}")
                            : new Buffer(branch.SignalIn, (int)layer.Input.Size, null, false, $"the signal at {layer.Label}'s identity chain, {ChainName(branch)}"));
                        continue;
                    }
                    PlannedLayer last = branch.Layers[branch.Layers.Count - 1];
                    branch.SignalOut = shared ? layer.ROut : "r" + last.Suffix;
                    if (!shared) signals.Add(new Buffer(branch.SignalOut, (int)last.Output.Size, null, false, $"the signal at the output of {layer.Label}'s {ChainName(branch)}, its part of {layer.ROut}"));
                    signals.Add(new Buffer(branch.SignalIn, (int)layer.Input.Size, null, false, $"the signal at the input of {layer.Label}'s {ChainName(branch)}"));
                    AssignSignals(branch.Layers, branch.SignalOut, branch.SignalIn, signals, isTop: false);
                }
                if (i == 0 && !isTop)
                {
                    layer.CopiesSignal = layer.Kind.IsIdentity;
                    continue; // the chain's input signal is declared by its block
                }
                if (layer.Kind.IsIdentity)
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

        // "branch", "shortcut", "second branch": how the workspace's comments name a block's chain.
        private static string ChainName(PlannedBranch branch) =>
            branch.Branch.Label.Length == 0 ? "branch" : char.IsDigit(branch.Branch.Label[0]) ? branch.Branch.Argument.Name + " branch" : branch.Branch.Label;

        private static IEnumerable<PlannedLayer> Flatten(IEnumerable<PlannedLayer> layers) =>
            layers.SelectMany(l => new[] { l }.Concat(Flatten(l.Branches.SelectMany(b => b.Layers))));
    }
}
