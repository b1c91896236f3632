using Relucent.Model;

namespace Relucent.Generator.Pipeline
{
    /// <summary>
    /// Everything the emitter needs to write one network class, as value-equal data: an unchanged declaration
    /// compares equal, so the pipeline skips emitting it again.
    /// </summary>
    /// <param name="Namespace">The class's namespace, or "" for the global namespace.</param>
    /// <param name="ContainingTypes">Enclosing types, outermost first, as their declarations read (<c>partial class Outer</c>).</param>
    /// <param name="ClassName">The class's name.</param>
    /// <param name="SpecMember">The name of the static <c>Network</c> member (<c>Spec</c>).</param>
    /// <param name="UsesDouble">Whether <c>[DoublePrecision]</c> asks for <c>double</c> instead of <c>float</c>.</param>
    /// <param name="Rules">The rule attributes on the class, in a fixed order.</param>
    /// <param name="Input">The network's input shape.</param>
    /// <param name="Layers">The declared layers.</param>
    internal sealed record NetworkClass(
        string Namespace,
        EquatableArray<string> ContainingTypes,
        string ClassName,
        string SpecMember,
        bool UsesDouble,
        EquatableArray<BackwardRule> Rules,
        Shape Input,
        EquatableArray<Layer> Layers)
    {
        /// <summary>A file name unique in the compilation: <c>Demo.Outer.Mlp.g.cs</c>.</summary>
        public string HintName =>
            (Namespace.Length > 0 ? Namespace + "." : "")
            + string.Join(".", System.Linq.Enumerable.Select(ContainingTypes, t => t.Substring(t.LastIndexOf(' ') + 1)))
            + (ContainingTypes.Count > 0 ? "." : "")
            + ClassName + ".g.cs";
    }
}
