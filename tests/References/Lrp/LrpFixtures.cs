using System.Security.Cryptography;
using Relucent.References.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Relucent.References.Lrp;

/// <summary>One propagation written to a fixture: the composite, the target (−1 for a general seed), the result.</summary>
public sealed record LrpRun(Composite Composite, int Target, Relevance Result)
{
    /// <summary>"{composite}.target{t}" or "{composite}.seed": the stem of the run's tensor names.</summary>
    public string Stem => $"{Composite.Name}.{(Target >= 0 ? $"target{Target}" : "seed")}";
}

/// <summary>What was written for a tiny network.</summary>
public sealed record WrittenTiny(TinyNet Net, Tape Tape, double[] Logits, List<LrpRun> Runs, long WeightsBytes, long CasesBytes,
    List<(string Name, long[] Shape)> Parameters)
{
    /// <summary>Every step output but the network's output: the modules whose relevance each run writes.</summary>
    public IEnumerable<string> Modules => Tape.Steps.Select(s => s.Name).Where(n => Tape.Named[n] != Tape.Output);
}

/// <summary>A torchvision model whose fixture weights and input the LRP references reuse.</summary>
/// <param name="Layers">Module outputs whose relevance is written too.</param>
/// <param name="SecondTarget">Composites also run for the smallest logit's class.</param>
public sealed record BigSpec(string Name, string[] Layers, string[] SecondTarget, double Low, double High, bool Unhooked);

/// <summary>What was written for a torchvision model, with the facts the README reports.</summary>
public sealed record WrittenBig(BigSpec Spec, FixtureSpec Model, Tape Tape, List<LrpRun> Runs, long Bytes,
    string WeightsSha256, string CasesSha256, double InputMin, double InputMax, double Lrp0Worst, PoolShift? PoolQuirk);

/// <summary>
/// What the Norm rule's stabiliser does at an adaptive pool: the largest change of the input relevance (ε = 1e-6
/// against ε → 0) over the largest relevance, and the largest change of one value relative to itself, at pool input <paramref name="Value"/>.
/// </summary>
public sealed record PoolShift(double Relative, double Elementwise, double Value);

/// <summary>
/// The LRP fixtures: Zennit 1.0.0's composites re-implemented layer by layer (<see cref="Propagation"/>) on tiny
/// networks that isolate each rule and on the narrow ResNet-18 and VGG-11-BN of the torchvision fixtures (same
/// weights and input, read from their files). Every number is float64; checks run before anything is written.
/// </summary>
public static class LrpFixtures
{
    public static readonly BigSpec[] Big = {
        new("resnet18", new[] { "maxpool", "layer1", "layer2.0", "layer3", "layer4", "avgpool" },
            new[] { "epsilon_plus", "epsilon_plus_flat", "epsilon_alpha2_beta1", "epsilon_alpha2_beta1_flat", "epsilon_gamma_box" }, -4.0, 4.5, true),
        new("vgg11_bn", new[] { "features.17", "features.27", "features.28" },
            new[] { "epsilon_plus" }, -4.0, 4.5, false),
    };

    /// <summary>Issue 20's hand-computed input relevance of the 2-2-1 network under EpsilonPlus.</summary>
    public const double HandExample = 0.4999996750001612;

    public static void Write(string directory, string torchvision)
    {
        Directory.CreateDirectory(directory);
        torch.set_default_dtype(ScalarType.Float64);
        // One thread: libtorch's reductions may split work by thread count; the fixtures must not depend on the machine.
        torch.set_num_threads(1);
        var tiny = TinyNets.All.Select(n => WriteTiny(directory, n)).ToList();
        var big = Big.Select(s => WriteBig(directory, torchvision, s)).ToList();
        LrpReadme.Write(Path.Combine(directory, "README.md"), tiny, big);
    }

    private static WrittenTiny WriteTiny(string directory, TinyNet net)
    {
        using var generator = new Generator(net.RandomSeed);
        var (model, x) = net.Build(generator);
        Tensor logits;
        using (torch.no_grad()) logits = model.call(x);
        var tape = TapeBuilder.Sequential(model, x);
        Require(Mirror.Relative(tape.Values[tape.Output], logits) <= 1e-13, $"{net.Name}: the tape's output differs from the model's by {Mirror.Relative(tape.Values[tape.Output], logits):G3}");
        var cases = new List<(string Name, Tensor Tensor)> { ("input", x[0]), ("logits", logits[0]) };
        int[] targets = net.Targets ?? new[] { (int)logits.argmax().item<long>(), (int)logits.argmin().item<long>() };
        CheckLrp0(net.Name, model.call, tape, x, targets, logits[0]);

        var runs = new List<LrpRun>();
        var composites = net.Unhooked ? net.Composites.Append(net.Composites[0].Unhooked()) : net.Composites;
        foreach (var composite in composites)
        {
            foreach (int t in targets) runs.Add(new LrpRun(composite, t, Propagation.Run(tape, composite, OneHot(logits, t))));
            if (net.Seed is not null && composite == net.Composites[0])
                runs.Add(new LrpRun(composite, -1, Propagation.Run(tape, composite, torch.tensor(net.Seed, ScalarType.Float64).unsqueeze(0))));
        }
        if (net.Seed is not null) cases.Add(("seed", torch.tensor(net.Seed, ScalarType.Float64)));
        foreach (var run in runs)
        {
            RequireNotNearZero($"{net.Name} {run.Stem}", run.Result.Input, 0.5);
            RequireTelescoping($"{net.Name} {run.Stem}", run);
            double naive = NaiveCheck.Worst(tape, run.Composite, run.Result);
            Require(naive <= 1e-10, $"{net.Name} {run.Stem}: autograd and the explicit sums differ by {naive:G3} of the largest relevance");
            Console.WriteLine($"lrp net={net.Name} run={run.Stem} input_sum={run.Result.Input.sum().item<double>():R} naive_rel_diff={naive:G3}");
            AddRun(cases, run, tape.Steps.Select(s => s.Name).Where(n => tape.Named[n] != tape.Output));
        }
        if (net.Name == "handexample") CheckHandExample(runs[0].Result.Input);
        if (net.Name == "epsilon_zero") CheckExactZeros(tape, logits[0]);

        var parameters = StateDict.Ordered(model).Select(e => (e.Name, e.Tensor.detach())).ToList();
        long weightBytes = Safetensors.Write(Path.Combine(directory, net.Name + ".safetensors"), parameters);
        long caseBytes = Safetensors.Write(Path.Combine(directory, net.Name + ".cases.safetensors"), cases);
        Console.WriteLine($"lrp net={net.Name} weights_bytes={weightBytes} cases_bytes={caseBytes}");
        return new WrittenTiny(net, tape, logits[0].data<double>().ToArray(), runs, weightBytes, caseBytes,
            parameters.Select(p => (p.Name, p.Item2.shape)).ToList());
    }

    private static WrittenBig WriteBig(string directory, string torchvision, BigSpec big)
    {
        var spec = Fixtures.Specs.Single(s => s.Name == big.Name);
        string weightsPath = Path.Combine(torchvision, big.Name + ".safetensors");
        string casesPath = Path.Combine(torchvision, big.Name + ".cases.safetensors");
        var model = Zoo.Get(spec.Model).Build(Fixtures.Classes, spec.Divisor, spec.HiddenDivisor);
        model.to(ScalarType.Float64);
        Load(model, Safetensors.Read(weightsPath), weightsPath);
        model.eval();
        var torchvisionCases = Safetensors.Read(casesPath);
        var x = torchvisionCases["input.0"].unsqueeze(0);
        var logits = torchvisionCases["logits.0"];
        Tensor y;
        using (torch.no_grad()) y = model.Run(x, Rule.Saliency)[0];
        Require(Mirror.Relative(y, logits) <= 1e-13, $"{big.Name}: the model loaded from {weightsPath} gives logits {Mirror.Relative(y, logits):G3} away from the fixture's");
        var tape = model is ResNet resnet ? TapeBuilder.ResNet(resnet, x) : TapeBuilder.FeaturesClassifier((FeaturesClassifierModel)model, x);
        double tapeError = Mirror.Relative(tape.Values[tape.Output][0], logits);
        Require(tapeError <= 1e-12, $"{big.Name}: the canonized tape's logits differ from the model's by {tapeError:G3}");
        double inputMin = x.min().item<double>(), inputMax = x.max().item<double>();
        Require(big.Low <= inputMin && inputMax <= big.High, $"{big.Name}: input range [{inputMin}, {inputMax}] leaves the ZBox bounds [{big.Low}, {big.High}]");

        int[] targets = { (int)logits.argmax().item<long>(), (int)logits.argmin().item<long>() };
        double lrp0 = CheckLrp0(big.Name, t => model.Run(t, Rule.Saliency), tape, x, targets, logits);
        var runs = new List<LrpRun>();
        foreach (var composite in Composite.Five(big.Low, big.High))
        {
            runs.Add(new LrpRun(composite, targets[0], Propagation.Run(tape, composite, OneHot(logits.unsqueeze(0), targets[0]))));
            if (big.SecondTarget.Contains(composite.Name))
                runs.Add(new LrpRun(composite, targets[1], Propagation.Run(tape, composite, OneHot(logits.unsqueeze(0), targets[1]))));
        }
        if (big.Unhooked)
        {
            var unhooked = Composite.EpsilonPlus().Unhooked();
            runs.Add(new LrpRun(unhooked, targets[0], Propagation.Run(tape, unhooked, OneHot(logits.unsqueeze(0), targets[0]))));
        }
        var cases = new List<(string Name, Tensor Tensor)>();
        foreach (var run in runs)
        {
            var map = run.Result.Input;
            double max = RequireNotNearZero($"{big.Name} {run.Stem}", map, 0.5);
            RequireTelescoping($"{big.Name} {run.Stem}", run);
            Console.WriteLine($"lrp model={big.Name} run={run.Stem} output_sum={run.Result.Sums[^1].Output:R} input_sum={map.sum().item<double>():R} max_abs={max:G4}");
            AddRun(cases, run, big.Layers);
        }

        // What the stabiliser alone does at VGG's adaptive pool: Norm with ε = 1e-6 against ε → 0.
        PoolShift? poolQuirk = null;
        if (tape.Steps.OfType<NormStep>().FirstOrDefault(s => s.Name == "avgpool") is { } pool && model is FeaturesClassifierModel)
        {
            var r = runs[0].Result.ById(pool.Output);
            var pooled = tape.Values[pool.Inputs[0]];
            var exact = NormRule.Relevance(pool.Apply, pooled, r, 1e-300);
            var normed = NormRule.Relevance(pool.Apply, pooled, r, Stabilizer.Default);
            var shift = (normed - exact).abs() / exact.abs().clamp_min(1e-300);
            long worst = shift.flatten().argmax().item<long>();
            poolQuirk = new PoolShift(Mirror.Relative(normed, exact), shift.flatten()[worst].item<double>(), pooled.flatten()[worst].item<double>());
        }

        string file = Path.Combine(directory, big.Name + ".lrp.safetensors");
        long bytes = Safetensors.Write(file, cases);
        Console.WriteLine($"lrp model={big.Name} lrp0_rel_diff={lrp0:G3} bytes={bytes}");
        return new WrittenBig(big, spec, tape, runs, bytes, Sha256(weightsPath), Sha256(casesPath), inputMin, inputMax, lrp0, poolQuirk);
    }

    /// <summary>relevance.{stem} (the input), relevance.{stem}.{module} for each module, sums.{stem}.</summary>
    private static void AddRun(List<(string Name, Tensor Tensor)> cases, LrpRun run, IEnumerable<string> modules)
    {
        cases.Add(($"relevance.{run.Stem}", run.Result.Input));
        foreach (var module in modules) cases.Add(($"relevance.{run.Stem}.{module}", run.Result.At(module)));
        var sums = run.Result.Sums.SelectMany(s => new[] { s.Output, s.Input }).ToArray();
        cases.Add(($"sums.{run.Stem}", torch.tensor(sums, ScalarType.Float64).view(run.Result.Sums.Count, 2)));
    }

    /// <summary>
    /// LRP-0 (<see cref="Composite.Lrp0"/>) times the target logit against the input times libtorch's gradient of the
    /// model's own forward: proves the tape (merged BatchNorm, residual wiring, pools, flattening) is the network.
    /// </summary>
    private static double CheckLrp0(string name, Func<Tensor, Tensor> forward, Tape tape, Tensor x, int[] targets, Tensor logits)
    {
        double worst = 0;
        foreach (int t in targets)
        {
            double logit = logits[t].item<double>();
            if (Math.Abs(logit) < 1e-3) continue; // LRP-0 divides by the logit
            var input = x.detach().clone().requires_grad_(true);
            var gradient = torch.autograd.grad(new[] { forward(input)[0, t] }, new[] { input })[0];
            var lrp0 = Propagation.Run(tape, Composite.Lrp0(), OneHot(logits.reshape(1, -1), t)).Input * logit;
            double difference = Mirror.Relative(lrp0, (x * gradient)[0]);
            Require(difference <= 1e-9, $"{name}: LRP-0 × logit {t} differs from input × gradient by {difference:G3}");
            worst = Math.Max(worst, difference);
        }
        Console.WriteLine($"lrp check={name} lrp0_vs_input_times_gradient_rel_diff={worst:G3}");
        return worst;
    }

    /// <summary>Fails when a written map is near zero (largest magnitude at most 1e-6, or more than <paramref name="zeros"/> of it exactly 0); returns the largest magnitude.</summary>
    private static double RequireNotNearZero(string what, Tensor map, double zeros)
    {
        double max = map.abs().max().item<double>();
        double zero = (map == 0.0).sum().item<long>() / (double)map.numel();
        Require(max > 1e-6 && zero <= zeros, $"{what}: the input relevance is near zero (max |·| {max:G3}, {zero:P0} exactly zero)");
        return max;
    }

    /// <summary>
    /// The relevance lost between the output and the input equals what the rule-bearing steps absorbed (their output
    /// sum minus their input sum): ReLU, max pooling and flattening conserve it, and a tensor read twice gets both shares.
    /// </summary>
    private static void RequireTelescoping(string what, LrpRun run)
    {
        double seed = run.Result.Sums[^1].Output;
        double lost = seed - run.Result.Input.sum().item<double>();
        double absorbed = run.Result.Sums.Sum(s => s.Output - s.Input);
        double scale = Math.Max(1.0, run.Result.Sums.Max(s => Math.Abs(s.Output)));
        Require(Math.Abs(lost - absorbed) <= 1e-9 * scale, $"{what}: {lost:R} lost between output and input, but the steps absorbed {absorbed:R}");
    }

    private static void CheckHandExample(Tensor relevance)
    {
        var r = relevance.data<double>().ToArray();
        Require(r.Length == 2 && r.All(v => Math.Abs(v - HandExample) <= Math.Abs(HandExample) * 2.3e-16),
            $"handexample: input relevance ({r[0]:R}, {r[1]:R}), issue 20 says ({HandExample:R}, {HandExample:R})");
        Console.WriteLine($"lrp check=handexample relevance=({r[0]:R}, {r[1]:R}) issue20={HandExample:R} bit_equal={r.All(v => v == HandExample)}");
    }

    private static void CheckExactZeros(Tape tape, Tensor logits)
    {
        var hidden = tape.Values[tape.Named["0"]][0];
        Require(logits[0].item<double>() == 0.0 && hidden[1].item<double>() == 0.0 && logits[2].item<double>() < 0.0,
            $"epsilon_zero: logits {string.Join(", ", logits.data<double>().ToArray())}, hidden pre-activations {string.Join(", ", hidden.data<double>().ToArray())}: the zeros must be exact");
    }

    private static Tensor OneHot(Tensor logits, int target)
    {
        var seed = torch.zeros_like(logits);
        seed[0, target] = 1.0;
        return seed;
    }

    /// <summary>Copies a state_dict by name into <paramref name="model"/>, requiring the same names and shapes.</summary>
    private static void Load(nn.Module model, Dictionary<string, Tensor> weights, string path)
    {
        var entries = StateDict.Ordered(model);
        var missing = entries.Select(e => e.Name).Except(weights.Keys).ToList();
        var extra = weights.Keys.Except(entries.Select(e => e.Name)).ToList();
        Require(missing.Count == 0 && extra.Count == 0, $"{path}: missing {string.Join(", ", missing)}; unexpected {string.Join(", ", extra)}");
        using var _ = torch.no_grad();
        foreach (var (name, tensor) in entries)
        {
            Require(weights[name].shape.SequenceEqual(tensor.shape), $"{path}: {name} is [{string.Join(",", weights[name].shape)}], the model's [{string.Join(",", tensor.shape)}]");
            tensor.copy_(weights[name]);
        }
    }

    private static string Sha256(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))).ToLowerInvariant();

    private static void Require(bool condition, string message)
    {
        if (!condition) throw new InvalidOperationException(message);
    }
}
