using System.ComponentModel;

namespace Relucent
{
    /// <summary>
    /// Turns the first call a user makes on a network class whose code was never generated into an error that says
    /// why. Without Relucent's generator (a project reference to Relucent.Runtime alone, a package reference with its
    /// analyzers excluded, a compiler too old to load it), <c>LeNet.Load(path)</c> would fail with CS0117 "does not
    /// contain a definition for 'Load'", which names no cause. These extension members stand in for the generated
    /// loaders and static properties, so the compiler reports CS0619 with the fix instead.
    /// </summary>
    /// <remarks>
    /// C# looks at extension members only when the type has no applicable member of its own, so a class the
    /// generator ran on always binds to its generated <c>Load</c>: these are reached only where generated code is
    /// missing. Only members the generator writes for every network are stood in for (<c>Create(seed)</c>, but not
    /// <c>Create()</c>, which exists only for networks without parameters), so the message is never wrong about the cause.
    /// </remarks>
    public static class GeneratorMissing
    {
        private const string Cause =
            "Relucent's source generator did not run on this project, so this class has no generated ";

        private const string Fix =
            ". The generator writes it (and Forward, FromTensors and the rule methods) on a partial class marked [Saliency], "
            + "[DeconvNet] or [GuidedBackprop] with one static Network member. Reference the Relucent package, which brings the "
            + "generator; or, beside a project reference to Relucent.Runtime.csproj, add <ProjectReference Include=\"PATH/src/Generator/Relucent.Generator.csproj\" "
            + "OutputItemType=\"Analyzer\" ReferenceOutputAssembly=\"false\" /> (README: Use Relucent in your project).";

        /// <summary>Stand-ins for the generated static members of network class <typeparamref name="TNetwork"/>.</summary>
        /// <typeparam name="TNetwork">The class whose generated member is missing.</typeparam>
        extension<TNetwork>(TNetwork) where TNetwork : class
        {
            /// <summary>Not generated: the generator did not run (see <see cref="GeneratorMissing"/>).</summary>
            /// <param name="seed">Unused.</param>
            [Obsolete(Cause + "Create" + Fix, error: true)]
            [EditorBrowsable(EditorBrowsableState.Never)]
            public static TNetwork Create(int seed) => throw NotGenerated();

            /// <summary>Not generated: the generator did not run (see <see cref="GeneratorMissing"/>).</summary>
            /// <param name="safetensorsPath">Unused.</param>
            [Obsolete(Cause + "Load" + Fix, error: true)]
            [EditorBrowsable(EditorBrowsableState.Never)]
            public static TNetwork Load(string safetensorsPath) => throw NotGenerated();

            /// <summary>Not generated: the generator did not run (see <see cref="GeneratorMissing"/>).</summary>
            /// <param name="safetensorsPath">Unused.</param>
            /// <param name="options">Unused.</param>
            [Obsolete(Cause + "Load" + Fix, error: true)]
            [EditorBrowsable(EditorBrowsableState.Never)]
            public static TNetwork Load(string safetensorsPath, ParameterBindingOptions options) => throw NotGenerated();

            /// <summary>Not generated: the generator did not run (see <see cref="GeneratorMissing"/>).</summary>
            /// <param name="safetensors">Unused.</param>
            [Obsolete(Cause + "Load" + Fix, error: true)]
            [EditorBrowsable(EditorBrowsableState.Never)]
            public static TNetwork Load(Stream safetensors) => throw NotGenerated();

            /// <summary>Not generated: the generator did not run (see <see cref="GeneratorMissing"/>).</summary>
            /// <param name="tensors">Unused.</param>
            [Obsolete(Cause + "FromTensors" + Fix, error: true)]
            [EditorBrowsable(EditorBrowsableState.Never)]
            public static TNetwork FromTensors(IReadOnlyDictionary<string, Tensor> tensors) => throw NotGenerated();

            /// <summary>Not generated: the generator did not run (see <see cref="GeneratorMissing"/>).</summary>
            /// <param name="tensors">Unused.</param>
            /// <param name="options">Unused.</param>
            [Obsolete(Cause + "FromTensors" + Fix, error: true)]
            [EditorBrowsable(EditorBrowsableState.Never)]
            public static TNetwork FromTensors(IReadOnlyDictionary<string, Tensor> tensors, ParameterBindingOptions options) => throw NotGenerated();

            /// <summary>Not generated: the generator did not run (see <see cref="GeneratorMissing"/>).</summary>
            [Obsolete(Cause + "Architecture" + Fix, error: true)]
            [EditorBrowsable(EditorBrowsableState.Never)]
            public static Network Architecture => throw NotGenerated();

            /// <summary>Not generated: the generator did not run (see <see cref="GeneratorMissing"/>).</summary>
            [Obsolete(Cause + "ParameterShapes" + Fix, error: true)]
            [EditorBrowsable(EditorBrowsableState.Never)]
            public static IReadOnlyList<ParameterShape> ParameterShapes => throw NotGenerated();
        }

        // Unreachable from C# (the members are errors to call); reflection or another language gets this.
        private static NotSupportedException NotGenerated() =>
            new("Relucent's source generator did not run on the project that calls this member; see Relucent.GeneratorMissing.");
    }
}
