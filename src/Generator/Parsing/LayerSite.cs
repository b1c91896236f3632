using System.Collections.Generic;
using Relucent.Generator.Pipeline;
using Relucent.Model;

namespace Relucent.Generator.Parsing
{
    /// <summary>
    /// Where one layer call sits in the source: the call (<c>.Conv2D(...)</c>), each explicit argument by parameter name,
    /// and a block's chains by the argument that declares them. Shape errors found later are reported here.
    /// </summary>
    internal sealed class LayerSite
    {
        public LayerSite(LocationInfo call) => Call = call;

        public LocationInfo Call { get; }

        public Dictionary<string, LocationInfo> Arguments { get; } = new Dictionary<string, LocationInfo>();

        /// <summary>A block's chains: the sites of each chain's calls, by the argument declaring the chain.</summary>
        public Dictionary<string, List<LayerSite>> Chains { get; } = new Dictionary<string, List<LayerSite>>();

        /// <summary>The argument's location when it was written, else the call's.</summary>
        public LocationInfo At(string? argument) =>
            argument != null && Arguments.TryGetValue(argument, out LocationInfo? location) ? location : Call;

        /// <summary>The site of the layer at <paramref name="path"/> (see <see cref="LayerPath.Indices"/>) among <paramref name="layers"/>.</summary>
        public static LayerSite Find(IReadOnlyList<Layer> layers, IReadOnlyList<LayerSite> sites, IReadOnlyList<int> path)
        {
            Layer layer = layers[path[0]];
            LayerSite site = sites[path[0]];
            for (int k = 1; k + 1 < path.Count; k += 2)
            {
                Branch branch = layer.Branches[path[k]];
                site = site.Chains[branch.Argument.Name][path[k + 1]];
                layer = branch.Layers[path[k + 1]];
            }
            return site;
        }
    }
}
