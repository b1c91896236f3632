using Relucent.Model;

namespace Relucent.Generator.Tests;

/// <summary>
/// A float 3×3 stride-1 convolution wide enough for Winograd keeps its weights transformed once (<c>WinogradWeights</c>),
/// rebuilt by <c>ParametersChanged</c>, and passes them to its kernels in every pass that reads the weight they were made
/// from: all passes for a convolution of its own, the merged passes for one with a BatchNorm merged in. The kernels
/// compute the same bits either way, so the generated code still equals the interpreter (which transforms per call) to the
/// bit, also after the weights change in place.
/// </summary>
public class WinogradWeightsTests
{
    private const string Source = """
        using Relucent;
        namespace Demo;

        [Saliency, DeconvNet, GuidedBackprop]
        public partial class Plain
        {
            static readonly Network Spec = Net.Input(8, 9, 9)
                .Conv2D(16, kernel: 3, padding: 1).ReLU()
                .Conv2D(16, kernel: 3, padding: new Padding(top: 1, left: 0, bottom: 2, right: 1), groups: 2).ReLU()
                .Conv2D(8, kernel: 3, stride: 2)
                .Flatten().Dense(3);
        }

        [Saliency, GuidedBackprop]
        public partial class Merged
        {
            static readonly Network Spec = Net.Input(8, 9, 9)
                .Conv2D(16, kernel: 3, padding: 1, bias: false).BatchNorm().ReLU()
                .Flatten().Dense(3);
        }

        [Saliency, DoublePrecision]
        public partial class Wide64
        {
            static readonly Network Spec = Net.Input(8, 9, 9).Conv2D(16, kernel: 3, padding: 1).ReLU().Flatten().Dense(3);
        }
        """;

    private static readonly BackwardRule[] Rules = { BackwardRule.Saliency, BackwardRule.DeconvNet, BackwardRule.GuidedBackprop };

    [Fact]
    public void Each_pass_passes_the_transform_of_the_weight_it_reads()
    {
        var (result, _) = GeneratorHarness.Run(Source);
        Assert.Empty(result.Diagnostics);
        string plain = Code(result, "Plain"), merged = Code(result, "Merged"), wide64 = Code(result, "Wide64");

        // Plain: the two stride-1 convolutions (the second grouped and padded unevenly), not the strided one; every call of theirs.
        Assert.Equal(2, BatchNormMergeTests.Count(plain, "global::Relucent.Kernels.WinogradWeights? _"));
        Assert.Equal(2, BatchNormMergeTests.Count(plain, "WinogradWeights.For(in s_conv"));
        string forward = BatchNormMergeTests.Method(plain, "protected override void RunForward(");
        string backward = BatchNormMergeTests.Method(plain, "private void Backward<");
        Assert.Equal(2, BatchNormMergeTests.Count(forward, "prepared: _"));
        Assert.Equal(3, BatchNormMergeTests.Count(forward, "ConvolutionKernels.Forward<float>("));
        Assert.Equal(2, BatchNormMergeTests.Count(backward, "prepared: _"));
        Assert.Contains("has transformed it again", plain, StringComparison.Ordinal);

        // Merged: made from the merged weight, after the merge; passed where that weight is read, and only there.
        string changed = BatchNormMergeTests.Method(merged, "public override void ParametersChanged(");
        int merge = changed.IndexOf("NormalizationKernels.Merge<float>(", StringComparison.Ordinal);
        int prepare = changed.IndexOf("Winograd?.Prepare(_", StringComparison.Ordinal);
        Assert.True(merge >= 0 && prepare > merge, changed);
        Assert.Contains("MergedWeight);", changed[prepare..], StringComparison.Ordinal);
        Assert.Equal(1, BatchNormMergeTests.Count(BatchNormMergeTests.Method(merged, "protected override void RunForward("), "prepared: _"));
        Assert.Equal(1, BatchNormMergeTests.Count(BatchNormMergeTests.Method(merged, "private void MergedBackward<"), "prepared: _"));
        Assert.Equal(0, BatchNormMergeTests.Count(BatchNormMergeTests.Method(merged, "protected override void RunDeclaredForward("), "prepared: _"));
        Assert.Equal(0, BatchNormMergeTests.Count(BatchNormMergeTests.Method(merged, "private void Backward<"), "prepared: _"));

        // Winograd's kernels are float only.
        Assert.DoesNotContain("Winograd", wide64, StringComparison.Ordinal);
    }

    [Fact]
    public void The_generated_code_equals_the_interpreter_to_the_bit_also_after_the_weights_change()
    {
        var net = (ITrainable<float>)Load("Plain", seed: 31, out Network architecture, out Dictionary<string, Tensor> parameters);
        float[] input = Enumerable.Range(0, 648).Select(i => (float)Math.Sin(0.29 * i)).ToArray();
        Check(net, Interpreter<float>.FromTensors(architecture, parameters), input, "loaded");

        // Every weight scaled in place (a change the same in any layout), then rebuilt; an interpreter of the scaled tensors.
        Dictionary<string, Tensor> changed = Scaled(architecture, net, parameters, p => p.Role == ParameterRole.Weight);
        net.ParametersChanged();
        Check(net, Interpreter<float>.FromTensors(architecture, changed), input, "changed");
    }

    [Fact]
    public void A_merged_convolution_is_transformed_after_its_merge()
    {
        var net = (ITrainable<float>)Load("Merged", seed: 32, out Network architecture, out Dictionary<string, Tensor> parameters);
        float[] input = Enumerable.Range(0, 648).Select(i => (float)Math.Cos(0.17 * i)).ToArray();
        Dictionary<string, Tensor> changed = Scaled(architecture, net, parameters, p => p.Role == ParameterRole.Weight && p.Dimensions.Count == 4);
        net.ParametersChanged();
        var interpreter = Interpreter<float>.FromTensors(architecture, changed);
        IWorkspace workspace = net.CreateWorkspace();
        float[] seed = { 1, -0.5f, 2 };
        foreach (BackwardRule rule in new[] { BackwardRule.Saliency, BackwardRule.GuidedBackprop })
        {
            var map = new float[648];
            net.Explain(rule, input, seed, map, workspace);
            float[] reference = interpreter.Backward(input, seed, rule);
            MergedRounding.Agree(architecture, reference, map, "Merged " + rule);
            Assert.Contains(reference, v => Math.Abs(v) > 0.01f);
        }
    }

    // Multiplies each chosen parameter's storage by −2 in place (exact in float); the tensors the interpreter is then built from.
    private static Dictionary<string, Tensor> Scaled(Network architecture, ITrainable<float> net, Dictionary<string, Tensor> parameters, Func<ParameterInfo, bool> chosen)
    {
        var changed = new Dictionary<string, Tensor>(parameters);
        foreach ((ParameterInfo info, float[] storage) in architecture.Parameters.Zip(net.ParameterStorage).Where(p => chosen(p.First)))
        {
            for (int i = 0; i < storage.Length; i++) storage[i] *= -2f;
            changed[info.Name] = Tensor.FromDouble(parameters[info.Name].ToDouble().Select(v => (double)(-2f * (float)v)).ToArray(), info.Dimensions.ToArray());
        }
        return changed;
    }

    private static void Check(ITrainable<float> net, Interpreter<float> interpreter, float[] input, string when)
    {
        IWorkspace workspace = net.CreateWorkspace();
        var logits = new float[3];
        net.Forward(input, logits, workspace);
        Assert.Equal(interpreter.Forward(input), logits);
        float[] seed = { 1, -0.5f, 2 };
        foreach (BackwardRule rule in Rules)
        {
            var map = new float[648];
            net.Explain(rule, input, seed, map, workspace);
            float[] reference = interpreter.Backward(input, seed, rule);
            Assert.True(reference.SequenceEqual(map), $"{when} {rule}: the generated map differs from the interpreter's");
            Assert.Contains(reference, v => v != 0);
        }
    }

    private static string Code(Microsoft.CodeAnalysis.GeneratorRunResult result, string className) =>
        result.GeneratedSources.Single(s => s.HintName.Contains(className, StringComparison.Ordinal)).SourceText.ToString();

    private static object Load(string className, int seed, out Network architecture, out Dictionary<string, Tensor> parameters)
    {
        var (result, output) = GeneratorHarness.Run(Source);
        Assert.Empty(result.Diagnostics);
        Type type = GeneratorHarness.Load(output).GetType("Demo." + className)!;
        architecture = (Network)type.GetProperty("Architecture")!.GetValue(null)!;
        parameters = BatchNormMergeTests.Parameters(architecture, new Random(seed));
        return type.GetMethod("FromTensors", new[] { typeof(IReadOnlyDictionary<string, Tensor>) })!.Invoke(null, new object[] { parameters })!;
    }
}
