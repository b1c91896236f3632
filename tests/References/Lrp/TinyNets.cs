using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Relucent.References.Lrp;

/// <summary>
/// A tiny network that isolates one rule (or one kind of layer), as nn.Sequential so its state_dict names are
/// PyTorch's and Relucent's ("0.weight", "2.0.weight", "4.downsample.0.weight").
/// </summary>
/// <param name="Purpose">What it checks, for the README.</param>
/// <param name="Declaration">The same network in Relucent's DSL.</param>
/// <param name="Build">The model with its weights (seeded, or fixed by hand) and the input, batch of one.</param>
/// <param name="Targets">Output classes to seed; null for the largest and the smallest logit.</param>
/// <param name="Seed">A general seed (not one-hot) to propagate as well, or null.</param>
public sealed record TinyNet(string Name, string Purpose, string Declaration, ulong RandomSeed,
    Func<Generator, (Modules.Sequential Model, Tensor Input)> Build, Composite[] Composites,
    int[]? Targets = null, double[]? Seed = null, bool Unhooked = false);

/// <summary>The tiny networks, one rule or layer kind each.</summary>
public static class TinyNets
{
    /// <summary>EpsilonGammaBox's bounds on the tiny networks: asymmetric, so swapped bounds show; exact in float32.</summary>
    public const double Low = -2.0, High = 3.0;

    public static readonly TinyNet[] All = {
        new("handexample",
            "Issue 20's hand-computed example: ε on both dense layers (EpsilonPlus has no convolution); derivation in the README.",
            "Net.Input(2)\n    .Dense(2).ReLU()\n    .Dense(1)", 0,
            _ => Fixed(Sequential(Linear(2, 2), ReLU(), Linear(2, 1)), new[] { 1.0, 2.0 }, new long[] { 2 },
                ("0.weight", new[] { 1.0, 0.5, -1.0, 0.25 }), ("0.bias", new[] { 0.5, 0.0 }),
                ("2.weight", new[] { 2.0, 3.0 }), ("2.bias", new[] { -1.0 })),
            new[] { Composite.EpsilonPlus() }, Targets: new[] { 0 }),
        new("epsilon",
            "ε (rules.py:97-122) on three dense layers; Pass at the ReLUs; also a general seed (0.5, −1, 2) instead of a one-hot.",
            "Net.Input(6)\n    .Dense(5).ReLU()\n    .Dense(4).ReLU()\n    .Dense(3)", 2011,
            g => Seeded(g, Sequential(Linear(6, 5), ReLU(), Linear(5, 4), ReLU(), Linear(4, 3)), g2 => Normal(g2, 6)),
            new[] { Composite.EpsilonPlus() }, Seed: new[] { 0.5, -1.0, 2.0 }),
        new("epsilon_zero",
            "The stabiliser's sign: dyadic weights make logit 0 exactly 0 (denominator +1e-6: sign +1 at zero), logit 2 negative (−1 − 1e-6), and a hidden pre-activation exactly 0.",
            "Net.Input(3)\n    .Dense(3).ReLU()\n    .Dense(3)", 0,
            _ => Fixed(Sequential(Linear(3, 3), ReLU(), Linear(3, 3)), new[] { 1.0, 0.5, -2.0 }, new long[] { 3 },
                ("0.weight", new[] { 1.0, 1.0, 0.25, 1.0, 2.0, 1.0, -1.0, 0.5, 0.5 }), ("0.bias", new[] { 0.5, 0.0, 0.25 }),
                ("2.weight", new[] { 2.0, -1.0, 1.0, 0.5, 1.0, -0.25, -1.0, 0.0, 0.0 }), ("2.bias", new[] { -3.0, 0.25, 0.5 })),
            new[] { Composite.EpsilonPlus() }, Targets: new[] { 0, 1, 2 }),
        new("zplus",
            "z⁺ (rules.py:178-211) on two convolutions, the first fed the raw input with negative values (its W⁻x⁻ term) and both with biases of either sign (b⁺ in the denominator); max pooling passes the gradient.",
            "Net.Input(channels: 2, height: 4, width: 6)\n    .Conv2D(3, kernel: 3, padding: 1).ReLU().MaxPool(2)\n    .Conv2D(4, kernel: 1).ReLU()\n    .Flatten().Dense(3)", 2002,
            g => Seeded(g, Sequential(Conv2d(2, 3, 3, padding: 1), ReLU(), MaxPool2d(2), Conv2d(3, 4, 1), ReLU(), Flatten(), Linear(24, 3)), g2 => Normal(g2, 2, 4, 6)),
            new[] { Composite.EpsilonPlus() }),
        new("alphabeta",
            "α2β1 (rules.py:214-274) on two convolutions, the first without bias and followed by a BatchNorm that Zennit merges into it (its bias becomes (0−μ)·γ/√(var+eps)+β); …Flat puts Flat on the first.",
            "Net.Input(channels: 2, height: 4, width: 6)\n    .Conv2D(3, kernel: 3, padding: 1, bias: false).BatchNorm().ReLU()\n    .Conv2D(4, kernel: 3, stride: 2, padding: 1).ReLU()\n    .Flatten().Dense(3)", 2003,
            g => Seeded(g, Sequential(Conv2d(2, 3, 3, padding: 1, bias: false), BatchNorm2d(3), ReLU(), Conv2d(3, 4, 3, stride: 2, padding: 1), ReLU(), Flatten(), Linear(24, 3)), g2 => Normal(g2, 2, 4, 6)),
            new[] { Composite.EpsilonAlpha2Beta1(), Composite.EpsilonAlpha2Beta1Flat() }),
        new("flat",
            "Flat (rules.py:400-424) on the first convolution, strided and padded so border outputs see fewer inputs.",
            "Net.Input(channels: 2, height: 4, width: 6)\n    .Conv2D(3, kernel: 3, stride: 2, padding: 1).ReLU()\n    .Flatten().Dense(3)", 2004,
            g => Seeded(g, Sequential(Conv2d(2, 3, 3, stride: 2, padding: 1), ReLU(), Flatten(), Linear(18, 3)), g2 => Normal(g2, 2, 4, 6)),
            new[] { Composite.EpsilonPlusFlat() }),
        new("flat_dense",
            "Flat on a first layer that is dense: Zennit's first_map matches any Linear type (types.Linear: convolutions and nn.Linear).",
            "Net.Input(6)\n    .Dense(5).ReLU()\n    .Dense(3)", 2005,
            g => Seeded(g, Sequential(Linear(6, 5), ReLU(), Linear(5, 3)), g2 => Normal(g2, 6)),
            new[] { Composite.EpsilonPlusFlat() }),
        new("zbox",
            "ZBox (rules.py:277-322) on the first convolution with low = −2, high = 3 (the input is drawn inside the box).",
            "Net.Input(channels: 2, height: 4, width: 6)\n    .Conv2D(3, kernel: 3, padding: 1).ReLU()\n    .Flatten().Dense(3)", 2006,
            g => Seeded(g, Sequential(Conv2d(2, 3, 3, padding: 1), ReLU(), Flatten(), Linear(72, 3)), Boxed),
            new[] { Composite.EpsilonGammaBox(Low, High) }),
        new("gamma",
            "The generalised γ = 0.25 (rules.py:125-175): the first convolution sees negative inputs, the second has no ReLU after it, so outputs of both signs carry relevance (the negative pair of denominators). Run with γ on both convolutions (a per-layer rule), and with EpsilonGammaBox (ZBox first).",
            "Net.Input(channels: 2, height: 4, width: 6)\n    .Conv2D(3, kernel: 3, padding: 1, rule: LrpRule.Gamma(0.25)).ReLU()\n    .Conv2D(4, kernel: 3, padding: 1, rule: LrpRule.Gamma(0.25))\n    .Flatten().Dense(3)", 2007,
            g => Seeded(g, Sequential(Conv2d(2, 3, 3, padding: 1), ReLU(), Conv2d(3, 4, 3, padding: 1), Flatten(), Linear(96, 3)), Boxed),
            new[] {
                Composite.EpsilonPlus().With("epsilon_plus_gamma", "EpsilonPlus(layer_map=[(Convolution, Gamma(gamma=0.25))])", new[] { "0", "2" }, new GammaRule(0.25)),
                Composite.EpsilonGammaBox(Low, High),
            }),
        new("avgpool",
            "The Norm rule (rules.py:350-371) on a 2×2 average pool fed the raw input (window sums of either sign).",
            "Net.Input(channels: 2, height: 4, width: 6)\n    .AvgPool(2)\n    .Flatten().Dense(3)", 2008,
            g => Seeded(g, Sequential(AvgPool2d(2), Flatten(), Linear(12, 3)), g2 => Normal(g2, 2, 4, 6)),
            new[] { Composite.EpsilonPlus() }),
        new("adaptive_avgpool",
            "The Norm rule on adaptive average pooling 5×4 → 3×3, whose bins overlap (rows [0,2), [1,4), [3,5); columns [0,2), [1,3), [2,4)).",
            "Net.Input(channels: 2, height: 5, width: 4)\n    .AdaptiveAvgPool(3)\n    .Flatten().Dense(3)", 2009,
            g => Seeded(g, Sequential(AdaptiveAvgPool2d(3), Flatten(), Linear(18, 3)), g2 => Normal(g2, 2, 5, 4)),
            new[] { Composite.EpsilonPlus() }),
        new("residual",
            "The Norm rule on residual sums (ResNet canonizer, torchvision.py:158-159): an identity block and a projection block (in Zennit, each sum a `zennit.layer.Sum` registered in `__init__` over `torch.stack([identity, branch], -1)`); also Zennit's defect where the sum is not a hooked module (#49, #236).",
            "Net.Input(channels: 2, height: 4, width: 6)\n    .Conv2D(3, kernel: 3, padding: 1).ReLU()\n" +
            "    .Residual(b => b.Conv2D(3, kernel: 3, padding: 1).ReLU().Conv2D(3, kernel: 3, padding: 1)).ReLU()\n" +
            "    .Residual(b => b.Conv2D(4, kernel: 3, stride: 2, padding: 1).ReLU().Conv2D(4, kernel: 3, padding: 1),\n" +
            "              shortcut: s => s.Conv2D(4, kernel: 1, stride: 2)).ReLU()\n" +
            "    .Flatten().Dense(3)", 2010,
            g => Seeded(g, Sequential(
                Conv2d(2, 3, 3, padding: 1), ReLU(),
                new ResidualBlock(new nn.Module<Tensor, Tensor>[] { Conv2d(3, 3, 3, padding: 1), ReLU(), Conv2d(3, 3, 3, padding: 1) }, null), ReLU(),
                new ResidualBlock(new nn.Module<Tensor, Tensor>[] { Conv2d(3, 4, 3, stride: 2, padding: 1), ReLU(), Conv2d(4, 4, 3, padding: 1) }, Sequential(Conv2d(3, 4, 1, stride: 2))), ReLU(),
                Flatten(), Linear(24, 3)), g2 => Normal(g2, 2, 4, 6)),
            new[] { Composite.EpsilonPlus() }, Unhooked: true),
    };

    /// <summary>Weights drawn as the torchvision fixtures' (<see cref="Weights.Randomize"/>), then the input.</summary>
    private static (Modules.Sequential, Tensor) Seeded(Generator g, Modules.Sequential model, Func<Generator, Tensor> input)
    {
        model.to(ScalarType.Float64);
        Weights.Randomize(model, g);
        model.eval();
        return (model, input(g).unsqueeze(0));
    }

    private static (Modules.Sequential, Tensor) Fixed(Modules.Sequential model, double[] input, long[] shape, params (string Name, double[] Values)[] parameters)
    {
        model.to(ScalarType.Float64);
        var byName = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        if (!byName.Keys.OrderBy(k => k).SequenceEqual(parameters.Select(p => p.Name).OrderBy(k => k)))
            throw new ArgumentException($"fixed weights name {string.Join(", ", parameters.Select(p => p.Name))}; the model has {string.Join(", ", byName.Keys)}");
        using (torch.no_grad())
            foreach (var (name, values) in parameters) byName[name].copy_(torch.tensor(values, ScalarType.Float64).view(byName[name].shape));
        model.eval();
        return (model, torch.tensor(input, ScalarType.Float64).view(shape).unsqueeze(0));
    }

    private static Tensor Normal(Generator g, params long[] shape) => torch.randn(shape, ScalarType.Float64, generator: g);

    /// <summary>An input drawn uniformly inside [<see cref="Low"/>, <see cref="High"/>], 2×4×6.</summary>
    private static Tensor Boxed(Generator g) => torch.rand(new long[] { 2, 4, 6 }, ScalarType.Float64, generator: g) * (High - Low) + Low;
}
