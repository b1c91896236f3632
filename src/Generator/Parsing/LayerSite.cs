using System.Collections.Generic;
using Relucent.Generator.Pipeline;

namespace Relucent.Generator.Parsing
{
    /// <summary>
    /// Where one layer call sits in the source: the call (<c>.Conv2D(...)</c>), each explicit argument by parameter
    /// name, and a residual branch's own calls. Shape errors found later are reported here.
    /// </summary>
    internal sealed class LayerSite
    {
        public LayerSite(LocationInfo call) => Call = call;

        public LocationInfo Call { get; }

        public Dictionary<string, LocationInfo> Arguments { get; } = new Dictionary<string, LocationInfo>();

        public List<LayerSite> Body { get; } = new List<LayerSite>();

        /// <summary>The argument's location when it was written, else the call's.</summary>
        public LocationInfo At(string? argument) =>
            argument != null && Arguments.TryGetValue(argument, out LocationInfo? location) ? location : Call;
    }
}
