using Relucent.Attribution;
using Relucent.Model;

namespace Relucent.Generator.Tests;

/// <summary>
/// Forward and the maps merge each BatchNorm into the convolution or dense layer before it (one kernel, a rectifier after it
/// applied as it stores); training and layer methods run the declared layers. The BatchNorms here have statistics far from
/// the identity (means up to ±1.5, variances 0.2–3, signed γ), so a merge on the wrong channel, with the scale applied twice
/// or not at all, or not rebuilt after the parameters change, moves every value by a large fraction of its size.
/// </summary>
public class BatchNormMergeTests
{
    private const string Source = """
        using Relucent;
        namespace Demo;

        [Saliency, DeconvNet, GuidedBackprop]
        public partial class Merging
        {
            static readonly Network Spec = Net.Input(3, 10, 10)
                .Conv2D(6, kernel: 3, padding: 1, bias: false).BatchNorm().ReLU()
                .Conv2D(6, kernel: 3, stride: 2, padding: 1).BatchNorm().ReLU6()
                .Conv2D(6, kernel: 3, padding: 1, groups: 6).BatchNorm()
                .Residual(b => b.Conv2D(6, kernel: 1, bias: false).BatchNorm().ReLU().Conv2D(6, kernel: 3, padding: 1, bias: false).BatchNorm())
                .ReLU()
                .Flatten().Dense(8).BatchNorm().ReLU().Dense(3);
        }

        [Saliency, DeconvNet, GuidedBackprop]
        public partial class NamedRectifiers
        {
            static readonly Network Spec = Net.Input(3, 10, 10)
                .Conv2D(12, kernel: 1, bias: false, name: "expand").BatchNorm(name: "bn0").ReLU6(name: "act0")
                .Conv2D(12, kernel: 3, padding: 1, groups: 12, bias: false, name: "depthwise").BatchNorm(name: "bn1").ReLU6(name: "act1")
                .Conv2D(6, kernel: 1, bias: false, name: "project").BatchNorm(name: "bn2").ReLU(name: "act2")
                .MaxPool(2, name: "pool").Flatten().Dense(8, name: "fc1").ReLU(name: "act3").Dense(3, name: "fc2");
        }

        [Saliency, GuidedBackprop]
        public partial class NamedConv
        {
            static readonly Network Spec = Net.Input(3, 10, 10)
                .Conv2D(6, kernel: 3, padding: 1, name: "conv").BatchNorm(name: "bn").ReLU()
                .Flatten().Dense(3);
        }
        """;

    private static readonly BackwardRule[] Rules = { BackwardRule.Saliency, BackwardRule.DeconvNet, BackwardRule.GuidedBackprop };

    [Fact]
    public void Forward_and_maps_run_no_BatchNorm_kernel_and_the_declared_pass_still_does()
    {
        var (result, _) = GeneratorHarness.Run(Source);
        Assert.Empty(result.Diagnostics);
        string code = result.GeneratedSources.Single(s => s.HintName.Contains("Merging", StringComparison.Ordinal)).SourceText.ToString();
        string merged = Method(code, "protected override void RunForward(") + Method(code, "private void MergedBackward<");
        string declared = Method(code, "protected override void RunDeclaredForward(") + Method(code, "private void Backward<");
        Assert.DoesNotContain("NormalizationKernels.BatchNorm", merged, StringComparison.Ordinal);
        Assert.Equal(6, Count(declared, "NormalizationKernels.BatchNorm<float>("));
        Assert.Equal(6, Count(declared, "NormalizationKernels.BatchNormBackward<float>("));
        Assert.Equal(6, Count(declared, "GradientKernels.BatchNorm<float>("));
        // Each rectifier after a BatchNorm is applied by the kernel before it, the one after the residual sum by the call that sums.
        Assert.Equal(0, Count(merged, "ActivationKernels.Relu<float>("));
        Assert.Equal(1, Count(merged, "ResidualKernels.AddRelu<float>("));
        Assert.Equal(0, Count(merged, "ActivationKernels.Relu6<float>("));
        Assert.Equal(4, Count(declared, "ActivationKernels.Relu<float>("));
        // Each BatchNorm's block says where it went, forward and backward.
        Assert.Equal(12, Count(merged, "merged into Layer"));
    }

    [Fact]
    public void Merged_results_agree_with_the_interpreter_within_the_merges_rounding_also_after_the_parameters_change()
    {
        var net = (ITrainable<float>)Load("Merging", seed: 11, out Network architecture, out Dictionary<string, Tensor> parameters);
        Assert.True(MergedRounding.Merges(architecture.Layers));
        float[] input = Enumerable.Range(0, 300).Select(i => (float)Math.Sin(0.37 * i)).ToArray();
        Check(net, Interpreter<float>.FromTensors(architecture, parameters), architecture, input, "loaded");

        // Change every BatchNorm's statistics and affine map in place, as an optimiser would; ParametersChanged rebuilds the merge.
        var random = new Random(12);
        var changed = new Dictionary<string, Tensor>(parameters);
        foreach ((ParameterInfo info, float[] storage) in architecture.Parameters.Zip(net.ParameterStorage).Where(p => IsBatchNorm(architecture, p.First)))
        {
            for (int i = 0; i < storage.Length; i++) storage[i] = info.Role == ParameterRole.RunningVar ? 0.2f + 2.8f * random.NextSingle() : 3 * random.NextSingle() - 1.5f;
            changed[info.Name] = Tensor.FromDouble(storage.Select(v => (double)v).ToArray(), info.Dimensions.ToArray()); // vectors: the same layout
        }
        net.ParametersChanged();
        Check(net, Interpreter<float>.FromTensors(architecture, changed), architecture, input, "changed");
    }

    [Fact]
    public void Named_rectifiers_pass_their_rules_to_the_next_kernel_in_the_merged_backward_and_keep_their_buffers_for_layer_methods()
    {
        var (result, _) = GeneratorHarness.Run(Source);
        Assert.Empty(result.Diagnostics);
        string code = result.GeneratedSources.Single(s => s.HintName.Contains("NamedRectifiers", StringComparison.Ordinal)).SourceText.ToString();
        string merged = Method(code, "private void MergedBackward<"), declared = Method(code, "private void Backward<");
        // Merged: each rule applied by the kernel after its rectifier (the two convolutions, the pool, the dense layer).
        Assert.Equal(0, Count(merged, "Relu6Rules.Apply<") + Count(merged, "ReluRules.Apply<"));
        Assert.Equal(2, Count(merged, "ConvolutionKernels.BackwardInput<float, TRule>("));
        Assert.Equal(1, Count(merged, "PoolingKernels.MaxBackward<float, TRule>("));
        Assert.Equal(1, Count(merged, "DenseKernels.BackwardInput<float, TRule>("));
        Assert.Equal(4, Count(merged, "is not written in this pass"));
        // Declared: every named rectifier its own block, its signal stored where a layer method stops.
        Assert.Equal(2, Count(declared, "Relu6Rules.Apply<float, TRule>("));
        Assert.Equal(2, Count(declared, "ReluRules.Apply<float, TRule>("));

        var net = (ILayerExplainer<float>)Load("NamedRectifiers", seed: 13, out Network architecture, out Dictionary<string, Tensor> parameters);
        var interpreter = Interpreter<float>.FromTensors(architecture, parameters);
        float[] input = Enumerable.Range(0, 300).Select(i => (float)Math.Sin(0.53 * i)).ToArray();
        float[] seed = { 1, -0.5f, 2 };
        IWorkspace workspace = net.CreateWorkspace();
        foreach (BackwardRule rule in Rules)
        {
            var map = new float[300];
            net.Explain(rule, input, seed, map, workspace);
            float[] reference = interpreter.Backward(input, seed, rule);
            MergedRounding.Agree(architecture, reference, map, "NamedRectifiers " + rule);
            Assert.Contains(reference, v => v != 0);
            // A layer method at a named rectifier reads the declared pass: the interpreter's bits.
            var activation = new float[12 * 100];
            var signal = new float[12 * 100];
            net.ExplainAt(rule, "act1", input, seed, activation, signal, workspace);
            (float[] expectedActivation, float[] expectedSignal) = interpreter.ExplainAt(rule, "act1", input, seed);
            Assert.Equal(expectedActivation, activation);
            Assert.Equal(expectedSignal, signal);
        }
    }

    [Fact]
    public void A_named_convolution_before_a_BatchNorm_gives_layer_methods_its_own_output()
    {
        var net = (ILayerExplainer<float>)Load("NamedConv", seed: 21, out Network architecture, out Dictionary<string, Tensor> parameters);
        var interpreter = Interpreter<float>.FromTensors(architecture, parameters);
        float[] input = Enumerable.Range(0, 300).Select(i => (float)Math.Cos(0.21 * i)).ToArray();
        float[] seed = { 0.5f, -1, 2 };

        // The convolution's own output (before its BatchNorm) and the signal there, as the interpreter gives them, to the last bit.
        IWorkspace workspace = net.CreateWorkspace();
        var activation = new float[600];
        var signal = new float[600];
        net.ExplainAt(BackwardRule.Saliency, "conv", input, seed, activation, signal, workspace);
        (float[] expectedActivation, float[] expectedSignal) = interpreter.ExplainAt(BackwardRule.Saliency, "conv", input, seed);
        Assert.Equal(expectedActivation, activation);
        Assert.Equal(expectedSignal, signal);
        var alone = new float[600];
        net.ActivationAt("conv", input, alone, net.CreateWorkspace()); // the forward pass alone, in a workspace nothing else wrote
        Assert.Equal(expectedActivation, alone);
        (float[] normalised, _) = interpreter.ExplainAt(BackwardRule.Saliency, "bn", input, seed);
        Assert.Contains(Enumerable.Range(0, 600), i => Math.Abs(normalised[i] - activation[i]) > 0.1); // the BatchNorm's statistics matter here

        // Grad-CAM at the convolution reads it: the interpreter's map to the last bit.
        Assert.Equal(new GradCam<float>(interpreter, "conv").Attribute(input, 2), new GradCam<float>(net, "conv").Attribute(input, 2));

        // Its maps run merged, within the merge's rounding.
        foreach (BackwardRule rule in new[] { BackwardRule.Saliency, BackwardRule.GuidedBackprop })
        {
            var map = new float[300];
            net.Explain(rule, input, seed, map, workspace);
            MergedRounding.Agree(architecture, interpreter.Backward(input, seed, rule), map, "NamedConv " + rule);
        }
    }

    // The generated class of Source named className, made from parameters drawn from seed (see Parameters).
    private static object Load(string className, int seed, out Network architecture, out Dictionary<string, Tensor> parameters)
    {
        var (result, output) = GeneratorHarness.Run(Source);
        Assert.Empty(result.Diagnostics);
        Type type = GeneratorHarness.Load(output).GetType("Demo." + className)!;
        architecture = (Network)type.GetProperty("Architecture")!.GetValue(null)!;
        parameters = Parameters(architecture, new Random(seed));
        return type.GetMethod("FromTensors", new[] { typeof(IReadOnlyDictionary<string, Tensor>) })!.Invoke(null, new object[] { parameters })!;
    }

    private static void Check(ITrainable<float> net, Interpreter<float> interpreter, Network architecture, float[] input, string when)
    {
        IWorkspace workspace = net.CreateWorkspace();
        var logits = new float[3];
        net.Forward(input, logits, workspace);
        float[] expected = interpreter.Forward(input);
        MergedRounding.Agree(architecture, expected, logits, $"{when} forward");
        Assert.Contains(expected, v => Math.Abs(v) > 0.1f);
        float[] seed = { 1, -0.5f, 2 };
        foreach (BackwardRule rule in Rules)
        {
            var map = new float[300];
            net.Explain(rule, input, seed, map, workspace);
            float[] reference = interpreter.Backward(input, seed, rule);
            MergedRounding.Agree(architecture, reference, map, $"{when} {rule}");
            Assert.Contains(reference, v => v != 0);
        }

        // Training runs the declared layers: the interpreter's bits at the input.
        net.AccumulateGradients(input, seed, net.CreateGradients(), workspace);
        Assert.Equal(interpreter.Backward(input, seed, BackwardRule.Saliency), ((NetworkWorkspace<float>)workspace).Map);
    }

    // Weights and biases in [−0.5, 0.5); BatchNorm means in [−1.5, 1.5), variances in [0.2, 3), γ and β in [−1.5, 1.5).
    internal static Dictionary<string, Tensor> Parameters(Network architecture, Random random) =>
        architecture.Parameters.ToDictionary(p => p.Name, p => Tensor.FromDouble(Enumerable.Range(0, (int)p.Size)
            .Select(_ => p.Role == ParameterRole.RunningVar ? 0.2 + 2.8 * random.NextDouble() : IsBatchNorm(architecture, p) ? 3 * random.NextDouble() - 1.5 : random.NextDouble() - 0.5)
            .ToArray(), p.Dimensions.ToArray()));

    private static bool IsBatchNorm(Network architecture, ParameterInfo p) =>
        architecture.Parameters.Any(q => q.Role == ParameterRole.RunningVar && q.Module == p.Module);

    internal static string Method(string code, string header)
    {
        int start = code.IndexOf(header, StringComparison.Ordinal);
        Assert.True(start >= 0, $"no {header}");
        int end = code.IndexOf("\n        }\n", start, StringComparison.Ordinal);
        return code[start..end];
    }

    internal static int Count(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;
}
