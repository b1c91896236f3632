using System;
using System.Collections.Generic;
using System.Linq;

namespace Relucent.Model
{
    /// <summary>
    /// One layer of a declared network: immutable, value-equal data read by the generator at compile time and by the
    /// interpreter at run time. Each kind lives in one file under <c>src/Dsl/Layers</c>, which says everything about it
    /// that does not depend on how it is computed: its DSL call and arguments, its shape rule and its parameters.
    /// </summary>
    public abstract record Layer
    {
        private protected Layer()
        {
        }

        /// <summary>
        /// The name given with <c>name:</c>: it replaces the layer's index in parameter names (as a module name in
        /// <c>nn.Sequential</c>) and addresses the layer for layer attribution.
        /// </summary>
        public string? Name { get; init; }

        /// <summary>The DSL method that declares this kind, its arguments, and how the generator builds it from them.</summary>
        internal abstract LayerCall Call { get; }

        /// <summary>The DSL call with the arguments that differ from their defaults, without <c>name:</c>: <c>Conv2D(4, kernel: 3, padding: 1)</c>.</summary>
        public virtual string Describe() => Call.Method + "(" + string.Join(", ", ArgumentText()) + ")";

        /// <summary>
        /// The call as a declaration writes it, <c>name:</c> included: <c>Conv2D(4, kernel: 3, name: "conv1")</c>. A block's
        /// chains are not part of it (a declaration writes them as lambdas, one layer call at a time).
        /// </summary>
        public string Declaration => Call.Method + "(" + DeclaredArguments + ")";

        /// <summary>The arguments of <see cref="Declaration"/> alone, <c>name:</c> included: <c>4, kernel: 3, name: "conv1"</c>.</summary>
        public string DeclaredArguments => string.Join(", ", ArgumentText().Concat(Name != null ? new[] { "name: " + Format.Literal(Name) } : Array.Empty<string>()));

        /// <summary>The DSL method declaring this kind: <c>Conv2D</c>.</summary>
        public string Method => Call.Method;

        /// <summary>The arguments as a user writes them, defaults left out, <c>name:</c> excluded: <c>4</c>, <c>kernel: 3</c>.</summary>
        private protected abstract IEnumerable<string> ArgumentText();

        /// <summary>Checks this layer receiving <paramref name="input"/> at <paramref name="at"/>; gives its output shape.</summary>
        internal abstract LayerError? Check(Shape input, LayerPath at, out Shape output);

        /// <summary>The parameters this layer holds for <paramref name="input"/>, in <c>state_dict</c> order.</summary>
        internal virtual IEnumerable<ParameterSpec> Parameters(Shape input) => Array.Empty<ParameterSpec>();

        /// <summary>The chains inside a block (a residual branch and its shortcut, concatenated branches); empty for a plain layer.</summary>
        public virtual IReadOnlyList<Branch> Branches => Array.Empty<Branch>();
    }

    /// <summary>One parameter a layer holds: what it is to the layer and its PyTorch shape.</summary>
    internal readonly struct ParameterSpec
    {
        public ParameterSpec(ParameterRole role, params int[] dimensions)
        {
            Role = role;
            Dimensions = dimensions;
        }

        public ParameterRole Role { get; }

        public int[] Dimensions { get; }
    }
}
