using Relucent.Model;

namespace Relucent.Generator.Pipeline
{
    /// <summary>What the parser found for one class: a model to emit (null when an error stops it) and diagnostics.</summary>
    internal sealed record ParseResult(NetworkClass? Model, EquatableArray<DiagnosticInfo> Diagnostics);
}
