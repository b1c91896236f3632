using Relucent.References.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Relucent.References;

/// <summary>How one narrow fixture model is made and probed.</summary>
/// <param name="Name">File stem: {Name}.safetensors (weights), {Name}.cases.safetensors (references).</param>
/// <param name="Model">torchvision's constructor name (the structure).</param>
/// <param name="Divisor">Every channel count c becomes max(1, ⌈c/Divisor⌉).</param>
/// <param name="HiddenDivisor">The same for VGG's and AlexNet's 4096 classifier units (their first Linear dominates the weights).</param>
/// <param name="Calibrated">BatchNorm calibrated on a batch (MobileNetV2, GoogLeNet) rather than randomised.</param>
/// <param name="SaliencyOnly">Also the second target (the smallest logit's class): saliency and layer gradients only.</param>
/// <param name="Layers">Module outputs for the layer-attribution references.</param>
public sealed record FixtureSpec(string Name, string Model, int Divisor, int HiddenDivisor, int Height, int Width, ulong Seed,
    bool Calibrated, bool SaliencyOnly, string[] Layers);

/// <summary>What was written for one spec, for the README.</summary>
public sealed record WrittenFixture(FixtureSpec Spec, long WeightsBytes, long CasesBytes, List<(string Name, long[] Shape)> Tensors, string RectifierCounts);

/// <summary>The torchvision fixtures: narrow models with torchvision's names, F64 weights, F64 references from libtorch.</summary>
public static class Fixtures
{
    public const int Classes = 10;

    // Inputs are kept small and few: a float64 3×H×W map costs 24·H·W bytes, and the whole folder stays well under 3 MB.
    // Small and few inputs: a float64 3×H×W map costs 24·H·W bytes, and the whole folder stays well under 3 MB.
    // Non-square inputs catch height/width mix-ups; the sizes make every stage's output size odd somewhere.
    public static readonly FixtureSpec[] Specs = {
        new("resnet18", "resnet18", 32, 1, 33, 28, 1801, false, true, new[] { "layer4", "layer3", "layer2.0", "layer1" }),
        new("resnet50", "resnet50", 64, 1, 29, 33, 5001, false, true, new[] { "layer4", "layer3", "layer2.0" }),
        new("vgg11_bn", "vgg11_bn", 32, 512, 64, 32, 1101, false, false, new[] { "features.27", "features.28", "features.17" }),
        new("vgg11", "vgg11", 32, 512, 64, 32, 1102, false, false, new[] { "features.19", "features.20" }),
        new("alexnet", "alexnet", 32, 256, 63, 63, 2012, false, false, new[] { "features.11", "features.12", "features.4" }),
        new("mobilenet_v2", "mobilenet_v2", 16, 1, 33, 24, 2018, true, true, new[] { "features.18", "features.16", "features.14" }),
        new("googlenet", "googlenet", 32, 1, 48, 32, 2014, true, true, new[] { "inception5b", "inception4e", "inception3a" }),
    };

    public static void Write(string directory, IEnumerable<FixtureSpec> specs)
    {
        Directory.CreateDirectory(directory);
        torch.set_default_dtype(ScalarType.Float64);
        var written = specs.Select(spec => WriteOne(directory, spec)).ToList();
        Readme.Write(Path.Combine(directory, "README.md"), written);
    }

    private static WrittenFixture WriteOne(string directory, FixtureSpec spec)
    {
        using var generator = new Generator(spec.Seed);
        var model = Zoo.Get(spec.Model).Build(Classes, spec.Divisor, spec.HiddenDivisor);
        model.to(ScalarType.Float64);
        Weights.Randomize(model, generator);
        if (spec.Calibrated)
        {
            var batch = torch.randn(new long[] { 16, 3, spec.Height, spec.Width }, ScalarType.Float64, generator: generator);
            if (spec.Model == "mobilenet_v2")
                Weights.Calibrate(model, batch, generator, gammaLow: 1.0, gammaHigh: 4.0, betaMean: 0.5, betaStd: 1.0);
            else
                Weights.Calibrate(model, batch, generator, gammaLow: 0.5, gammaHigh: 1.5, betaMean: 0.0, betaStd: 0.3);
        }
        model.eval();

        var cases = new List<(string Name, Tensor Tensor)>();
        const int i = 0;
        var x = torch.randn(new long[] { 1, 3, spec.Height, spec.Width }, ScalarType.Float64, generator: generator);
        cases.Add(($"input.{i}", x[0]));
        model.Probe.Counts = new RectifierCounts();
        Tensor logits;
        using (torch.no_grad()) logits = model.Run(x, Rule.Saliency)[0];
        string counts = model.Probe.Counts.ToString();
        model.Probe.Counts = null;
        cases.Add(($"logits.{i}", logits));
        var targets = new List<(int Target, bool AllRules)> { ((int)logits.argmax().item<long>(), true) };
        if (spec.SaliencyOnly) targets.Add(((int)logits.argmin().item<long>(), false));
        foreach (var (target, allRules) in targets)
        {
            var saliency = InputMap(model, x, Rule.Saliency, target);
            var check = InputMap(model, x, Rule.CustomSaliency, target);
            double plumbing = Mirror.Relative(check, saliency);
            if (plumbing > 1e-13) throw new InvalidOperationException($"{spec.Name}: the custom rectifier with the plain rule differs from libtorch's gradient by {plumbing:G3}");
            cases.Add(($"saliency.{i}.target{target}", saliency));
            if (allRules)
            {
                cases.Add(($"deconvnet.{i}.target{target}", InputMap(model, x, Rule.DeconvNet, target)));
                cases.Add(($"guidedbackprop.{i}.target{target}", InputMap(model, x, Rule.GuidedBackprop, target)));
            }

            var input = x.detach().clone().requires_grad_(true);
            var y = model.Run(input, Rule.Saliency, spec.Layers);
            var activations = spec.Layers.Select(l => model.Probe.Kept[l]).ToList();
            var gradients = torch.autograd.grad(new[] { y[0, target] }, activations);
            for (int k = 0; k < spec.Layers.Length; k++)
            {
                string activation = $"activation.{i}.{spec.Layers[k]}";
                if (!cases.Any(c => c.Name == activation)) cases.Add((activation, activations[k].detach()[0]));
                cases.Add(($"gradient.{i}.target{target}.{spec.Layers[k]}", gradients[k][0]));
            }
        }

        foreach (var (name, tensor) in cases.Where(c => !c.Name.StartsWith("input.")))
        {
            double max = tensor.abs().max().item<double>();
            double zero = (tensor == 0.0).sum().item<long>() / (double)tensor.numel();
            if (!(max > 1e-6) || zero > 0.9)
                throw new InvalidOperationException($"{spec.Name}: {name} is near zero (max |·| {max:G3}, {zero:P0} exactly zero)");
            Console.WriteLine($"fixture model={spec.Name} tensor={name} shape={Mirror.Shape(tensor)} max_abs={max:G4} zero_fraction={zero:F3}");
        }

        var weights = StateDict.Ordered(model).Select(e => (e.Name, e.Tensor.detach())).ToList();
        long weightBytes = Safetensors.Write(Path.Combine(directory, spec.Name + ".safetensors"), weights);
        long caseBytes = Safetensors.Write(Path.Combine(directory, spec.Name + ".cases.safetensors"), cases.Select(c => (c.Name, c.Tensor.detach().contiguous())));
        long parameters = weights.Where(w => w.Item2.dtype == ScalarType.Float64).Sum(w => w.Item2.numel());
        Console.WriteLine($"fixture model={spec.Name} parameters={parameters} weights_bytes={weightBytes} cases_bytes={caseBytes} {counts}");
        return new WrittenFixture(spec, weightBytes, caseBytes, cases.Select(c => (c.Name, c.Tensor.shape)).ToList(), counts);
    }

    /// <summary>The input gradient of logit <paramref name="target"/> with every rectifier under <paramref name="rule"/>.</summary>
    private static Tensor InputMap(ReferenceModel model, Tensor x, Rule rule, int target)
    {
        var input = x.detach().clone().requires_grad_(true);
        var y = model.Run(input, rule);
        return torch.autograd.grad(new[] { y[0, target] }, new[] { input })[0][0];
    }
}
