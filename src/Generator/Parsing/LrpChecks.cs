using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Relucent.Generator.Diagnostics;
using Relucent.Generator.Pipeline;
using Relucent.Model;

namespace Relucent.Generator.Parsing
{
    /// <summary>What an LRP composite on a class needs of it: layers LRP has rules for, and EpsilonGammaBox's bounds.</summary>
    internal static class LrpChecks
    {
        private const string GammaBox = "Relucent.EpsilonGammaBoxAttribute";

        /// <summary>
        /// Reports a layer without an LRP rule at its call, and bounds that are not an interval at the attribute; reads the bounds
        /// (rounded to float32 first, as Zennit 1.0.0 makes a scalar bound a float32 tensor, core.py:158-160).
        /// </summary>
        public static bool Check(INamedTypeSymbol type, BackwardRule[] rules, List<Layer> layers, List<LayerSite> sites, List<DiagnosticInfo> diagnostics,
            out double low, out double high)
        {
            low = high = 0;
            BackwardRule[] composites = rules.Where(r => r.IsLrp()).ToArray();
            if (composites.Length == 0) return true;
            if (LrpComposites.Unsupported(layers) is LayerPath path)
            {
                LayerSite site = LayerSite.Find(layers, sites, path.Indices);
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LrpUnsupportedLayer, site.Call, type.Name, composites[0].ToString(),
                    "layer " + path.Label + " (" + Describe(layers, path) + ")"));
                return false;
            }
            AttributeData? box = type.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == GammaBox);
            if (box == null) return true;
            if (box.ConstructorArguments.Length != 2 || !(box.ConstructorArguments[0].Value is double l) || !(box.ConstructorArguments[1].Value is double h))
            {
                return true; // the compiler reports the attribute's own errors
            }
            low = (float)l;
            high = (float)h;
            if (double.IsNaN(low) || double.IsInfinity(low) || double.IsNaN(high) || double.IsInfinity(high) || !(low < high))
            {
                SyntaxNode? syntax = box.ApplicationSyntaxReference?.GetSyntax();
                LocationInfo at = syntax is AttributeSyntax attribute && attribute.ArgumentList?.Arguments.Count > 0
                    ? LocationInfo.From(attribute.ArgumentList)
                    : LocationInfo.From(syntax?.GetLocation() ?? type.Locations[0]);
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LrpBadBounds, at, l.ToString("R", CultureInfo.InvariantCulture), h.ToString("R", CultureInfo.InvariantCulture)));
                return false;
            }
            return true;
        }

        private static string Describe(IReadOnlyList<Layer> layers, LayerPath path)
        {
            int[] indices = path.Indices;
            Layer layer = layers[indices[0]];
            for (int k = 1; k + 1 < indices.Length; k += 2) layer = layer.Branches[indices[k]].Layers[indices[k + 1]];
            return layer.Describe();
        }
    }
}
