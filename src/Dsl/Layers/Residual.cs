using System;
using System.Collections.Generic;
using Relucent.Model;

#if !RELUCENT_GENERATOR // the generator reads calls from source, through ResidualLayer.Kind
namespace Relucent
{
    public sealed partial class Network
    {
        /// <summary>
        /// Adds a residual block <c>y = f(x) + x</c>, or <c>y = f(x) + g(x)</c> with a <paramref name="shortcut"/> <c>g</c>
        /// (a projection such as torchvision's <c>downsample</c>), where <paramref name="branch"/> builds <c>f</c> from the
        /// block's input: <c>.Residual(b =&gt; b.Conv2D(8, kernel: 3, padding: 1).ReLU().Conv2D(8, kernel: 3, padding: 1))</c>.
        /// Its branch's parameters are named <c>{block}.{index or name}</c>, its shortcut's <c>{block}.downsample.{index or name}</c>.
        /// </summary>
        public Network Residual(Func<Network, Network> branch, Func<Network, Network>? shortcut = null, string? name = null)
        {
            EquatableArray<Layer> body = Grow(branch, nameof(branch), 0, ResidualLayer.BranchLabel);
            EquatableArray<Layer> projection = shortcut == null ? EquatableArray<Layer>.Empty : Grow(shortcut, nameof(shortcut), 1, ResidualLayer.ShortcutLabel);
            return Append(new ResidualLayer(body) { Shortcut = projection, Name = name });
        }
    }
}
#endif

namespace Relucent.Model
{
    /// <summary>
    /// <c>.Residual(b =&gt; ..., shortcut: s =&gt; ...)</c>: <c>y = f(x) + g(x)</c>, where <c>f</c> is the branch <see cref="Body"/>
    /// and <c>g</c> the <see cref="Shortcut"/>, the identity when it has no layers (<c>y = f(x) + x</c>).
    /// </summary>
    public sealed record ResidualLayer(EquatableArray<Layer> Body) : Layer
    {
        internal const string BranchLabel = "";
        internal const string ShortcutLabel = "shortcut";

        private static readonly Argument BranchArgument = new Argument("branch");
        private static readonly Argument ShortcutArgument = new Argument("shortcut");

        internal static readonly LayerCall Kind = new LayerCall(
            "Residual",
            a => new ResidualLayer(a.Chain(BranchArgument) ?? EquatableArray<Layer>.Empty) { Shortcut = a.Chain(ShortcutArgument) ?? EquatableArray<Layer>.Empty, Name = a.Name },
            BranchArgument, ShortcutArgument);

        /// <summary>The shortcut's layers, torchvision's <c>downsample</c>; none for the identity.</summary>
        public EquatableArray<Layer> Shortcut { get; init; }

        internal override LayerCall Call => Kind;

        /// <summary>The branch (<c>{block}.{index}</c>), then the shortcut when it has layers (<c>{block}.downsample.{index}</c>).</summary>
        public override IReadOnlyList<Branch> Branches => Shortcut.Count == 0
            ? new[] { new Branch(Body, BranchArgument, BranchLabel, "", "") }
            : new[] { new Branch(Body, BranchArgument, BranchLabel, "", ""), new Branch(Shortcut, ShortcutArgument, ShortcutLabel, "downsample.", "downsample.") };

        /// <summary><c>Residual(3 layers)</c>, <c>Residual(3 layers, shortcut of 2)</c>; the chains' layers are listed on their own rows.</summary>
        public override string Describe() =>
            $"Residual({Body.Count} layer{(Body.Count == 1 ? "" : "s")}" + (Shortcut.Count > 0 ? $", shortcut of {Shortcut.Count}" : "") + ")";

        private protected override IEnumerable<string> ArgumentText() => Array.Empty<string>();

        internal override LayerError? Check(Shape input, LayerPath at, out Shape output)
        {
            output = input;
            IReadOnlyList<Branch> branches = Branches;
            LayerError? error = ShapeRules.InferBranch(input, branches[0], 0, at, out Shape branchOutput);
            if (error != null) return error;
            if (branches.Count == 1)
            {
                return branchOutput == input
                    ? null
                    : Disagree(at, null, $"Residual branch turns {input} into {branchOutput}; f(x) + x needs both the same shape {at.Where}");
            }
            error = ShapeRules.InferBranch(input, branches[1], 1, at, out Shape shortcutOutput);
            if (error != null) return error;
            output = branchOutput;
            return branchOutput == shortcutOutput
                ? null
                : Disagree(at, ShortcutArgument, $"Residual branch gives {branchOutput} but its shortcut gives {shortcutOutput}; f(x) + g(x) needs both the same shape {at.Where}");
        }

        private static LayerError Disagree(LayerPath at, Argument? argument, string message) =>
            new LayerError(new EquatableArray<int>(at.Indices), argument?.Name, LayerErrorKind.ResidualShape, message);
    }
}
