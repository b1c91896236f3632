using System.Reflection;
using Relucent.Model;

namespace Relucent.Generator.Tests;

/// <summary>
/// Property test: random networks are declared as source, generated, compiled and run; for every rule the
/// generated code must agree with the interpreter to the last bit (they call the same kernels in the same order). Where
/// Forward and the maps merge a BatchNorm into the layer before it, the declared pass training runs must still agree to the
/// last bit, and the merged results within the merge's rounding.
/// </summary>
public class GeneratedVersusInterpreterTests
{
    private static readonly BackwardRule[] Rules = { BackwardRule.Saliency, BackwardRule.DeconvNet, BackwardRule.GuidedBackprop };

    [Fact]
    public void Generated_dense_networks_agree_with_the_interpreter_bit_for_bit() =>
        CheckRandomNetworks(count: 120, seed: 1234, random => random.Dense());

    [Fact]
    public void Generated_convolutional_networks_agree_with_the_interpreter_bit_for_bit() =>
        CheckRandomNetworks(count: 220, seed: 5678, random => random.Convolutional());

    private static void CheckRandomNetworks(int count, int seed, Func<RandomNetworks, (string Chain, Network Network)> draw)
    {
        var random = new RandomNetworks(seed);
        var declared = Enumerable.Range(0, count).Select(i => (Name: "Net" + i, Drawn: draw(random))).ToList();
        string source = "using Relucent;\nnamespace Random;\n" + string.Concat(declared.Select(d => RandomNetworks.Class(d.Name, d.Drawn.Chain)));
        var (result, output) = GeneratorHarness.Run(source);
        Assert.Empty(result.Diagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error));
        Assembly assembly = GeneratorHarness.Load(output);

        foreach (var (name, (chain, network)) in declared)
        {
            Type type = assembly.GetType("Random." + name)!;
            Dictionary<string, Tensor> parameters = random.Parameters(network);
            object generated = type.GetMethod("FromTensors", new[] { typeof(IReadOnlyDictionary<string, Tensor>) })!.Invoke(null, new object[] { parameters })!;
            var interpreter = Interpreter<float>.FromTensors(network, parameters);
            float[] input = random.Vector((int)network.InputShape.Size, scale: 2);
            float[] seedSignal = random.Vector((int)network.OutputShape.Size);

            bool merges = MergedRounding.Merges(network.Layers);
            if (merges)
            {
                // Training runs the declared pass, every layer its own step: the interpreter's kernels in its order, to the last bit.
                var trainable = (ITrainable<float>)generated;
                IWorkspace workspace = trainable.CreateWorkspace();
                trainable.AccumulateGradients(input, seedSignal, trainable.CreateGradients(), workspace);
                var own = (NetworkWorkspace<float>)workspace;
                AssertBitEqual(interpreter.Forward(input), own.Output, $"{name} declared forward: {chain}");
                AssertBitEqual(interpreter.Backward(input, seedSignal, BackwardRule.Saliency), own.Map, $"{name} declared Saliency: {chain}");
            }
            Action<float[], float[], string> agree = (expected, actual, what) => MergedRounding.Agree(network, expected, actual, what);

            float[] logits = (float[])type.GetMethod("Forward", new[] { typeof(float[]) })!.Invoke(generated, new object[] { input })!;
            agree(interpreter.Forward(input), logits, $"{name} forward: {chain}");
            foreach (BackwardRule rule in Rules)
            {
                MethodInfo bySeed = type.GetMethod(rule.ToString(), new[] { typeof(float[]), typeof(float[]) })!;
                float[] map = (float[])bySeed.Invoke(generated, new object[] { input, seedSignal })!;
                agree(interpreter.Backward(input, seedSignal, rule), map, $"{name} {rule}: {chain}");

                int target = (int)(network.OutputShape.Size - 1);
                MethodInfo byTarget = type.GetMethod(rule.ToString(), new[] { typeof(float[]), typeof(int) })!;
                float[] targetMap = (float[])byTarget.Invoke(generated, new object[] { input, target })!;
                agree(interpreter.Backward(input, target, rule), targetMap, $"{name} {rule} target {target}: {chain}");
            }
        }
    }

    private static void AssertBitEqual(float[] expected, float[] actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: length {actual.Length}, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail($"{what}: element {i} is {actual[i]:R}, the interpreter gives {expected[i]:R}");
            }
        }
    }
}
