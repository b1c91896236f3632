using Microsoft.CodeAnalysis;
using Relucent.Model;

namespace Relucent.Generator.Pipeline
{
    /// <summary>A diagnostic to report, as value-equal data (descriptor ID, location, message arguments).</summary>
    internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo Location, EquatableArray<string> Arguments)
    {
        public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo location, params string[] arguments) =>
            new DiagnosticInfo(descriptor, location, new EquatableArray<string>(arguments));

        public Diagnostic ToDiagnostic(Compilation compilation)
        {
            object[] arguments = new object[Arguments.Count];
            for (int i = 0; i < arguments.Length; i++) arguments[i] = Arguments[i];
            return Diagnostic.Create(Descriptor, Location.ToLocation(compilation), arguments);
        }
    }
}
