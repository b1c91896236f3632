namespace Relucent.References.Lrp;

/// <summary>
/// Which rule each layer of a tape gets, as a Zennit 1.0.0 composite assigns hooks (composites.py): the layer map
/// shared by all (composites.py:255-275: activations and BatchNorm Pass, Sum and average pools Norm), convolutions and
/// dense layers by type, and for the special-first composites the first Conv2d/Linear (…Flat) or the first Conv2d
/// (EpsilonGammaBox) in named_modules() order (composites.py:80-106). Per-layer overrides play Zennit's name map.
/// </summary>
public sealed class Composite
{
    private Composite(string name, string zennit, AffineRule convolution, AffineRule dense, AffineRule? first, bool firstConvolutionOnly)
    {
        Name = name;
        Zennit = zennit;
        Convolution = convolution;
        Dense = dense;
        First = first;
        FirstConvolutionOnly = firstConvolutionOnly;
    }

    /// <summary>Zennit's registry name (composites.py register_composite), used in tensor names.</summary>
    public string Name { get; private init; }

    /// <summary>The Zennit call that gives the same rules, for the README.</summary>
    public string Zennit { get; private init; }

    public AffineRule Convolution { get; }

    public AffineRule Dense { get; }

    public AffineRule? First { get; }

    public bool FirstConvolutionOnly { get; }

    /// <summary>Rules by module name, ahead of everything else (Zennit: a name map, or a layer map prepended by type).</summary>
    public IReadOnlyDictionary<string, AffineRule> Overrides { get; private init; } = new Dictionary<string, AffineRule>();

    /// <summary>The Norm rule's stabiliser (pools and residual sums).</summary>
    public double NormEpsilon { get; private init; } = Stabilizer.Default;

    /// <summary>
    /// False plays Zennit's defect of issues #49 and #236: a residual sum that is not a hooked module (a functional
    /// <c>+</c>, or a Sum created after the composite registered its hooks) gets no rule, so its plain gradient hands
    /// the whole relevance to both summands.
    /// </summary>
    public bool HookedSum { get; private init; } = true;

    public static Composite EpsilonPlus() =>
        new("epsilon_plus", "EpsilonPlus()", new ZPlusRule(), new EpsilonRule(), null, false);

    public static Composite EpsilonPlusFlat() =>
        new("epsilon_plus_flat", "EpsilonPlusFlat()", new ZPlusRule(), new EpsilonRule(), new FlatRule(), false);

    public static Composite EpsilonAlpha2Beta1() =>
        new("epsilon_alpha2_beta1", "EpsilonAlpha2Beta1()", new AlphaBetaRule(), new EpsilonRule(), null, false);

    public static Composite EpsilonAlpha2Beta1Flat() =>
        new("epsilon_alpha2_beta1_flat", "EpsilonAlpha2Beta1Flat()", new AlphaBetaRule(), new EpsilonRule(), new FlatRule(), false);

    public static Composite EpsilonGammaBox(double low, double high) =>
        new("epsilon_gamma_box", $"EpsilonGammaBox(low={AffineRule.Py(low)}, high={AffineRule.Py(high)})", new GammaRule(), new EpsilonRule(), new ZBoxRule(low, high), true);

    /// <summary>
    /// LRP-0 on every layer (ε = 1e-300, only so that 0/0 cannot happen): on a ReLU network with max pools, average
    /// pools and sums this is the input times the gradient of the target logit divided by the logit, an independent
    /// check of the tape against libtorch's own gradient.
    /// </summary>
    public static Composite Lrp0()
    {
        var rule = new EpsilonRule(1e-300);
        return new("lrp0", "EpsilonPlus(epsilon=1e-300, stabilizer=1e-300, layer_map=[(Convolution, Epsilon(1e-300))])", rule, rule, null, false) { NormEpsilon = 1e-300 };
    }

    public static Composite[] Five(double low, double high) =>
        new[] { EpsilonPlus(), EpsilonPlusFlat(), EpsilonAlpha2Beta1(), EpsilonAlpha2Beta1Flat(), EpsilonGammaBox(low, high) };

    /// <summary>This composite with <paramref name="rule"/> on the named layers.</summary>
    public Composite With(string name, string zennit, IEnumerable<string> layers, AffineRule rule) =>
        new(name, zennit, Convolution, Dense, First, FirstConvolutionOnly)
        {
            Overrides = new Dictionary<string, AffineRule>(Overrides.Concat(layers.Select(l => KeyValuePair.Create(l, rule)))),
            NormEpsilon = NormEpsilon,
            HookedSum = HookedSum,
        };

    /// <summary>This composite with residual sums left unhooked (Zennit's defect, see <see cref="HookedSum"/>).</summary>
    public Composite Unhooked() =>
        new(Name + "_unhooked_sum", Zennit + " with the residual sum not a hooked module", Convolution, Dense, First, FirstConvolutionOnly)
        {
            Overrides = Overrides,
            NormEpsilon = NormEpsilon,
            HookedSum = false,
        };

    public AffineRule RuleFor(AffineStep step, Tape tape)
    {
        if (Overrides.TryGetValue(step.Name, out var rule)) return rule;
        if (First is not null && step.Name == (FirstConvolutionOnly ? tape.FirstConvolution : tape.FirstAffine)) return First;
        return step.IsConvolution ? Convolution : Dense;
    }
}
