using System.Linq;
using Relucent.Model;

namespace Relucent.Generator.Pipeline
{
    /// <summary>
    /// Everything the emitter needs to write one network class, as value-equal data: an unchanged declaration
    /// compares equal, so the pipeline skips emitting it again.
    /// </summary>
    /// <param name="Namespace">The class's namespace, or "" for the global namespace.</param>
    /// <param name="ContainingTypes">Enclosing types, outermost first.</param>
    /// <param name="ClassName">The class's name.</param>
    /// <param name="SpecMember">The name of the static <c>Network</c> member (<c>Spec</c>).</param>
    /// <param name="UsesDouble">Whether <c>[DoublePrecision]</c> asks for <c>double</c> instead of <c>float</c>.</param>
    /// <param name="Rules">The rule attributes on the class, in a fixed order.</param>
    /// <param name="Input">The network's input shape.</param>
    /// <param name="Layers">The declared layers.</param>
    /// <param name="FilePath">The file declaring the class, where a failure while emitting it is reported.</param>
    /// <param name="BoxLow">EpsilonGammaBox's lower bound (0 without that attribute).</param>
    /// <param name="BoxHigh">EpsilonGammaBox's upper bound (0 without that attribute).</param>
    internal sealed record NetworkClass(
        string Namespace,
        EquatableArray<ContainingType> ContainingTypes,
        string ClassName,
        string SpecMember,
        bool UsesDouble,
        EquatableArray<BackwardRule> Rules,
        Shape Input,
        EquatableArray<Layer> Layers,
        string FilePath,
        double BoxLow = 0,
        double BoxHigh = 0)
    {
        /// <summary>A file name unique in the compilation: <c>Demo.Outer.Mlp.g.cs</c>.</summary>
        public string HintName => FullName + ".g.cs";

        /// <summary>The class as C# names it from the global namespace: <c>Demo.Outer.Mlp</c>.</summary>
        public string FullName => (Namespace.Length > 0 ? Namespace + "." : "") + string.Concat(ContainingTypes.Select(t => t.Name + ".")) + ClassName;
    }

    /// <summary>A type enclosing the network class: its declaration keyword (<c>class</c>, <c>struct</c>, <c>record</c>...) and name.</summary>
    internal sealed record ContainingType(string Keyword, string Name)
    {
        /// <summary><c>partial class Outer</c>, as the generated file reopens it.</summary>
        public string Declaration => "partial " + Keyword + " " + Name;
    }
}
