using System.Globalization;
using System.Text;

namespace Relucent.References.Lrp;

/// <summary>
/// Writes the README beside the LRP fixtures from what was written (tensor lists, sizes, sums, checks), around the
/// fixed account of Zennit 1.0.0's semantics that the tool implements, so it cannot drift from the files.
/// </summary>
public static class LrpReadme
{
    public static void Write(string path, IReadOnlyList<WrittenTiny> tiny, IReadOnlyList<WrittenBig> big)
    {
        var s = new StringBuilder();
        s.Append(Header);
        Checks(s, tiny, big);
        s.Append(Semantics);
        s.Append(Quirks(big));
        s.Append(Defects(tiny, big));
        HandExample(s, tiny.Single(t => t.Net.Name == "handexample"));
        Tiny(s, tiny);
        Big(s, big);
        Sizes(s, tiny, big);
        File.WriteAllText(path, s.ToString());
    }

    private static string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string G(double v, int digits = 6) => v.ToString("G" + digits, CultureInfo.InvariantCulture).Replace("E", "e");

    private static string Shape(long[] shape) => "[" + string.Join(", ", shape) + "]";

    private const string Header = """
# LRP reference fixtures (Zennit 1.0.0)

Written by `tests/References/run.sh lrp` (the libtorch reference tool in `tests/References`, libtorch 2.10 through
TorchSharp-cpu 0.107.0). Do not edit by hand: regenerate with

```sh
tests/References/run.sh lrp        # writes this folder, reading ../torchvision/{resnet18,vgg11_bn}{,.cases}.safetensors
```

Regenerate after the torchvision fixtures change: the ResNet-18 and VGG-11-BN references reuse their weights and
input (the SHA-256 of the files used is listed below). The output is byte-identical on a rerun (float64, libtorch's
CPU kernels on one thread, seeded generators); about 40 s.

These are the references issue 20's LRP is checked against: Zennit 1.0.0's five composites (`EpsilonPlus`,
`EpsilonPlusFlat`, `EpsilonAlpha2Beta1`, `EpsilonAlpha2Beta1Flat`, `EpsilonGammaBox(low, high)`) and per-layer rules,
re-implemented from Zennit's source (tag `1.0.0`, commit `6204e31e1d5d2cb7471d249084712a20c787b360` of
`chr-peters/zennit`, formerly `chr5tphr/zennit`) layer by layer: every transposed product is one
`torch.autograd.grad` call on a modified copy of the layer, as Zennit's `BasicHook.backward` does. Zennit itself
was not run (no Python PyTorch is reachable here); no Zennit code is copied. File and line references below are to
`src/zennit/` at that tag.

## Conventions

- Everything is float64 and for a batch of one, stored without the batch axis; the relevance at the input has the
  input's shape (`[C, H, W]`, or `[n]` for a dense input).
- The target seeds a one-hot at the output, not multiplied by the logit (Zennit's documentation:
  `attributor(input, torch.eye(classes)[[target]])`). Where a `seed` tensor is listed, that vector is the seed.
- Composite names in tensor names are Zennit's registry names (`register_composite`): `epsilon_plus`,
  `epsilon_plus_flat`, `epsilon_alpha2_beta1`, `epsilon_alpha2_beta1_flat`, `epsilon_gamma_box`; plus
  `epsilon_plus_gamma` (a per-layer rule, below) and `epsilon_plus_unhooked_sum` (Zennit's defect, below: not what
  Relucent should produce).
- `relevance.{composite}.target{t}`: the relevance at the input. `relevance.{composite}.target{t}.{module}`: the
  relevance of that module's output tensor, i.e. the total the layers reading it send back (a ReLU's output and
  input carry the same relevance; a block's input gets its branch's share plus its shortcut's).
- `sums.{composite}.target{t}`: `[steps, 2]`, one row per rule-bearing step (Conv2d, Linear, average pool, residual
  sum) in forward order, listed per network below: column 0 the relevance summed over the step's output, column 1
  summed over its input(s). Column 0 minus column 1 is what the step absorbed: its bias and stabiliser for an
  affine layer, the stabiliser for a Norm step. These add up to the relevance lost between output and input
  (ReLU, max pooling and flattening conserve it), which the tool checks.
- Module names are PyTorch's `state_dict` names, which Relucent's parameter names follow (`ParameterNames`): `0`, `2`,
  `2.0`, `4.downsample.0` in the tiny networks, torchvision's in the large ones. `features.1`-style names of a
  BatchNorm are the identity after the merge (their output is the merged layer's output).


""";

    private static void Checks(StringBuilder s, IReadOnlyList<WrittenTiny> tiny, IReadOnlyList<WrittenBig> big)
    {
        var hand = tiny.Single(t => t.Net.Name == "handexample").Runs[0].Result.Input.data<double>().ToArray();
        s.Append("## How the reference was checked (each run; the tool fails otherwise)\n\n");
        s.Append($"- The hand-computed example of issue 20 (below) gives ({R(hand[0])}, {R(hand[1])}): " +
                 $"{(hand.All(v => v == LrpFixtures.HandExample) ? "bit for bit" : "within an ulp of")} the issue's `{R(LrpFixtures.HandExample)}`.\n");
        s.Append("- LRP-0 (ε = 1e-300 on every layer and sum) times the target logit equals the input times libtorch's gradient of " +
                 "the model's own forward, on every network and target: this proves the recorded pass (merged BatchNorm, " +
                 "residual wiring, pooling, flattening order) is the network. Largest relative difference: " +
                 string.Join(", ", big.Select(b => $"{b.Spec.Name} {G(b.Lrp0Worst, 3)}")) + "; tiny networks ≤ 3e-15.\n");
        s.Append("- Every rule-bearing step of every tiny-network run is recomputed without autograd: the step as a dense matrix " +
                 "(read off by applying it to unit inputs), the rule as explicit sums in plain double arithmetic (the same matrix " +
                 "forms as Zennit's own `tests/unit/test_rules.py` replicates). They agree to ≤ 1e-10 of the largest relevance " +
                 "(in practice ~1e-15).\n");
        s.Append("- The recorded pass's logits equal the model's (≤ 1e-12; the merged BatchNorm rounds differently), and the " +
                 "model loaded from `../torchvision/` gives that folder's `logits.0` (≤ 1e-13).\n");
        s.Append("- Relevance absorbed step by step adds up to the relevance lost between output and input; no written input map " +
                 "is near zero (largest magnitude above 1e-6, at most half exactly zero).\n\n");
    }

    private const string Semantics = """
## Zennit 1.0.0, rule by rule (what the reference implements)

**The machinery.** `Composite.register` (core.py:917-939) first applies the canonizers, then walks
`named_modules()` and gives each module the hook its module map returns. `BasicHook.backward` (core.py:770-807)
computes a layer's relevance: for each (input modifier, parameter modifier) pair it makes a new tensor from the
layer's input and runs the layer's own `forward` with temporarily modified parameters (`ParamMod`,
core.py:300-393: only parameters that exist are modified, `zero_params` set to zeros); the `gradient_mapper`
divides the relevance at the output by a stabilised denominator; one `torch.autograd.grad(outputs, inputs,
grad_outputs)` gives the transposed products; the `reducer` combines inputs and gradients. The result replaces the
gradient at the layer's input, so modules without a hook pass relevance on as their plain gradient.

**The stabiliser** (core.py:97-128, `clip=False`): `stab(z) = z + ε·s`, `s = 1[z = 0] + sign(z)`, so sign +1 at
zero and every denominator moves away from zero by ε, not only the small ones. ε = 1e-6 for every rule (Epsilon's
`epsilon`, every other rule's `stabilizer`, composites.py default arguments).

Below `x` is the layer's input, `R` the relevance at its output, `W`, `b` its (merged) parameters,
`x⁺ = max(x, 0)`, `x⁻ = min(x, 0)`, likewise `W⁺`, `W⁻`, `b⁺`, `b⁻`, and `f(x; W, b)` the layer with other
parameters. Each `x⁺`/`x⁻` copy is a separate tensor; `Wᵀs` is the transposed product autograd computes.

| rule | source | denominator(s) | relevance at the input |
|---|---|---|---|
| Epsilon | rules.py:97-122 | `z = f(x; W, b)` | `x ⊙ Wᵀ(R / stab(z))` |
| ZPlus | rules.py:178-211 | `z⁺ = f(x⁺; W⁺, b⁺) + f(x⁻; W⁻, 0)` | `x⁺ ⊙ W⁺ᵀs + x⁻ ⊙ W⁻ᵀs`, `s = R / stab(z⁺)` |
| AlphaBeta(2, 1) | rules.py:214-274 | `zα = f(x⁺; W⁺, b⁺) + f(x⁻; W⁻, 0)`, `zβ = f(x⁺; W⁻, b⁻) + f(x⁻; W⁺, 0)` | `α(x⁺⊙W⁺ᵀsα + x⁻⊙W⁻ᵀsα) − β(x⁺⊙W⁻ᵀsβ + x⁻⊙W⁺ᵀsβ)`, `sα = R/stab(zα)`, `sβ = R/stab(zβ)` |
| Gamma(0.25) | rules.py:125-175 | `z₊ = f(x⁺; W+γW⁺, b+γb⁺) + f(x⁻; W+γW⁻, 0)`, `z₋ = f(x⁺; W+γW⁻, b+γb⁻) + f(x⁻; W+γW⁺, 0)`, `z = f(x; W, b)` | `x⁺⊙((W+γW⁺)ᵀs₊ + (W+γW⁻)ᵀs₋) + x⁻⊙((W+γW⁻)ᵀs₊ + (W+γW⁺)ᵀs₋)`, `s₊ = 1[z > 0]·R/stab(z₊)`, `s₋ = 1[z < 0]·R/stab(z₋)` |
| ZBox(l, h) | rules.py:277-322 | `z = f(x; W, b) − (f(l; W⁺, b⁺) + f(h; W⁻, b⁻))` (the biases cancel) | `x⊙Wᵀs − (l⊙W⁺ᵀs + h⊙W⁻ᵀs)`, `s = R/stab(z)`, `l`, `h` filled to the input's shape |
| Flat | rules.py:400-424 | `z = f(1; 1, 0)` (input, weights all ones, bias zeroed) | `1ᵀ(R / stab(z))`: the gradient alone, not times the input |
| Norm | rules.py:350-371 | `z = g(x)` for a parameter-free linear `g` | `x ⊙ g'ᵀ(R / stab(z))` |
| Pass | rules.py:325-347 | — | `R` unchanged |
| (none) | — | — | the plain gradient: max pooling sends each window's relevance to its winner, Dropout (eval) and `torch.flatten` pass it |

**The composites** (composites.py). All five share `layer_map_base` (composites.py:255-275): activations (types.py:125-150,
ReLU and ReLU6 among them) and BatchNorm get Pass; `zennit.layer.Sum` and average pools (types.py:101-110:
AvgPool1-3d and AdaptiveAvgPool1-3d) get Norm; max pooling (types.py:113-122) gets nothing.

| composite | source | every Conv2d | every nn.Linear | the first layer |
|---|---|---|---|---|
| `EpsilonPlus()` | composites.py:339-372 | ZPlus | Epsilon | — |
| `EpsilonPlusFlat()` | composites.py:411-454 | ZPlus | Epsilon | Flat on the first Conv2d or nn.Linear |
| `EpsilonAlpha2Beta1()` | composites.py:375-408 | AlphaBeta(2, 1) | Epsilon | — |
| `EpsilonAlpha2Beta1Flat()` | composites.py:457-500 | AlphaBeta(2, 1) | Epsilon | Flat on the first Conv2d or nn.Linear |
| `EpsilonGammaBox(low, high)` | composites.py:278-336 | Gamma(0.25) | Epsilon | ZBox(low, high) on the first Conv2d |

"First" is `SpecialFirstLayerMapComposite.mapping` (composites.py:80-106): the first module in `named_modules()`
order, i.e. registration (declaration) order, whose type is in `first_map`: for the …Flat composites
`types.Linear` (types.py:83-88: convolutions and nn.Linear, so a dense first layer gets Flat too), for
EpsilonGammaBox `types.Convolution` only (a dense layer before the first convolution keeps Epsilon). Exactly one
layer gets the first rule. A per-layer rule is Zennit's `layer_map`/`first_map` argument (prepended to the
composite's maps) or a `NameMapComposite` / `NameLayerMapComposite` (composites.py:109-216).

**The canonizers.** Zennit's numbers for these models need `canonizers=[ResNetCanonizer()]` or `[VGGCanonizer()]`;
the fixtures assume them.

- `SequentialMergeBatchNorm` (canonizers.py:153-189) walks the leaves depth-first and merges a BatchNorm that comes
  right after a Conv2d or nn.Linear (canonizers.py:117-150): `scale = γ / (var + eps)^0.5`, `W' = W·scale` per output
  channel, `b' = (b − μ)·scale + β` (a layer without bias gets a zero bias first, canonizers.py:134-135); the
  BatchNorm becomes the identity (μ 0, var 1, β 0, γ 1, eps 0: canonizers.py:145-150) and gets Pass. The merged
  layer's rule sees the merged weights and bias. `VGGCanonizer` (torchvision.py:26-27) is exactly this.
- `ResNetCanonizer` (torchvision.py:166-175) merges the BatchNorms and replaces each torchvision `BasicBlock` /
  `Bottleneck` forward (torchvision.py:60-97, 130-163) by one that ends `out = canonizer_sum(stack([identity, out],
  -1))` (torchvision.py:92-93, 158-159), `canonizer_sum` a `Sum` module (layer.py:22-48) set on the block before
  the hooks are assigned, so it gets Norm: `R_identity = identity · R / stab(identity + out)`,
  `R_out = out · R / stab(identity + out)`. The ReLU after it gets Pass.


""";

    private static string Quirks(IReadOnlyList<WrittenBig> big)
    {
        var vgg = big.FirstOrDefault(b => b.Spec.Name == "vgg11_bn");
        string pool = vgg?.PoolQuirk is not { } q ? "" :
            $" On the VGG-11-BN fixture (`epsilon_plus`, target {vgg.Runs[0].Target}) the stabiliser moves the pool's input relevance by " +
            $"{G(q.Relative, 3)} of its largest value (ε = 1e-6 against ε → 0), one value by {G(q.Elementwise, 3)} of itself (at a pool input of {G(q.Value, 3)}).";
        return $"""
## Zennit's quirks (kept: they change numbers, so Relucent must reproduce them)

1. **ε everywhere, sign +1 at zero.** Every denominator is shifted by ±1e-6, also far from zero, so no rule conserves
   exactly; a denominator of exactly 0 becomes +1e-6 (`epsilon_zero`: a logit of exactly 0 gives relevance ~1e6).
2. **z⁺ keeps the positive bias and counts negative inputs.** ZPlus's denominator is `W⁺x⁺ + b⁺ + W⁻x⁻`
   (rules.py:201-206: `ClampMod(min=0)` keeps `b⁺`, the second copy's bias is zeroed): the positive bias absorbs
   relevance, and a layer fed negative inputs (the first convolution under EpsilonPlus sees the raw image) gives
   them relevance through `W⁻x⁻ ≥ 0`, "effectively α = 1, β = 0 with negative inputs allowed" (rules.py:191-195).
3. **αβ splits the bias by sign**: `b⁺` in the α denominator, `b⁻` in the β one; `x⁻` enters both parts.
4. **γ is the generalised rule** (Andéol et al.): the plain output's sign picks the pair of denominators, each with
   the full bias plus γ times its positive (negative) part; an output of exactly 0 passes nothing.
5. **ZBox's biases cancel but are computed** (`(Wx + b) − ((W⁺l + b⁺) + (W⁻h + b⁻))`), which rounds differently
   from `Wx − W⁺l − W⁻h` at 1e-16. Scalar bounds become `torch.tensor(bound)` (core.py:158-160) in PyTorch's
   default dtype, float32, before `.to(input)`: a bound not exact in float32 (ImageNet's −2.1179) is rounded there.
   The fixtures use bounds exact in float32 (−2, 3 and −4, 4.5), and the tool refuses others.
6. **Flat ignores weights and input**: relevance spreads by connection count, padding included (border outputs
   have smaller denominators); its bias is zeroed, so it absorbs only the stabiliser.
7. **The Norm rule on average pools**, even where pooling does nothing: each bin's relevance is shared by value and
   shrunk by `z/(z + ε)`. VGG's `AdaptiveAvgPool2d((7, 7))` is the identity on the 7×7 map of a 224×224 input,
   yet Zennit still divides and multiplies by each value, `R_in = x·R/(x + ε)`, about ε/x relative from a plain
   pass. (Here VGG's map is 2×1 and the pool spreads it over 49 bins of one or two values each.){pool}
8. **The residual sum splits by value**, negative parts included: when `identity + out` is near 0 both shares are
   large with opposite signs (Zennit #148).
9. **BatchNorm is merged**, its eps folded into the weights (the identity BatchNorm then has eps 0, from c30e3cc).
10. **First layer by registration order**, not by execution order (the same for every network here).
11. **ReLU passes relevance** (Pass, no masking by `x > 0`). Every rule here multiplies by its input, which is 0 where
    the ReLU cut, so this changes nothing unless an unhooked sum (below) hands relevance to a zero activation.
12. **Max pooling is winner-takes-all** (its gradient; the first maximum on ties, which after a ReLU are zeros that
    carry no relevance).


""";
    }

    private static string Defects(IReadOnlyList<WrittenTiny> tiny, IReadOnlyList<WrittenBig> big)
    {
        string Sum(LrpRun? run) => run is null ? "—" : R(run.Result.Input.sum().item<double>());
        var resnet = big.FirstOrDefault(b => b.Spec.Name == "resnet18");
        var residual = tiny.FirstOrDefault(t => t.Net.Name == "residual");
        string numbers = "";
        if (resnet is not null)
        {
            var hooked = resnet.Runs.First(r => r.Composite.Name == "epsilon_plus");
            var unhooked = resnet.Runs.First(r => r.Composite.Name == "epsilon_plus_unhooked_sum");
            numbers += $"\n  - ResNet-18, `epsilon_plus`, target {hooked.Target}: the input relevance sums to {Sum(hooked)} with Norm at the sums, to {Sum(unhooked)} unhooked (`relevance.epsilon_plus_unhooked_sum.target{unhooked.Target}`).";
        }
        if (residual is not null)
        {
            foreach (var hooked in residual.Runs.Where(r => r.Composite.Name == "epsilon_plus"))
            {
                var unhooked = residual.Runs.First(r => r.Composite.Name == "epsilon_plus_unhooked_sum" && r.Target == hooked.Target);
                numbers += $"\n  - The tiny `residual` network, target {hooked.Target}: {Sum(hooked)} (Norm) against {Sum(unhooked)} (unhooked).";
            }
        }
        var sums = resnet?.Runs.Where(r => r.Composite.Name != "epsilon_plus_unhooked_sum").Select(r => r.Result.Input.sum().item<double>()).ToList();
        string negative = sums is null ? "" : $"from {G(sums.Min(), 3)} to {G(sums.Max(), 3)} over its {sums.Count} runs (table below)";
        return $"""
## Zennit's defects (not to be copied; where Zennit's number differs, both are recorded)

- **A residual sum that is not a hooked module gets no rule** (issues #49 and #236). Zennit attaches rules to
  modules, so an addition written as `+` (torchvision's `out += identity`), or a `Sum` module created inside
  `forward` (#236, reported against 1.0.0), or one set after the composite assigned its hooks, keeps its plain
  gradient: both summands receive the whole relevance, and every such block doubles it. #49 (closed by PR #50,
  before 1.0.0) was the ResNet canonizer lacking `BasicBlock`, so ResNet-18/34's sums were plain additions. In
  1.0.0, torchvision ResNets with `ResNetCanonizer` are right: the canonizer sets `canonizer_sum` before the hooks
  are assigned (core.py:930-939). Any other residual network (the canonizers only touch torchvision's own
  `BasicBlock`/`Bottleneck` classes, torchvision.py:52, 122) or a Sum made in `forward` gets the defect. Relucent's
  `Residual` block must always take the Norm rule; `relevance.epsilon_plus_unhooked_sum.*` records Zennit's wrong
  number (Pass at the ReLUs then carries relevance into activations that are 0) so a test can assert Relucent does
  not produce it.{numbers}
- **ResNet relevance can sum to a negative number at the input** (issue #194, open; since the BatchNorm-merge fix
  c30e3cc, which 1.0.0 contains). The maintainer traces it to relevance leaking to biases (#193) combined with skip
  connections. It follows from the rules as defined, not from the hooks, so Relucent matches Zennit's numbers here
  and its conservation report should show where the bias absorbed relevance. On the narrow random ResNet-18 the
  input sums stay positive: {negative}.
- **A module called twice keeps only its last input** (core.py:767 stores one input per hook). torchvision's ResNet
  reuses its `relu` module, but Pass stores none, so no number changes here; a weight-shared Conv2d or Linear would be
  wrong in Zennit. Relucent declares every layer once, so there is nothing to record.


""";
    }

    private static void HandExample(StringBuilder s, WrittenTiny hand)
    {
        var run = hand.Runs[0];
        double s2 = 1.0 / (4.0 + 1e-6);
        var r1 = run.Result.At("1").data<double>().ToArray();
        var rx = run.Result.Input.data<double>().ToArray();
        double s1 = r1[0] / (2.5 + 1e-6);
        s.Append($"""
## The hand-computed example (`handexample`)

Issue 20's 2-2-1 ReLU network under EpsilonPlus (two nn.Linear layers, so ε on both; there is no convolution):
`x = (1, 2)`, `W¹ = [[1, 0.5], [−1, 0.25]]`, `b¹ = (0.5, 0)`, `W² = [[2, 3]]`, `b² = −1`, one-hot seed on the single output.

1. Forward: `z¹ = W¹x + b¹ = (1·1 + 0.5·2 + 0.5, −1·1 + 0.25·2 + 0) = (2.5, −0.5)`; `a¹ = ReLU(z¹) = (2.5, 0)`;
   `y = W²a¹ + b² = 2·2.5 + 3·0 − 1 = 4`.
2. Output layer, ε: `stab(4) = 4 + 1e-6·sign(4) = 4.000001`; `s² = 1 / 4.000001 = {R(s2)}`;
   `R(a¹) = a¹ ⊙ W²ᵀs² = (2.5·2·s², 0·3·s²) = ({R(r1[0])}, {R(r1[1])})`. It sums to more than the seed's 1: the
   negative bias `b² = −1` adds relevance (this layer's row in `sums`: output 1, input {R(r1.Sum())}).
3. ReLU, Pass: `R(z¹) = R(a¹)`.
4. First layer, ε: `stab(z¹) = (2.5 + 1e-6, −0.5 − 1e-6) = (2.500001, −0.500001)`;
   `s¹ = R(z¹) / stab(z¹) = ({R(s1)}, 0)`.
5. `R(x) = x ⊙ W¹ᵀs¹ = (1·(1·s¹₁ − 1·s¹₂), 2·(0.5·s¹₁ + 0.25·s¹₂)) = (s¹₁, s¹₁)`
   `= ({R(rx[0])}, {R(rx[1])})`, i.e. `5 / (4.000001 · 2.500001)` each. The bias `b¹₁ = 0.5` kept a fifth of
   unit 1's relevance (0.5 of 2.5), so the input holds {R(rx.Sum())}.

`handexample.safetensors` holds `0.weight`, `0.bias`, `2.weight`, `2.bias`; its cases `input`, `logits`,
`relevance.epsilon_plus.target0` (step 5), `relevance.epsilon_plus.target0.0` and `.1` (steps 3 and 2, equal),
`sums.epsilon_plus.target0`.


""");
    }

    private static void Tiny(StringBuilder s, IReadOnlyList<WrittenTiny> tiny)
    {
        s.Append("""
## The tiny networks (one rule or layer kind each)

Each `{name}.safetensors` is the `state_dict` as `safetensors.torch.save_file` writes it (float64; BatchNorm's
`num_batches_tracked` as I64); each `{name}.cases.safetensors` holds `input`, `logits` and the runs. Seeded weights
are drawn as the torchvision fixtures' (`Weights.Randomize`: Conv2d and Linear weights `N(0, 2/fan_in)`, biases
`N(0, 0.1²)`, BatchNorm `running_mean ~ N(0, 0.1²)`, `running_var ~ U(0.5, 1.5)`, `γ ~ U(0.5, 1.5)`,
`β ~ N(0, 0.1²)`, eps 1e-5) from a `torch.Generator` with the listed seed, then the input (`N(0, 1)`, or
`U(−2, 3)` inside the ZBox bounds). Targets are the largest and the smallest logit unless listed. The declaration is
the network in Relucent's DSL (`rule:` is issue 20's per-layer argument, not yet in the DSL); give it the composite's
attribute and `DoublePrecision`.


""");
        s.Append("| network | checks | input | composites | targets | weights bytes | cases bytes |\n|---|---|---|---|---|---:|---:|\n");
        foreach (var t in tiny)
        {
            var composites = t.Runs.Select(r => r.Composite.Name).Distinct();
            var targets = t.Runs.Select(r => r.Target).Distinct().Select(v => v >= 0 ? v.ToString() : "seed");
            s.Append($"| `{t.Net.Name}` | {t.Net.Purpose} | {Shape(t.Tape.Values[0].shape.Skip(1).ToArray())} | {string.Join(", ", composites.Select(c => $"`{c}`"))} | {string.Join(", ", targets)} | {t.WeightsBytes:N0} | {t.CasesBytes:N0} |\n");
        }
        foreach (var t in tiny)
        {
            s.Append($"\n### {t.Net.Name}\n\n```csharp\n{t.Net.Declaration}\n```\n\n");
            s.Append($"Seed {(t.Net.RandomSeed == 0 ? "none (weights and input fixed by hand)" : t.Net.RandomSeed.ToString())}. Logits: ({string.Join(", ", t.Logits.Select(v => R(v)))}).\n");
            foreach (var composite in t.Runs.Select(r => r.Composite).DistinctBy(c => c.Name))
                s.Append($"`{composite.Name}` is Zennit's `{composite.Zennit}`.\n");
            s.Append('\n');
            RuleTable(s, t.Runs);
            s.Append("\nInput relevance sums: " + string.Join("; ", t.Runs.Select(r => $"`{r.Stem}` {R(r.Result.Input.sum().item<double>())}")) + ".\n\n");
            s.Append("Weights: " + string.Join(", ", t.Parameters.Select(p => $"`{p.Name}` {Shape(p.Shape)}")) + ".\n\n");
            s.Append($"Cases: `input` {Shape(t.Tape.Values[0].shape.Skip(1).ToArray())}, `logits` [{t.Logits.Length}]{(t.Net.Seed is null ? "" : $", `seed` [{t.Net.Seed.Length}]")}; ");
            RunTensors(s, t.Runs, t.Modules);
        }
    }

    /// <summary>The tensors every run writes, once: relevance.S, relevance.S.{module} and sums.S for each run stem S.</summary>
    private static void RunTensors(StringBuilder s, IReadOnlyList<LrpRun> runs, IEnumerable<string> modules)
    {
        var run = runs[0].Result;
        s.Append("for each run `S` of " + string.Join(", ", runs.Select(r => $"`{r.Stem}`")) + ": ");
        s.Append($"`relevance.S` {Shape(run.Input.shape)} (the input), ");
        s.Append("`relevance.S.{module}` for " + string.Join(", ", modules.Select(m => $"`{m}` {Shape(run.At(m).shape)}")) + ", ");
        s.Append($"`sums.S` [{run.Sums.Count}, 2].\n");
    }

    /// <summary>The rule-bearing steps (the rows of every sums tensor) with the rule each composite gives them.</summary>
    private static void RuleTable(StringBuilder s, IEnumerable<LrpRun> runs)
    {
        var byComposite = runs.GroupBy(r => r.Composite.Name).Select(g => g.First()).ToList();
        var rows = byComposite[0].Result.Sums;
        s.Append("| `sums` row | module | kind | " + string.Join(" | ", byComposite.Select(r => $"`{r.Composite.Name}`")) + " |\n");
        s.Append("|---:|---|---|" + string.Concat(byComposite.Select(_ => "---|")) + "\n");
        for (int i = 0; i < rows.Count; i++)
            s.Append($"| {i} | `{rows[i].Name}` | {rows[i].Kind} | " + string.Join(" | ", byComposite.Select(r => r.Result.Sums[i].Rule)) + " |\n");
    }

    private static void Big(StringBuilder s, IReadOnlyList<WrittenBig> big)
    {
        s.Append("""

## ResNet-18 and VGG-11-BN

The narrow torchvision models of `../torchvision/` with that folder's weights (`{name}.safetensors`) and input
(`input.0` of `{name}.cases.safetensors`, as a batch of one): nothing of either is repeated here.
`{name}.lrp.safetensors` holds the runs: every composite for the largest logit's class, and the listed composites
also for the smallest logit's. ResNet-18's `layer1`…`layer4` are the last block's output (after its ReLU), `layer2.0`
a block's output, `maxpool` and `avgpool` those modules' outputs; VGG's `features.N` the output of that index.

""");
        foreach (var b in big)
        {
            var targets = b.Runs.Select(r => r.Target).Distinct().ToList();
            s.Append($"\n### {b.Spec.Name}\n\n");
            s.Append($"torchvision `{b.Model.Model}`, divisor {b.Model.Divisor}, input 3×{b.Model.Height}×{b.Model.Width} (values in [{R(b.InputMin)}, {R(b.InputMax)}]), " +
                     $"targets {targets[0]} (largest logit) and {targets[1]} (smallest; for {string.Join(", ", b.Spec.SecondTarget.Select(c => $"`{c}`"))}). " +
                     $"EpsilonGammaBox bounds: low = {R(b.Spec.Low)}, high = {R(b.Spec.High)}. Zennit: the composite with " +
                     $"`canonizers=[{(b.Spec.Name.StartsWith("resnet") ? "ResNetCanonizer" : "VGGCanonizer")}()]`.\n\n");
            s.Append($"Read from `../torchvision/{b.Spec.Name}.safetensors` (SHA-256 `{b.WeightsSha256}`) and `../torchvision/{b.Spec.Name}.cases.safetensors` (SHA-256 `{b.CasesSha256}`).\n\n");
            s.Append("Conservation (column sums of `sums`): the seed sums to 1 at the output; what reaches the input, and what the affine layers (bias and stabiliser) and the Norm steps (stabiliser) absorbed on the way:\n\n");
            s.Append("| run | at the input | absorbed by Conv2d/Linear | absorbed by pools and sums |\n|---|---:|---:|---:|\n");
            foreach (var run in b.Runs)
            {
                double affine = run.Result.Sums.Where(x => x.Kind is "Conv2d" or "Linear").Sum(x => x.Output - x.Input);
                double norm = run.Result.Sums.Where(x => x.Kind is not ("Conv2d" or "Linear")).Sum(x => x.Output - x.Input);
                s.Append($"| `{run.Stem}` | {G(run.Result.Input.sum().item<double>(), 9)} | {G(affine, 6)} | {G(norm, 6)} |\n");
            }
            s.Append("\nRule-bearing steps (rows of `sums`) and their rules:\n\n");
            RuleTable(s, b.Runs);
            s.Append("\nTensors: ");
            RunTensors(s, b.Runs, b.Spec.Layers);
        }
    }

    private static void Sizes(StringBuilder s, IReadOnlyList<WrittenTiny> tiny, IReadOnlyList<WrittenBig> big)
    {
        long total = tiny.Sum(t => t.WeightsBytes + t.CasesBytes) + big.Sum(b => b.Bytes);
        s.Append("\n## Files and sizes\n\n| file | bytes |\n|---|---:|\n");
        foreach (var t in tiny)
        {
            s.Append($"| `{t.Net.Name}.safetensors` | {t.WeightsBytes:N0} |\n");
            s.Append($"| `{t.Net.Name}.cases.safetensors` | {t.CasesBytes:N0} |\n");
        }
        foreach (var b in big) s.Append($"| `{b.Spec.Name}.lrp.safetensors` | {b.Bytes:N0} |\n");
        s.Append($"\nTotal: {total:N0} bytes (plus this README).\n");
    }
}
