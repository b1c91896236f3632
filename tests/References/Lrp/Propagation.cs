using TorchSharp;
using static TorchSharp.torch;

namespace Relucent.References.Lrp;

/// <summary>What one rule-bearing step did to the relevance: its sum arriving at the step's output and leaving at its input(s).</summary>
public sealed record StepSum(string Name, string Kind, string Rule, double Output, double Input);

/// <summary>The relevance of every tensor of a tape after one backward pass, and the sums per rule-bearing step.</summary>
public sealed class Relevance
{
    private readonly Tape tape;
    private readonly Tensor?[] byTensor;

    public Relevance(Tape tape, Tensor?[] byTensor, List<StepSum> sums)
    {
        this.tape = tape;
        this.byTensor = byTensor;
        Sums = sums;
    }

    /// <summary>Affine layers, average pools and residual sums in forward order.</summary>
    public IReadOnlyList<StepSum> Sums { get; }

    /// <summary>The relevance at the network's input, without the batch axis.</summary>
    public Tensor Input => byTensor[tape.Input]![0];

    /// <summary>The relevance of a step's output tensor (the sum over every step that reads it), without the batch axis.</summary>
    public Tensor At(string module) =>
        byTensor[tape.Named.TryGetValue(module, out int id) ? id : throw new ArgumentException($"no module output named {module}; the tape has {string.Join(", ", tape.Named.Keys)}")]?[0]
        ?? torch.zeros_like(tape.Values[id][0]);

    /// <summary>The relevance that reached tensor <paramref name="id"/> (batch axis kept), zeros if none did.</summary>
    public Tensor ById(int id) => byTensor[id] ?? torch.zeros_like(tape.Values[id]);
}

/// <summary>
/// Walks a tape backwards as Zennit's hooks do in one backward pass: each step maps the relevance at its output to its
/// input(s) under its rule, and a tensor read by several steps (a block's input feeds its branch and its shortcut)
/// receives the sum of what they send, as autograd accumulates gradients.
/// </summary>
public static class Propagation
{
    /// <param name="seed">The relevance at the output, batch axis included: the one-hot of the target, not times the logit.</param>
    public static Relevance Run(Tape tape, Composite composite, Tensor seed)
    {
        if (!seed.shape.SequenceEqual(tape.Values[tape.Output].shape))
            throw new ArgumentException($"seed [{string.Join(",", seed.shape)}] but the output is [{string.Join(",", tape.Values[tape.Output].shape)}]");
        var r = new Tensor?[tape.Values.Count];
        r[tape.Output] = seed;
        var sums = new List<StepSum>();
        for (int k = tape.Steps.Count - 1; k >= 0; k--)
        {
            var step = tape.Steps[k];
            var rOut = r[step.Output] ?? torch.zeros_like(tape.Values[step.Output]);
            var x = step.Inputs.Select(i => tape.Values[i]).ToArray();
            string rule;
            Tensor[] rIn;
            switch (step)
            {
                case AffineStep affine:
                    var affineRule = composite.RuleFor(affine, tape);
                    rule = affineRule.Name;
                    rIn = new[] { affineRule.Relevance(affine, x[0], rOut) };
                    break;
                case NormStep norm:
                    rule = $"Norm(stabilizer={AffineRule.Py(composite.NormEpsilon)})";
                    rIn = new[] { NormRule.Relevance(norm.Apply, x[0], rOut, composite.NormEpsilon) };
                    break;
                case SumStep when composite.HookedSum:
                    rule = $"Norm(stabilizer={AffineRule.Py(composite.NormEpsilon)})";
                    var stacked = NormRule.Relevance(t => t.sum(-1), SumStep.Stack(x[0], x[1]), rOut, composite.NormEpsilon);
                    rIn = new[] { stacked.select(-1, 0), stacked.select(-1, 1) };
                    break;
                case SumStep:
                    rule = "gradient (unhooked)";
                    rIn = new[] { rOut, rOut };
                    break;
                case PassStep:
                    rule = "Pass";
                    rIn = new[] { rOut };
                    break;
                case GradientStep gradient:
                    rule = "gradient";
                    var input = x[0].detach().requires_grad_(true);
                    rIn = new[] { torch.autograd.grad(new[] { gradient.Apply(input) }, new[] { input }, new[] { rOut })[0] };
                    break;
                default:
                    throw new NotSupportedException(step.GetType().Name);
            }
            for (int i = 0; i < step.Inputs.Length; i++)
            {
                int id = step.Inputs[i];
                r[id] = r[id] is null ? rIn[i] : r[id]! + rIn[i];
            }
            if (step is AffineStep or NormStep or SumStep)
                sums.Add(new StepSum(step.Name, step.Kind, rule, rOut.sum().item<double>(), rIn.Sum(t => t.sum().item<double>())));
        }
        sums.Reverse();
        return new Relevance(tape, r, sums);
    }
}
