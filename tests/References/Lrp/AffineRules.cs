using TorchSharp;
using static TorchSharp.torch;

namespace Relucent.References.Lrp;

/// <summary>
/// Zennit 1.0.0's stabiliser (core.py:97-128, default clip=False, norm_scale=False): <c>z + ε·sign(z)</c> with
/// sign +1 at zero, so every denominator moves away from zero by ε, not only the small ones.
/// </summary>
public static class Stabilizer
{
    /// <summary>Zennit's default ε and stabiliser for every rule (rules.py:114, 143, 197, 239, 301, 363, 413).</summary>
    public const double Default = 1e-6;

    public static Tensor Apply(Tensor z, double epsilon)
    {
        // core.py:121: sign = ((input == 0.).to(input) + input.sign()); core.py:128: input + sign * epsilon
        var sign = (z == 0.0).to_type(z.dtype) + z.sign();
        return z + sign * epsilon;
    }
}

/// <summary>
/// An LRP rule for a Conv2d or Linear, computed as Zennit's BasicHook.backward does (core.py:770-807): modified copies
/// of the input and parameters, one forward each, the upper relevance divided by a stabilised denominator, one
/// <c>torch.autograd.grad</c> for the transposed products, and a reduction. Each input copy is its own leaf, as each
/// <c>in_mod(original_input)</c> is a new tensor in Zennit.
/// </summary>
public abstract class AffineRule
{
    /// <summary>The rule as Zennit constructs it, e.g. "Gamma(gamma=0.25)".</summary>
    public abstract string Name { get; }

    /// <summary>The relevance at the layer's input given its input <paramref name="x"/> and the relevance <paramref name="r"/> at its output.</summary>
    public abstract Tensor Relevance(AffineStep step, Tensor x, Tensor r);

    public override string ToString() => Name;

    /// <summary>A number as Python prints it (1e-06, 0.25, 2.0), so rule names read as Zennit's constructor calls.</summary>
    public static string Py(double v)
    {
        string r = v.ToString("R", System.Globalization.CultureInfo.InvariantCulture).Replace("E", "e");
        if (r.Contains('e'))
        {
            var parts = r.Split('e');
            int exponent = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
            return $"{parts[0]}e{(exponent < 0 ? "-" : "+")}{Math.Abs(exponent):00}";
        }
        return r.Contains('.') ? r : r + ".0";
    }

    protected static Tensor Leaf(Tensor t) => t.detach().requires_grad_(true);

    protected static Tensor[] Grad(Tensor[] outputs, Tensor[] inputs, Tensor[] gradOutputs) =>
        torch.autograd.grad(outputs, inputs, gradOutputs).ToArray();

    /// <summary>A bias under a modifier; a layer without bias stays without (Zennit modifies only parameters that exist, core.py:337-342).</summary>
    protected static Tensor? Bias(AffineStep step, Func<Tensor, Tensor> modify) => step.Bias is null ? null : modify(step.Bias);

    /// <summary>zero_bias (rules.py:24-43): the bias set to zeros.</summary>
    protected static Tensor? NoBias(AffineStep step) => step.Bias is null ? null : torch.zeros_like(step.Bias);
}

/// <summary>Epsilon (rules.py:97-122): <c>R_in = x ⊙ Wᵀ(R / stab(Wx + b))</c>, the bias kept in the denominator.</summary>
public sealed class EpsilonRule : AffineRule
{
    public EpsilonRule(double epsilon = Stabilizer.Default) => Epsilon = epsilon;

    public double Epsilon { get; }

    public override string Name => $"Epsilon(epsilon={Py(Epsilon)})";

    public override Tensor Relevance(AffineStep step, Tensor x, Tensor r)
    {
        var input = Leaf(x);
        var z = step.Apply(input, step.Weight, step.Bias);
        var g = Grad(new[] { z }, new[] { input }, new[] { r / Stabilizer.Apply(z, Epsilon) });
        return input.detach() * g[0];
    }
}

/// <summary>
/// ZPlus (rules.py:178-211): inputs x⁺ and x⁻ with weights W⁺ and W⁻; the first keeps the positive bias b⁺
/// (ClampMod(min=0) on every parameter), the second has its bias zeroed. Denominator <c>W⁺x⁺ + b⁺ + W⁻x⁻</c>;
/// <c>R_in = x⁺ ⊙ W⁺ᵀs + x⁻ ⊙ W⁻ᵀs</c>, <c>s = R / stab(denominator)</c>.
/// </summary>
public sealed class ZPlusRule : AffineRule
{
    public override string Name => "ZPlus()";

    public override Tensor Relevance(AffineStep step, Tensor x, Tensor r)
    {
        var positive = Leaf(x.clamp_min(0.0));
        var negative = Leaf(x.clamp_max(0.0));
        var z0 = step.Apply(positive, step.Weight.clamp_min(0.0), Bias(step, b => b.clamp_min(0.0)));
        var z1 = step.Apply(negative, step.Weight.clamp_max(0.0), NoBias(step));
        var s = r / Stabilizer.Apply(z0 + z1, Stabilizer.Default);
        var g = Grad(new[] { z0, z1 }, new[] { positive, negative }, new[] { s, s });
        return positive.detach() * g[0] + negative.detach() * g[1];
    }
}

/// <summary>
/// AlphaBeta (rules.py:214-274): the positive part <c>W⁺x⁺ + b⁺ + W⁻x⁻</c> and the negative part
/// <c>W⁻x⁺ + b⁻ + W⁺x⁻</c>, each normalised by its own stabilised sum;
/// <c>R_in = α(x⁺⊙W⁺ᵀs₊ + x⁻⊙W⁻ᵀs₊) − β(x⁺⊙W⁻ᵀs₋ + x⁻⊙W⁺ᵀs₋)</c>.
/// </summary>
public sealed class AlphaBetaRule : AffineRule
{
    public AlphaBetaRule(double alpha = 2.0, double beta = 1.0)
    {
        Alpha = alpha;
        Beta = beta;
    }

    public double Alpha { get; }

    public double Beta { get; }

    public override string Name => $"AlphaBeta(alpha={Py(Alpha)}, beta={Py(Beta)})";

    public override Tensor Relevance(AffineStep step, Tensor x, Tensor r)
    {
        var inputs = new[] { Leaf(x.clamp_min(0.0)), Leaf(x.clamp_max(0.0)), Leaf(x.clamp_min(0.0)), Leaf(x.clamp_max(0.0)) };
        var plus = step.Weight.clamp_min(0.0);
        var minus = step.Weight.clamp_max(0.0);
        var z = new[] {
            step.Apply(inputs[0], plus, Bias(step, b => b.clamp_min(0.0))),
            step.Apply(inputs[1], minus, NoBias(step)),
            step.Apply(inputs[2], minus, Bias(step, b => b.clamp_max(0.0))),
            step.Apply(inputs[3], plus, NoBias(step)),
        };
        var sPositive = r / Stabilizer.Apply(z[0] + z[1], Stabilizer.Default);
        var sNegative = r / Stabilizer.Apply(z[2] + z[3], Stabilizer.Default);
        var g = Grad(z, inputs, new[] { sPositive, sPositive, sNegative, sNegative });
        var a = inputs.Select(i => i.detach()).ToArray();
        return Alpha * (a[0] * g[0] + a[1] * g[1]) - Beta * (a[2] * g[2] + a[3] * g[3]);
    }
}

/// <summary>
/// The generalised Gamma rule (rules.py:125-175). Weights <c>W + γW⁺</c> (bias <c>b + γb⁺</c>) on x⁺ and
/// <c>W + γW⁻</c> (bias zeroed) on x⁻ form the positive denominator; <c>W + γW⁻</c> (bias <c>b + γb⁻</c>) on x⁺ and
/// <c>W + γW⁺</c> (bias zeroed) on x⁻ the negative one. An output whose plain value <c>Wx + b</c> is positive takes
/// the positive pair, a negative one the negative pair, an output of exactly zero passes nothing.
/// </summary>
public sealed class GammaRule : AffineRule
{
    public GammaRule(double gamma = 0.25) => Gamma = gamma;

    public double Gamma { get; }

    public override string Name => $"Gamma(gamma={Py(Gamma)})";

    public override Tensor Relevance(AffineStep step, Tensor x, Tensor r)
    {
        var inputs = new[] { Leaf(x.clamp_min(0.0)), Leaf(x.clamp_max(0.0)), Leaf(x.clamp_min(0.0)), Leaf(x.clamp_max(0.0)), Leaf(x) };
        // GammaMod (rules.py:81): param + gamma * param.clamp(min, max)
        Tensor Plus(Tensor p) => p + Gamma * p.clamp_min(0.0);
        Tensor Minus(Tensor p) => p + Gamma * p.clamp_max(0.0);
        var z = new[] {
            step.Apply(inputs[0], Plus(step.Weight), Bias(step, Plus)),
            step.Apply(inputs[1], Minus(step.Weight), NoBias(step)),
            step.Apply(inputs[2], Minus(step.Weight), Bias(step, Minus)),
            step.Apply(inputs[3], Plus(step.Weight), NoBias(step)),
            step.Apply(inputs[4], step.Weight, step.Bias),
        };
        // rules.py:164-170: output * out_grad / stabilizer_fn(denom), output the sign mask of the plain output
        var sPositive = (z[4] > 0.0).to_type(r.dtype) * r / Stabilizer.Apply(z[0] + z[1], Stabilizer.Default);
        var sNegative = (z[4] < 0.0).to_type(r.dtype) * r / Stabilizer.Apply(z[2] + z[3], Stabilizer.Default);
        var g = Grad(z, inputs, new[] { sPositive, sPositive, sNegative, sNegative, torch.zeros_like(r) });
        var a = inputs.Select(i => i.detach()).ToArray();
        return a[0] * g[0] + a[1] * g[1] + a[2] * g[2] + a[3] * g[3];
    }
}

/// <summary>
/// ZBox (rules.py:277-322) with scalar bounds: inputs x, low and high (filled to the input's shape), weights W, W⁺,
/// W⁻, each with its bias modified alike (b, b⁺, b⁻, which cancel). Denominator
/// <c>(Wx + b) − ((W⁺l + b⁺) + (W⁻h + b⁻))</c>; <c>R_in = x⊙Wᵀs − (l⊙W⁺ᵀs + h⊙W⁻ᵀs)</c>.
/// </summary>
public sealed class ZBoxRule : AffineRule
{
    public ZBoxRule(double low, double high)
    {
        // Zennit turns a Python float bound into torch.tensor(bound) (core.py:158-160), float32 under PyTorch's default
        // dtype, before .to(input): bounds not exact in float32 would be rounded there, so only exact ones are accepted.
        if ((double)(float)low != low || (double)(float)high != high)
            throw new ArgumentException($"ZBox bounds ({low}, {high}) are not exact in float32; Zennit would round them");
        Low = low;
        High = high;
    }

    public double Low { get; }

    public double High { get; }

    public override string Name => $"ZBox(low={Py(Low)}, high={Py(High)})";

    public override Tensor Relevance(AffineStep step, Tensor x, Tensor r)
    {
        var inputs = new[] { Leaf(x), Leaf(torch.full_like(x, Low)), Leaf(torch.full_like(x, High)) };
        var z = new[] {
            step.Apply(inputs[0], step.Weight, step.Bias),
            step.Apply(inputs[1], step.Weight.clamp_min(0.0), Bias(step, b => b.clamp_min(0.0))),
            step.Apply(inputs[2], step.Weight.clamp_max(0.0), Bias(step, b => b.clamp_max(0.0))),
        };
        // rules.py:302-303: sub(positive, *negatives) = positive - sum(negatives)
        var s = r / Stabilizer.Apply(z[0] - (z[1] + z[2]), Stabilizer.Default);
        var g = Grad(z, inputs, new[] { s, s, s });
        var a = inputs.Select(i => i.detach()).ToArray();
        return a[0] * g[0] - (a[1] * g[1] + a[2] * g[2]);
    }
}

/// <summary>
/// Flat (rules.py:400-424): input, weights all ones, bias zeroed; the relevance is the gradient itself (not times the
/// input), so it depends only on which inputs reach which outputs (padding included).
/// </summary>
public sealed class FlatRule : AffineRule
{
    public override string Name => "Flat()";

    public override Tensor Relevance(AffineStep step, Tensor x, Tensor r)
    {
        var ones = Leaf(torch.ones_like(x));
        var z = step.Apply(ones, torch.ones_like(step.Weight), NoBias(step));
        return Grad(new[] { z }, new[] { ones }, new[] { r / Stabilizer.Apply(z, Stabilizer.Default) })[0];
    }
}

/// <summary>Zennit's Norm rule (rules.py:350-371) on a parameter-free linear map f: <c>R_in = x ⊙ f'ᵀ(R / stab(f(x)))</c>.</summary>
public static class NormRule
{
    public static Tensor Relevance(Func<Tensor, Tensor> function, Tensor x, Tensor r, double epsilon)
    {
        var input = x.detach().requires_grad_(true);
        var z = function(input);
        var g = torch.autograd.grad(new[] { z }, new[] { input }, new[] { r / Stabilizer.Apply(z, epsilon) });
        return input.detach() * g[0];
    }
}
