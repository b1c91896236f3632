using System;
using System.Collections.Generic;
using Relucent.Model;

#if !RELUCENT_GENERATOR // the generator reads calls from source, through ResidualLayer.Kind
namespace Relucent
{
    public sealed partial class Network
    {
        /// <summary>
        /// Adds a residual block <c>y = f(x) + x</c>, where <paramref name="branch"/> builds <c>f</c> from the block's
        /// input: <c>.Residual(b =&gt; b.Conv2D(8, kernel: 3, padding: 1).ReLU().Conv2D(8, kernel: 3, padding: 1))</c>.
        /// Its layers' parameter names are prefixed with the block's name (or index).
        /// </summary>
        public Network Residual(Func<Network, Network> branch, string? name = null) =>
            Append(new ResidualLayer(Grow(branch, nameof(branch), 0, ResidualLayer.BranchLabel)) { Name = name });
    }
}
#endif

namespace Relucent.Model
{
    /// <summary><c>.Residual(b =&gt; ...)</c>: <c>y = f(x) + x</c>, where <c>f</c> is the branch <see cref="Body"/>.</summary>
    public sealed record ResidualLayer(EquatableArray<Layer> Body) : Layer
    {
        internal const string BranchLabel = "";

        private static readonly Argument BranchArgument = new Argument("branch");

        internal static readonly LayerCall Kind = new LayerCall(
            "Residual",
            a => new ResidualLayer(a.Chain(BranchArgument) ?? EquatableArray<Layer>.Empty) { Name = a.Name },
            BranchArgument);

        internal override LayerCall Call => Kind;

        /// <summary>The branch, whose layers are named <c>{block}.{index}</c> or <c>{block}.{name}</c>.</summary>
        public override IReadOnlyList<Branch> Branches => new[] { new Branch(Body, BranchArgument, BranchLabel, "", "") };

        /// <summary><c>Residual(3 layers)</c>; the branch's layers are listed on their own rows.</summary>
        public override string Describe() => $"Residual({Body.Count} layer{(Body.Count == 1 ? "" : "s")})";

        private protected override IEnumerable<string> ArgumentText() => Array.Empty<string>();

        internal override LayerError? Check(Shape input, LayerPath at, out Shape output)
        {
            output = input;
            LayerError? error = ShapeRules.InferBranch(input, Branches[0], 0, at, out Shape branchOutput);
            if (error != null) return error;
            return branchOutput == input
                ? null
                : new LayerError(new EquatableArray<int>(at.Indices), null, LayerErrorKind.ResidualShape,
                    $"Residual branch turns {input} into {branchOutput}; f(x) + x needs both the same shape {at.Where}");
        }
    }
}
