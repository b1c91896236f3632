using System;
using System.Collections.Generic;
using System.Linq;
using Relucent.Model;

namespace Relucent
{
    /// <summary>
    /// A declared network: an input shape and an immutable chain of layers, with every shape inferred. Each fluent call
    /// returns a new network and checks the new layer at once, with the same rules the generator applies at compile
    /// time, so a network that compiles also builds. The calls themselves are declared beside their layer kinds
    /// (src/Dsl/Layers).
    /// </summary>
    public sealed partial class Network
    {
        private readonly Storage _storage;
        private readonly int _count;          // this network's layers are _storage.Layers[0, _count)
        private readonly int _parameterCount; // and its parameters _storage.Parameters[0, _parameterCount)
        private readonly int _totalLayers;    // blocks' chains counted
        private readonly BranchSite? _site;   // where a block's chain sits; null for a network from Net.Input

        // A chain built for a block must grow from the network its lambda was given; the origin tells.
        private readonly object _origin;

        private Layer[]? _layers;
        private Shape[]? _shapes;
        private ParameterInfo[]? _parameters;

        private Network(Shape input, Shape output, Storage storage, int count, int parameterCount, int totalLayers, BranchSite? site, object origin)
        {
            InputShape = input;
            OutputShape = output;
            _storage = storage;
            _count = count;
            _parameterCount = parameterCount;
            _totalLayers = totalLayers;
            _site = site;
            _origin = origin;
        }

        internal static Network Start(Shape input)
        {
            LayerError? error = ShapeRules.CheckInput(input);
            if (error != null) throw new NetworkDefinitionException(error);
            return new Network(input, input, new Storage(), 0, 0, 0, null, new object());
        }

        /// <summary>
        /// A network of <paramref name="layers"/> (blocks included, as records) taking <paramref name="input"/>, each layer
        /// checked as its fluent call would check it: for networks built from data, such as an importer's.
        /// </summary>
        /// <exception cref="NetworkDefinitionException">A layer does not fit, or the network is beyond <see cref="Limits"/>.</exception>
        public static Network FromLayers(Shape input, IEnumerable<Layer> layers)
        {
            if (layers is null) throw new ArgumentNullException(nameof(layers));
            Network network = Start(input);
            foreach (Layer layer in layers)
            {
                LayerError? error = ShapeRules.CheckLimits(new[] { layer ?? throw new ArgumentException("A layer is null.", nameof(layers)) });
                if (error != null) throw new NetworkDefinitionException(error);
                network = network.Append(layer);
            }
            return network;
        }

        /// <summary>The shape of one input example.</summary>
        public Shape InputShape { get; }

        /// <summary>The shape of the network's output.</summary>
        public Shape OutputShape { get; }

        /// <summary>The layers in order; index <c>i</c> is the <c>nn.Sequential</c> index.</summary>
        public EquatableArray<Layer> Layers => EquatableArray<Layer>.Wrap(_layers ??= Prefix(s => s.Layers, _count));

        /// <summary>The output shape of each layer.</summary>
        public IReadOnlyList<Shape> LayerOutputShapes => _shapes ??= Prefix(s => s.Shapes, _count);

        /// <summary>Every parameter tensor, named as in a PyTorch <c>state_dict</c>.</summary>
        public IReadOnlyList<ParameterInfo> Parameters => _parameters ??= Prefix(s => s.Parameters, _parameterCount);

        /// <summary>The number of trainable and running values in all parameters.</summary>
        public long ParameterCount => Parameters.Sum(p => p.Size);

        /// <summary>A summary in the manner of Keras: each layer, its output shape and parameter count.</summary>
        public override string ToString() => NetworkSummary.Format(InputShape, Layers, Parameters);

        /// <summary>
        /// The network with <paramref name="layer"/> added, checked at once. Appending to the newest network of a chain
        /// adds to storage it shares with its prefixes (they see only their own prefix), so declaring n layers costs
        /// O(n) and an importer can build networks of thousands; appending to an older network copies its prefix first.
        /// </summary>
        private Network Append(Layer layer)
        {
            LayerPath at = PathOf(_count);
            LayerError? error = ShapeRules.Check(layer, OutputShape, at, out Shape output);
            if (error != null) throw new NetworkDefinitionException(error);
            int total = _totalLayers + ShapeRules.Count(layer);
            if (total > Limits.MaxLayers)
            {
                throw new NetworkDefinitionException(new LayerError(new EquatableArray<int>(at.Indices), null, LayerErrorKind.BeyondLimits,
                    $"The network would hold {total} layers, more than the {Limits.MaxLayers} a network may hold {at.Where}"));
            }
            var added = new List<ParameterInfo>();
            ParameterNames.Collect(layer, OutputShape, layer.Name ?? Format.Int(_count), at, added);
            lock (_storage)
            {
                Storage storage = _storage.Layers.Count == _count && _storage.Parameters.Count == _parameterCount ? _storage : _storage.Copy(_count, _parameterCount);
                // A block's chain has provisional names; the network the block joins checks them with their prefix.
                var own = new HashSet<string>(StringComparer.Ordinal);
                foreach (ParameterInfo p in _site == null ? added : new List<ParameterInfo>())
                {
                    if (storage.Names.Contains(p.Name) || !own.Add(p.Name))
                    {
                        throw new NetworkDefinitionException(ParameterNames.Duplicate(p, Layers.Concat(new[] { layer }).ToArray()));
                    }
                }
                storage.Layers.Add(layer);
                storage.Shapes.Add(output);
                storage.Parameters.AddRange(added);
                foreach (ParameterInfo p in added) storage.Names.Add(p.Name);
                return new Network(InputShape, output, storage, _count + 1, _parameterCount + added.Count, total, _site, _origin);
            }
        }

        /// <summary>
        /// Builds a block's chain (argument <paramref name="argument"/>, chain <paramref name="branch"/> of the block about to
        /// be appended) from a network starting at this network's output.
        /// </summary>
        private EquatableArray<Layer> Grow(Func<Network, Network> build, string argument, int branch, string label)
        {
            if (build is null) throw new ArgumentNullException(argument);
            var start = new Network(OutputShape, OutputShape, new Storage(), 0, 0, 0, new BranchSite(PathOf(_count), branch, label), new object());
            Network body = build(start) ?? throw new ArgumentException("The block's chain returned null.", argument);
            if (!ReferenceEquals(body._origin, start._origin))
            {
                throw new ArgumentException("A block's chain must be grown from its argument (b => b.Conv2D(...)...), not another network.", argument);
            }
            return body.Layers;
        }

        private LayerPath PathOf(int index) => _site is BranchSite site ? site.Block.Inside(site.Branch, site.Label, index) : LayerPath.Top(index);

        // Under the storage's lock: another network of the same chain may be appending to it.
        private T[] Prefix<T>(Func<Storage, List<T>> list, int count)
        {
            lock (_storage) return list(_storage).GetRange(0, count).ToArray();
        }

        /// <summary>Where a chain being built sits: the block's path and the chain's index and label in it.</summary>
        private sealed record BranchSite(LayerPath Block, int Branch, string Label);

        /// <summary>Layers, shapes and parameters shared along a chain of appends, with the parameter names for duplicate checks.</summary>
        private sealed class Storage
        {
            public List<Layer> Layers { get; } = new();

            public List<Shape> Shapes { get; } = new();

            public List<ParameterInfo> Parameters { get; } = new();

            public HashSet<string> Names { get; } = new(StringComparer.Ordinal);

            public Storage Copy(int layers, int parameters)
            {
                var copy = new Storage();
                copy.Layers.AddRange(Layers.GetRange(0, layers));
                copy.Shapes.AddRange(Shapes.GetRange(0, layers));
                copy.Parameters.AddRange(Parameters.GetRange(0, parameters));
                foreach (ParameterInfo p in copy.Parameters) copy.Names.Add(p.Name);
                return copy;
            }
        }
    }
}
