using Relucent.References.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Relucent.References;

/// <summary>
/// The proof that the models written here are torchvision's: at full width (1000 classes) each one's state_dict
/// (PyTorch order) has TorchVision 0.107's names, shapes and dtypes, and loaded with a TorchVision model's
/// (randomised) weights it gives the same logits and the same input gradient on the same input, in float64.
/// </summary>
public static class Mirror
{
    /// <summary>Checks one model; prints one line; returns whether it mirrors.</summary>
    public static bool Check(ZooEntry entry, int size, bool gradient)
    {
        torch.set_default_dtype(ScalarType.Float32);
        var tv = entry.TorchVision(1000);
        var mine = entry.Build(1000, 1);
        var expected = StateDict.Ordered(tv);
        var actual = StateDict.Ordered(mine);
        string? problem = Compare(expected, actual, out bool sameOrder);
        if (problem is not null)
        {
            Console.WriteLine($"mirror model={entry.Name} names=DIFFER {problem}");
            return false;
        }

        using var generator = new Generator(14);
        Weights.Randomize(tv, generator);
        tv.to(ScalarType.Float64);
        mine.to(ScalarType.Float64);
        var mineByName = StateDict.Ordered(mine).ToDictionary(e => e.Name, e => e.Tensor);
        using (torch.no_grad())
            foreach (var (name, t) in StateDict.Ordered(tv)) mineByName[name].copy_(t);
        tv.eval();
        mine.eval();

        var x = torch.randn(new long[] { 2, 3, size, size }, ScalarType.Float64, generator: generator);
        var (tvLogits, tvGrad) = LogitsAndGradient(tv, x, gradient);
        var (myLogits, myGrad) = LogitsAndGradient(mine, x, gradient);
        double logitError = Relative(myLogits, tvLogits);
        string line = $"mirror model={entry.Name} entries={actual.Count} names=equal order={(sameOrder ? "equal" : "torchsharp-differs")} input=2x3x{size}x{size} logits_max_abs={tvLogits.abs().max().item<double>():G4} logits_rel_diff={logitError:G3}";
        bool ok = logitError < 1e-12;
        if (gradient)
        {
            double gradError = Relative(myGrad!, tvGrad!);
            line += $" saliency_rel_diff={gradError:G3}";
            ok &= gradError < 1e-12;
        }
        Console.WriteLine(line + (ok ? " ok" : " MISMATCH"));
        return ok;
    }

    /// <summary>
    /// Null when both state_dicts have the same names with the same shapes and dtypes; <paramref name="sameOrder"/> says
    /// whether also in the same order. TorchSharp's TorchVision MobileNetV2 registers `classifier` before `features`
    /// (its field order), where torchvision's Python source, and so PyTorch's state_dict, has `features` first; the
    /// models here follow the Python source.
    /// </summary>
    public static string? Compare(List<(string Name, Tensor Tensor)> torchvision, List<(string Name, Tensor Tensor)> mine, out bool sameOrder)
    {
        sameOrder = torchvision.Select(e => e.Name).SequenceEqual(mine.Select(e => e.Name));
        var theirs = torchvision.ToDictionary(e => e.Name, e => e.Tensor);
        var ours = mine.ToDictionary(e => e.Name, e => e.Tensor);
        var missing = theirs.Keys.Except(ours.Keys).ToList();
        var extra = ours.Keys.Except(theirs.Keys).ToList();
        if (missing.Count > 0 || extra.Count > 0)
            return $"missing {missing.Count} (first {missing.FirstOrDefault()}), extra {extra.Count} (first {extra.FirstOrDefault()})";
        foreach (var (name, t) in mine)
        {
            var tv = theirs[name];
            if (!tv.shape.SequenceEqual(t.shape) || tv.dtype != t.dtype)
                return $"{name}: {Shape(t)} {t.dtype}, torchvision {Shape(tv)} {tv.dtype}";
        }
        return null;
    }

    /// <summary>Logits, and the input gradient of Σ_n y[n, argmax_n] when asked.</summary>
    private static (Tensor Logits, Tensor? Gradient) LogitsAndGradient(nn.Module<Tensor, Tensor> model, Tensor x, bool gradient)
    {
        if (!gradient)
        {
            using var _ = torch.no_grad();
            return (model.call(x), null);
        }
        var input = x.detach().clone().requires_grad_(true);
        var logits = model.call(input);
        var target = logits.detach().argmax(1).unsqueeze(1);
        var g = torch.autograd.grad(new[] { logits.gather(1, target).sum() }, new[] { input })[0];
        return (logits.detach(), g);
    }

    /// <summary>max |a − b| over max |b|.</summary>
    public static double Relative(Tensor a, Tensor b) =>
        (a - b).abs().max().item<double>() / Math.Max(b.abs().max().item<double>(), double.Epsilon);

    public static string Shape(Tensor t) => "[" + string.Join(",", t.shape) + "]";
}
