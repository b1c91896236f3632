using Relucent.Model;

namespace Relucent
{
    /// <summary>
    /// An LRP rule given to one Conv2D or Dense layer in the declaration (<c>.Conv2D(64, kernel: 3, rule: LrpRule.Gamma(0.25))</c>),
    /// overriding what the class's composite would give it, as Zennit's <c>layer_map</c> and name-map composites do. The
    /// rules are Zennit 1.0.0's (<c>src/zennit/rules.py</c>), with its stabiliser ε = 1e-6.
    /// </summary>
    public sealed record LrpRule
    {
        private LrpRule(LrpRuleKind kind, double gamma = 0, double low = 0, double high = 0)
        {
            Kind = kind;
            GammaValue = gamma;
            Low = low;
            High = high;
        }

        /// <summary>Which rule.</summary>
        public LrpRuleKind Kind { get; }

        /// <summary>γ of the Gamma rule (0 for the others).</summary>
        public double GammaValue { get; }

        /// <summary>ZBox's lower bound (0 for the others).</summary>
        public double Low { get; }

        /// <summary>ZBox's upper bound (0 for the others).</summary>
        public double High { get; }

        /// <summary>ε: <c>R_in = x ⊙ Wᵀ(R / stab(Wx + b))</c> (Zennit's <c>Epsilon()</c>).</summary>
        public static LrpRule Epsilon() => new LrpRule(LrpRuleKind.Epsilon);

        /// <summary>z⁺: the positive contributions alone (Zennit's <c>ZPlus()</c>).</summary>
        public static LrpRule ZPlus() => new LrpRule(LrpRuleKind.ZPlus);

        /// <summary>αβ with α = 2, β = 1 (Zennit's <c>AlphaBeta(alpha=2, beta=1)</c>).</summary>
        public static LrpRule AlphaBeta() => new LrpRule(LrpRuleKind.AlphaBeta);

        /// <summary>The generalised γ rule (Zennit's <c>Gamma(gamma)</c>); <paramref name="gamma"/> must be finite and at least 0.</summary>
        public static LrpRule Gamma(double gamma = LrpComposites.Gamma) => new LrpRule(LrpRuleKind.Gamma, gamma: gamma);

        /// <summary>ZBox for inputs bounded by <paramref name="low"/> and <paramref name="high"/> (Zennit's <c>ZBox(low, high)</c>; rounded to float32 as Zennit does).</summary>
        public static LrpRule ZBox(double low, double high) => new LrpRule(LrpRuleKind.ZBox, low: (float)low, high: (float)high);

        /// <summary>Flat: relevance spread by connection count alone (Zennit's <c>Flat()</c>).</summary>
        public static LrpRule Flat() => new LrpRule(LrpRuleKind.Flat);

        /// <summary>What is wrong with this rule's parameters, or null.</summary>
        public string? Problem() => Kind switch
        {
            LrpRuleKind.Gamma when !(GammaValue >= 0) || double.IsInfinity(GammaValue) => "LrpRule.Gamma needs a finite γ of at least 0, got " + Format.Number(GammaValue),
            LrpRuleKind.ZBox when double.IsNaN(Low) || double.IsInfinity(Low) || double.IsNaN(High) || double.IsInfinity(High) || !(Low < High) =>
                $"LrpRule.ZBox needs finite bounds with low < high, got low = {Format.Number(Low)}, high = {Format.Number(High)}",
            _ => null,
        };

        /// <summary>As the declaration writes it: <c>LrpRule.Gamma(0.25)</c>.</summary>
        public override string ToString() => Kind switch
        {
            LrpRuleKind.Gamma => "LrpRule.Gamma(" + Format.Number(GammaValue) + ")",
            LrpRuleKind.ZBox => "LrpRule.ZBox(" + Format.Number(Low) + ", " + Format.Number(High) + ")",
            _ => "LrpRule." + Kind.ToString() + "()",
        };
    }
}
