using System.Collections.Generic;
using Relucent.Model;

#if !RELUCENT_GENERATOR // the generator reads calls from source, through DenseLayer.Kind
namespace Relucent
{
    public sealed partial class Network
    {
        /// <summary>Adds a fully connected layer <c>y = W·x + b</c> with <c>W</c> of shape <c>[units, in]</c>, as <c>nn.Linear</c>; <paramref name="rule"/> is the LRP rule it takes whatever the class's composite (null: the composite's).</summary>
        public Network Dense(int units, LrpRule? rule = null, string? name = null) => Append(new DenseLayer(units) { Name = name, Rule = rule });
    }
}
#endif

namespace Relucent.Model
{
    /// <summary><c>.Dense(units)</c>: <c>y = W·x + b</c>, PyTorch <c>nn.Linear</c>; <c>weight [units, in]</c>, <c>bias [units]</c>.</summary>
    public sealed record DenseLayer(int Units) : Layer
    {
        private static readonly Argument UnitsArgument = new Argument("units");
        private static readonly Argument RuleArgument = new Argument("rule");

        internal static readonly LayerCall Kind = new LayerCall("Dense", a => new DenseLayer(a.Int(UnitsArgument)) { Name = a.Name, Rule = a.Rule(RuleArgument) },
            UnitsArgument, RuleArgument);

        /// <summary>The LRP rule this layer takes whatever the composite (<c>rule:</c>), or null for the composite's.</summary>
        public LrpRule? Rule { get; init; }

        internal override LayerCall Call => Kind;

        private protected override IEnumerable<string> ArgumentText()
        {
            yield return Format.Int(Units);
            if (Rule != null) yield return "rule: " + Rule;
        }

        internal override LayerError? Check(Shape input, LayerPath at, out Shape output)
        {
            output = input;
            LayerError? error = LayerErrors.Positive(at, "Dense", UnitsArgument, Units) ?? LayerErrors.ValidRule(at, RuleArgument, Rule)
                ?? LayerErrors.NeedsVector(at, "Dense", input);
            if (error != null) return error;
            if (WindowArithmetic.Elements(Units, input.Size) < 0) return LayerErrors.TooLarge(at, $"Dense weight [{Units}, {input.Size}]");
            output = Shape.Vector(Units);
            return null;
        }

        internal override IEnumerable<ParameterSpec> Parameters(Shape input)
        {
            yield return new ParameterSpec(ParameterRole.Weight, Units, (int)input.Size);
            yield return new ParameterSpec(ParameterRole.Bias, Units);
        }
    }
}
