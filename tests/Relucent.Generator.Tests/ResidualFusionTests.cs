using System.Numerics;
using Relucent.Model;
using static Relucent.Generator.Tests.BatchNormMergeTests;

namespace Relucent.Generator.Tests;

/// <summary>
/// The merged passes sum a residual and apply the ReLU after it in one call (ResidualKernels.AddRelu), and sum the signals at
/// a residual's input and apply the rule of the ReLU before it in one call (ResidualKernels.AddRule); the declared passes keep
/// both steps. Where every BatchNorm is an exact identity (γ = 1, β = 0, μ = 0, σ² + eps = 1), merging changes no bit, so the
/// merged passes must give the interpreter's bits: a fused call on the wrong operands, rule or buffer moves whole values.
/// </summary>
public class ResidualFusionTests
{
    private const string Source = """
        using Relucent;
        namespace Demo;

        // Both kinds of residual, each between two ReLUs, and a residual nested in a helper's block, ending in a named ReLU.
        [Saliency, DeconvNet, GuidedBackprop]
        public partial class Fused
        {
            static readonly Network Spec = Net.Input(3, 8, 8)
                .Conv2D(6, kernel: 3, padding: 1, bias: false).BatchNorm().ReLU()
                .Residual(b => b.Conv2D(6, kernel: 3, padding: 1, bias: false).BatchNorm().ReLU().Conv2D(6, kernel: 3, padding: 1, bias: false).BatchNorm(), name: "block1")
                .ReLU()
                .Residual(b => b.Conv2D(8, kernel: 3, stride: 2, padding: 1, bias: false).BatchNorm().ReLU().Conv2D(8, kernel: 3, padding: 1, bias: false).BatchNorm(),
                    shortcut: s => s.Conv2D(8, kernel: 1, stride: 2, bias: false).BatchNorm(), name: "block2")
                .ReLU(name: "relu2")
                .Then(b => Nested(b, 8))
                .Flatten().Dense(3);

            static Network Nested(Network b, int width) => b
                .Residual(r => r.Conv2D(width, kernel: 1, bias: false).BatchNorm().ReLU()
                    .Residual(i => i.Conv2D(width, kernel: 3, padding: 1, bias: false).BatchNorm(), name: "inner").ReLU()
                    .Conv2D(width, kernel: 1, bias: false).BatchNorm(), name: "outer")
                .ReLU();
        }

        [Saliency, DeconvNet, GuidedBackprop, DoublePrecision]
        public partial class FusedDouble
        {
            static readonly Network Spec = Net.Input(3, 8, 8)
                .Conv2D(6, kernel: 3, padding: 1, bias: false).BatchNorm().ReLU()
                .Residual(b => b.Conv2D(6, kernel: 3, padding: 1, bias: false).BatchNorm().ReLU().Conv2D(6, kernel: 3, padding: 1, bias: false).BatchNorm(), name: "block1")
                .ReLU()
                .Residual(b => b.Conv2D(8, kernel: 3, stride: 2, padding: 1, bias: false).BatchNorm(), shortcut: s => s.Conv2D(8, kernel: 1, stride: 2).BatchNorm())
                .ReLU()
                .Flatten().Dense(3);
        }

        // No pair to fuse: a residual without a ReLU after it (MobileNetV2's inverted residuals), a ReLU6 on either side of one,
        // a dropout between a residual and its ReLU, and a residual whose sum a pre-activation block reads twice: by the ReLU
        // starting its branch and by its skip.
        [Saliency, DeconvNet, GuidedBackprop]
        public partial class Unfused
        {
            static readonly Network Spec = Net.Input(4, 6, 6)
                .Conv2D(4, kernel: 1, bias: false).BatchNorm().ReLU6()
                .Residual(b => b.Conv2D(4, kernel: 3, padding: 1, bias: false).BatchNorm())
                .Conv2D(4, kernel: 1, bias: false).BatchNorm()
                .Residual(b => b.Conv2D(4, kernel: 3, padding: 1, bias: false).BatchNorm())
                .ReLU6()
                .Residual(b => b.Conv2D(4, kernel: 3, padding: 1, bias: false).BatchNorm())
                .Dropout(0.5).ReLU()
                .Conv2D(4, kernel: 1, bias: false).BatchNorm()
                .Residual(b => b.Conv2D(4, kernel: 3, padding: 1, bias: false).BatchNorm())
                .Residual(b => b.ReLU().Conv2D(4, kernel: 3, padding: 1, bias: false).BatchNorm())
                .Flatten().Dense(3);
        }

        // No BatchNorm: no merged passes, so RunForward and Backward are the declared passes and keep every buffer.
        [Saliency, DeconvNet, GuidedBackprop]
        public partial class Unmerged
        {
            static readonly Network Spec = Net.Input(3, 6, 6)
                .Conv2D(4, kernel: 3, padding: 1).ReLU()
                .Residual(b => b.Conv2D(4, kernel: 3, padding: 1).ReLU().Conv2D(4, kernel: 3, padding: 1)).ReLU()
                .Flatten().Dense(3);
        }
        """;

    private static readonly BackwardRule[] Rules = { BackwardRule.Saliency, BackwardRule.DeconvNet, BackwardRule.GuidedBackprop };

    [Theory]
    [InlineData("Fused", "float", 4, 4)]
    [InlineData("FusedDouble", "double", 2, 2)]
    [InlineData("Unfused", "float", 0, 0)]
    public void The_merged_passes_fuse_each_residual_with_its_neighbouring_ReLUs_and_the_declared_passes_do_not(string name, string type, int forward, int backward)
    {
        string code = Code(name);
        string runForward = Method(code, "protected override void RunForward("), mergedBackward = Method(code, "private void MergedBackward<");
        string declared = Method(code, "protected override void RunDeclaredForward(") + Method(code, "private void Backward<");
        Assert.Equal(forward, Count(runForward, $"ResidualKernels.AddRelu<{type}>("));
        Assert.Equal(backward, Count(mergedBackward, $"ResidualKernels.AddRule<{type}, TRule>("));
        Assert.Equal(0, Count(declared, "ResidualKernels."));
        // Every residual sums once per pass, fused or alone.
        int residuals = Count(Method(code, "protected override void RunDeclaredForward("), "· end of Residual:");
        Assert.True(residuals >= forward && residuals > 0);
        Assert.Equal(residuals, Count(runForward, $"ResidualKernels.AddRelu<{type}>(") + Count(runForward, $"ElementwiseKernels.Add<{type}>("));
        Assert.Equal(residuals, Count(mergedBackward, $"ResidualKernels.AddRule<{type}, TRule>(") + Count(mergedBackward, $"ElementwiseKernels.Add<{type}>("));
    }

    [Fact]
    public void Fused_calls_name_the_sum_the_ReLU_and_the_buffers_they_leave_unwritten()
    {
        string code = Code("Fused");
        string runForward = Method(code, "protected override void RunForward("), mergedBackward = Method(code, "private void MergedBackward<");
        // The first residual: a4 = a4_5 + a3, the ReLU after it writes a5; backward, the ReLU before it (Layer 2, output a3) takes r4_0 + r4.
        Assert.Contains("""
                    // Layer 3 · end of Residual: a4 = a4_5 + a3, the branch output plus the skip connection
                    // Layer 4 · ReLU(), in the same call: a5 = max(a4, 0); a4 is never stored
                    global::Relucent.Kernels.ResidualKernels.AddRelu<float>(ws.a4_5, ws.a3, ws.a5);
        """.Replace("\r", ""), runForward, StringComparison.Ordinal);
        Assert.Contains("global::Relucent.Kernels.ResidualKernels.AddRule<float, TRule>(ws.a3, ws.r4_0, ws.r4, ws.r2);", mergedBackward, StringComparison.Ordinal);
        Assert.Contains("r3 is not written in this pass", mergedBackward, StringComparison.Ordinal);
        // The workspace says so too.
        Assert.Contains("the branch output plus a3; written by RunDeclaredForward only", code, StringComparison.Ordinal);
        Assert.Contains("<c>r3</c> [384]: the signal at a3; written by Backward only (MergedBackward applies Layer 2's rule as it sums the signals)", code, StringComparison.Ordinal);
    }

    [Fact]
    public void A_network_without_merged_passes_keeps_every_step()
    {
        string code = Code("Unmerged");
        Assert.DoesNotContain("MergedBackward", code, StringComparison.Ordinal);
        Assert.DoesNotContain("ResidualKernels.", code, StringComparison.Ordinal);
        Assert.DoesNotContain("written by", code, StringComparison.Ordinal);
        Assert.Equal(1, Count(Method(code, "protected override void RunForward("), "ActivationKernels.Relu<float>("));
    }

    [Theory]
    [InlineData("Fused", 1)]
    [InlineData("Unfused", 2)]
    [InlineData("Unmerged", 3)]
    public void With_identity_BatchNorms_the_maps_and_logits_are_the_interpreters_bits_in_float(string name, int seed) => AgreeBitForBit<float>(name, seed);

    [Fact]
    public void With_identity_BatchNorms_the_maps_and_logits_are_the_interpreters_bits_in_double() => AgreeBitForBit<double>("FusedDouble", 4);

    [Fact]
    public void Layer_methods_at_a_fused_residual_and_ReLU_read_the_declared_pass()
    {
        var net = (ILayerExplainer<float>)Load<float>("Fused", new Random(5), identity: false, out Network architecture, out Dictionary<string, Tensor> parameters);
        var interpreter = Interpreter<float>.FromTensors(architecture, parameters);
        float[] input = Enumerable.Range(0, 192).Select(i => (float)Math.Sin(0.41 * i)).ToArray();
        float[] seed = { 0.5f, -1, 2 };
        IWorkspace workspace = net.CreateWorkspace();
        foreach (BackwardRule rule in Rules)
        {
            // A map first, so the workspace holds what the merged passes left in it.
            net.Explain(rule, input, seed, new float[192], workspace);
            foreach ((string layer, int size) in new[] { ("block1", 384), ("block2", 128), ("relu2", 128), ("outer.inner", 128), ("outer", 128) })
            {
                var activation = new float[size];
                var signal = new float[size];
                net.ExplainAt(rule, layer, input, seed, activation, signal, workspace);
                (float[] expectedActivation, float[] expectedSignal) = interpreter.ExplainAt(rule, layer, input, seed);
                Assert.Equal(expectedActivation, activation);
                Assert.Equal(expectedSignal, signal);
                Assert.Contains(expectedSignal, v => v != 0);
            }
        }
    }

    private static void AgreeBitForBit<T>(string name, int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var net = (IExplainer<T>)Load<T>(name, new Random(seed), identity: true, out Network architecture, out Dictionary<string, Tensor> parameters);
        var interpreter = Interpreter<T>.FromTensors(architecture, parameters);
        int inputs = (int)architecture.InputShape.Size;
        T[] input = Enumerable.Range(0, inputs).Select(i => T.CreateChecked(Math.Sin(0.37 * i + seed))).ToArray();
        T[] seedSignal = { T.One, T.CreateChecked(-0.5), T.CreateChecked(2) };
        IWorkspace workspace = net.CreateWorkspace();
        var logits = new T[3];
        net.Forward(input, logits, workspace);
        AssertBits(interpreter.Forward(input), logits, $"{name} forward");
        foreach (BackwardRule rule in Rules)
        {
            var map = new T[inputs];
            net.Explain(rule, input, seedSignal, map, workspace);
            T[] expected = interpreter.Backward(input, seedSignal, rule);
            AssertBits(expected, map, $"{name} {rule}");
            Assert.Contains(expected, v => v != T.Zero);
        }
    }

    private static void AssertBits<T>(T[] expected, T[] actual, string what) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            bool same = typeof(T) == typeof(float)
                ? BitConverter.SingleToInt32Bits((float)(object)expected[i]) == BitConverter.SingleToInt32Bits((float)(object)actual[i])
                : BitConverter.DoubleToInt64Bits((double)(object)expected[i]) == BitConverter.DoubleToInt64Bits((double)(object)actual[i]);
            Assert.True(same, $"{what}: element {i} is {actual[i]:R}, the interpreter gives {expected[i]:R}");
        }
    }

    private static string Code(string className)
    {
        var (result, _) = GeneratorHarness.Run(Source);
        Assert.Empty(result.Diagnostics);
        return result.GeneratedSources.Single(s => s.HintName.Contains("." + className + ".", StringComparison.Ordinal)).SourceText.ToString();
    }

    // The generated class className of Source, with random weights; its BatchNorms exact identities when identity is set,
    // else BatchNormMergeTests' statistics far from the identity.
    private static object Load<T>(string className, Random random, bool identity, out Network architecture, out Dictionary<string, Tensor> parameters)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (result, output) = GeneratorHarness.Run(Source);
        Assert.Empty(result.Diagnostics);
        Type type = GeneratorHarness.Load(output).GetType("Demo." + className)!;
        architecture = (Network)type.GetProperty("Architecture")!.GetValue(null)!;
        parameters = identity ? IdentityBatchNorms<T>(architecture, random) : Parameters(architecture, random);
        return type.GetMethod("FromTensors", new[] { typeof(IReadOnlyDictionary<string, Tensor>) })!.Invoke(null, new object[] { parameters })!;
    }

    // Weights in [−0.5, 0.5); each BatchNorm γ = 1, β = 0, μ = 0 and σ² the value of T whose sum with eps rounds to exactly 1,
    // so s = γ / √(σ² + eps) = 1, the merged weights are the layer's own and the BatchNorm's output its input.
    private static Dictionary<string, Tensor> IdentityBatchNorms<T>(Network architecture, Random random) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var batchNorms = architecture.Parameters.Where(p => p.Role == ParameterRole.RunningVar).Select(p => p.Module).ToHashSet();
        return architecture.Parameters.ToDictionary(p => p.Name, p => Tensor.FromDouble(Enumerable.Range(0, (int)p.Size)
            .Select(_ => !batchNorms.Contains(p.Module) ? random.NextDouble() - 0.5
                : p.Role == ParameterRole.Weight ? 1 : p.Role == ParameterRole.RunningVar ? UnitVariance<T>(1e-5) : 0)
            .ToArray(), p.Dimensions.ToArray()));
    }

    private static double UnitVariance<T>(double eps) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T e = T.CreateChecked(eps), v = T.One - e;
        while (v + e > T.One) v = T.BitDecrement(v);
        while (v + e < T.One) v = T.BitIncrement(v);
        Assert.True(v + e == T.One && T.Sqrt(v + e) == T.One);
        return double.CreateChecked(v);
    }
}
