namespace Relucent.Model
{
    /// <summary>
    /// The relevance rule one layer takes in an LRP pass, as Zennit 1.0.0 defines it (<c>src/zennit/rules.py</c>). Below,
    /// <c>x</c> is the layer's input, <c>R</c> the relevance at its output, <c>stab(z) = z + ε·(z ≥ 0 ? 1 : −1)</c>, ε = 1e-6.
    /// </summary>
    public enum LrpRuleKind
    {
        /// <summary>ε: <c>R_in = x ⊙ Wᵀ(R / stab(Wx + b))</c>.</summary>
        Epsilon,

        /// <summary>z⁺: <c>R_in = x⁺ ⊙ W⁺ᵀs + x⁻ ⊙ W⁻ᵀs</c>, <c>s = R / stab(W⁺x⁺ + b⁺ + W⁻x⁻)</c>.</summary>
        ZPlus,

        /// <summary>αβ with α = 2, β = 1: the positive and negative contributions normalised apart, weighted 2 and −1.</summary>
        AlphaBeta,

        /// <summary>The generalised γ rule (γ = 0.25): the output's sign picks a denominator favouring contributions of that sign.</summary>
        Gamma,

        /// <summary>ZBox (z^B): <c>R_in = x⊙Wᵀs − l⊙W⁺ᵀs − h⊙W⁻ᵀs</c>, <c>s = R / stab(Wx + b − (W⁺l + b⁺) − (W⁻h + b⁻))</c>.</summary>
        ZBox,

        /// <summary>Flat: <c>R_in = 1ᵀ(R / stab(1·1))</c>, relevance spread by connection count alone.</summary>
        Flat,

        /// <summary>Norm, for parameter-free linear layers (average pools, residual sums): <c>R_in = x ⊙ gᵀ(R / stab(g(x)))</c>.</summary>
        Norm,

        /// <summary>Pass: <c>R_in = R</c> (activations, a BatchNorm merged into the layer before it, flattening, dropout).</summary>
        Pass,

        /// <summary>The plain gradient: max pooling sends each window's relevance to its winner; a concatenation splits it by channel.</summary>
        Gradient,
    }
}
