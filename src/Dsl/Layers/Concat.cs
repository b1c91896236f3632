using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Relucent.Model;

#if !RELUCENT_GENERATOR // the generator reads calls from source, through ConcatLayer.Kind
namespace Relucent
{
    public sealed partial class Network
    {
        /// <summary>
        /// Adds two to four parallel branches from one input, their outputs concatenated along the channels
        /// (<c>torch.cat(dim=1)</c>), as GoogLeNet's Inception blocks compute: <c>.Concat(b =&gt; b.Conv2D(16, kernel: 1), b =&gt; b...)</c>;
        /// <c>b =&gt; b</c> is an identity branch. Every branch must give the same height and width. Inner layers are named
        /// <c>{block}.{branch}.{index}</c>, or <c>{block}.{name}</c> when named (<c>name: "branch2.0.conv"</c>).
        /// </summary>
        public Network Concat(Func<Network, Network> first, Func<Network, Network> second, Func<Network, Network>? third = null,
            Func<Network, Network>? fourth = null, string? name = null)
        {
            var chains = new List<EquatableArray<Layer>> { Grow(first, nameof(first), 0, "0"), Grow(second, nameof(second), 1, "1") };
            if (third != null) chains.Add(Grow(third, nameof(third), 2, "2"));
            if (fourth != null)
            {
                if (third == null) throw new ArgumentException("Concat's fourth branch needs a third.", nameof(fourth));
                chains.Add(Grow(fourth, nameof(fourth), 3, "3"));
            }
            return Append(new ConcatLayer(new EquatableArray<EquatableArray<Layer>>(chains)) { Name = name });
        }
    }
}
#endif

namespace Relucent.Model
{
    /// <summary>
    /// <c>.Concat(b =&gt; ..., b =&gt; ...)</c>: parallel branches from one input, their outputs concatenated along the
    /// channels; backward, the signal is split by channel and the branches' input signals summed.
    /// </summary>
    public sealed record ConcatLayer(EquatableArray<EquatableArray<Layer>> Chains) : Layer
    {
        private static readonly Argument[] ChainArguments = { new Argument("first"), new Argument("second"), new Argument("third"), new Argument("fourth") };

        internal static readonly LayerCall Kind = new LayerCall(
            "Concat",
            a => new ConcatLayer(new EquatableArray<EquatableArray<Layer>>(ChainArguments.Select(a.Chain).TakeWhile(c => c != null).Select(c => c!.Value)))
            {
                FourthWithoutThird = a.Chain(ChainArguments[2]) == null && a.Chain(ChainArguments[3]) != null,
                Name = a.Name,
            },
            ChainArguments);

        // A call giving a fourth branch but no third, which the fluent call refuses too; kept so the shape rule reports it.
        internal bool FourthWithoutThird { get; init; }

        internal override LayerCall Call => Kind;

        /// <summary>Each branch, labelled by its index (<c>5.1.0</c>); inner layers named <c>{block}.{branch}.{index}</c> or <c>{block}.{name}</c>.</summary>
        public override IReadOnlyList<Branch> Branches =>
            Chains.Select((chain, i) => new Branch(chain, ChainArguments[i], Label(i), Label(i) + ".", "")).ToArray();

        /// <summary><c>Concat(3 branches)</c>; the branches' layers are listed on their own rows.</summary>
        public override string Describe() => $"Concat({Chains.Count} branches)";

        private protected override IEnumerable<string> ArgumentText() => Array.Empty<string>();

        internal override LayerError? Check(Shape input, LayerPath at, out Shape output)
        {
            output = input;
            if (FourthWithoutThird) return LayerErrors.Invalid(at, ChainArguments[3], "Concat's fourth branch needs a third");
            if (Chains.Count < 2 || Chains.Count > ChainArguments.Length)
            {
                return LayerErrors.Invalid(at, ChainArguments[0], $"Concat takes 2 to {ChainArguments.Length} branches, got {Chains.Count}");
            }
            IReadOnlyList<Branch> branches = Branches;
            var outputs = new Shape[branches.Count];
            for (int b = 0; b < branches.Count; b++)
            {
                LayerError? error = ShapeRules.InferBranch(input, branches[b], b, at, out outputs[b]);
                if (error != null) return error;
                if (!outputs[b].IsImage || outputs[b].Height != outputs[0].Height || outputs[b].Width != outputs[0].Width)
                {
                    return new LayerError(new EquatableArray<int>(at.Indices), ChainArguments[b].Name, LayerErrorKind.ResidualShape,
                        $"Concat branches must agree in height and width: the first gives {outputs[0]}, the {ChainArguments[b].Name} {outputs[b]} {at.Where}");
                }
            }
            long channels = outputs.Sum(s => (long)s.Channels);
            if (WindowArithmetic.Elements(channels, outputs[0].Height, outputs[0].Width) < 0) return LayerErrors.TooLarge(at, $"Concat output of {channels} channels");
            output = Shape.Image((int)channels, outputs[0].Height, outputs[0].Width);
            return null;
        }

        private static string Label(int branch) => branch.ToString(CultureInfo.InvariantCulture);
    }
}
