using TorchSharp;
using static TorchSharp.torch;

namespace Relucent.References.Lrp;

/// <summary>
/// One forward pass of a batch of one, recorded as the steps Zennit's hooks see after its canonizers ran: affine
/// layers (BatchNorm already merged in), rectifiers, pools, flattening, residual sums. Each step reads tensors by id
/// and writes one; <see cref="Propagation"/> walks the steps backwards.
/// </summary>
public sealed class Tape
{
    private readonly List<Tensor> values = new();
    private readonly List<Step> steps = new();

    public Tape(Tensor input)
    {
        values.Add(input.detach());
        Named["input"] = 0;
    }

    public IReadOnlyList<Tensor> Values => values;

    public IReadOnlyList<Step> Steps => steps;

    /// <summary>The tensor id of each step's output by module name (torchvision's names), and "input".</summary>
    public Dictionary<string, int> Named { get; } = new();

    public int Input => 0;

    public int Output => values.Count - 1;

    /// <summary>The first Conv2d or Linear in named_modules() order: Zennit's first layer for the …Flat composites.</summary>
    public string? FirstAffine { get; set; }

    /// <summary>The first Conv2d in named_modules() order: Zennit's first layer for EpsilonGammaBox.</summary>
    public string? FirstConvolution { get; set; }

    /// <summary>Runs <paramref name="step"/> forward on its inputs' values and records its output; returns the output's id.</summary>
    public int Add(Step step)
    {
        Tensor output;
        using (torch.no_grad()) output = step.Forward(step.Inputs.Select(i => values[i]).ToArray());
        step.Output = values.Count;
        values.Add(output);
        steps.Add(step);
        Named[step.Name] = step.Output;
        return step.Output;
    }
}

/// <summary>One recorded operation: its module name (torchvision's), the ids of the tensors it reads, the id it writes.</summary>
public abstract class Step
{
    protected Step(string name, params int[] inputs)
    {
        Name = name;
        Inputs = inputs;
    }

    public string Name { get; }

    public int[] Inputs { get; }

    public int Output { get; set; }

    /// <summary>What the step is, for the README and the conservation rows ("Conv2d", "ReLU", "Sum").</summary>
    public abstract string Kind { get; }

    public abstract Tensor Forward(Tensor[] inputs);
}

/// <summary>
/// A Conv2d or Linear with its parameters after Zennit's SequentialMergeBatchNorm: a BatchNorm right after it folded
/// in as <c>W·γ/√(var+eps)</c>, <c>(b−μ)·γ/√(var+eps)+β</c> (canonizers.py:117-150).
/// </summary>
public sealed class AffineStep : Step
{
    public AffineStep(string name, int input, Tensor weight, Tensor? bias, ConvolutionShape? convolution) : base(name, input)
    {
        Weight = weight;
        Bias = bias;
        Convolution = convolution;
    }

    public Tensor Weight { get; }

    /// <summary>Null for a layer without bias that no BatchNorm was merged into (Zennit then has no bias to modify).</summary>
    public Tensor? Bias { get; }

    /// <summary>Null for a Linear.</summary>
    public ConvolutionShape? Convolution { get; }

    public bool IsConvolution => Convolution is not null;

    public override string Kind => IsConvolution ? "Conv2d" : "Linear";

    /// <summary>The layer with other parameters (a rule's modified copies), as Zennit calls module.forward under ParamMod.</summary>
    public Tensor Apply(Tensor x, Tensor weight, Tensor? bias) => Convolution is { } c
        ? torch.nn.functional.conv2d(x, weight, bias, c.Stride, c.Padding, c.Dilation, c.Groups)
        : torch.nn.functional.linear(x, weight, bias);

    public override Tensor Forward(Tensor[] inputs) => Apply(inputs[0], Weight, Bias);
}

/// <summary>A convolution's geometry, read from the Conv2d module.</summary>
public sealed record ConvolutionShape(long[] Stride, long[] Padding, long[] Dilation, long Groups);

/// <summary>ReLU, and a BatchNorm after the merge (the identity): Zennit's Pass rule, relevance unchanged.</summary>
public sealed class PassStep : Step
{
    private readonly bool rectify;

    public PassStep(string name, int input, bool rectify) : base(name, input) => this.rectify = rectify;

    public override string Kind => rectify ? "ReLU" : "BatchNorm2d (merged)";

    public override Tensor Forward(Tensor[] inputs) => rectify ? inputs[0].relu() : inputs[0];
}

/// <summary>A parameter-free module applied as a function of one input (its module's own forward).</summary>
public abstract class FunctionStep : Step
{
    private readonly Func<Tensor, Tensor> function;

    protected FunctionStep(string name, string kind, int input, Func<Tensor, Tensor> function) : base(name, input)
    {
        Kind = kind;
        this.function = function;
    }

    public override string Kind { get; }

    public override Tensor Forward(Tensor[] inputs) => function(inputs[0]);

    public Tensor Apply(Tensor x) => function(x);
}

/// <summary>
/// A module Zennit gives no rule (max pooling, Dropout in eval mode, flattening): relevance goes through its plain
/// gradient, so a max pool sends each window's relevance to the window's winner.
/// </summary>
public sealed class GradientStep : FunctionStep
{
    public GradientStep(string name, string kind, int input, Func<Tensor, Tensor> function) : base(name, kind, input, function) { }
}

/// <summary>Average and adaptive average pooling: Zennit's Norm rule (types.AvgPool, composites.py:273).</summary>
public sealed class NormStep : FunctionStep
{
    public NormStep(string name, string kind, int input, Func<Tensor, Tensor> function) : base(name, kind, input, function) { }
}

/// <summary>
/// The residual sum as Zennit's ResNet canonizer writes it (torchvision.py:158-159): <c>stack([identity, out], -1)</c>
/// summed over the last axis by a Sum module, which gets the Norm rule (composites.py:272).
/// </summary>
public sealed class SumStep : Step
{
    public SumStep(string name, int identity, int branch) : base(name, identity, branch) { }

    public override string Kind => "Sum";

    public override Tensor Forward(Tensor[] inputs) => Stack(inputs[0], inputs[1]).sum(-1);

    public static Tensor Stack(Tensor identity, Tensor branch) => torch.stack(new[] { identity, branch }, -1);
}
