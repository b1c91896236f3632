using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Relucent.Generator.Diagnostics;
using Relucent.Model;

namespace Relucent.Generator.Pipeline
{
    /// <summary>A diagnostic to report, as value-equal data (descriptor ID, location, message arguments, the fix it allows).</summary>
    internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo Location, EquatableArray<string> Arguments)
    {
        /// <summary>The mechanical fix a code fix may offer, carried as the diagnostic's <see cref="DiagnosticProperties.Fix"/> property.</summary>
        public LayerFix Fix { get; init; }

        public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo location, params string[] arguments) =>
            new DiagnosticInfo(descriptor, location, new EquatableArray<string>(arguments));

        public Diagnostic ToDiagnostic()
        {
            object[] arguments = new object[Arguments.Count];
            for (int i = 0; i < arguments.Length; i++) arguments[i] = Arguments[i];
            ImmutableDictionary<string, string?>? properties = Fix == LayerFix.None
                ? null
                : ImmutableDictionary<string, string?>.Empty.Add(DiagnosticProperties.Fix, Fix.ToString());
            return Diagnostic.Create(Descriptor, Location.ToLocation(), properties, arguments);
        }
    }
}
