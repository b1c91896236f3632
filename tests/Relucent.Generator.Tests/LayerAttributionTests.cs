using Microsoft.CodeAnalysis;
using Relucent.Model;

namespace Relucent.Generator.Tests;

/// <summary>
/// Layer attribution in generated code: the backward pass stops at a named layer (its activation and the signal arriving
/// there) and starts at one (a hidden unit's input map), under every rule, to the interpreter's bits; and the two compose:
/// starting at a layer from the signal a pass stopped there with gives the whole pass.
/// </summary>
public class LayerAttributionTests
{
    private const string Source = """
        using Relucent;
        namespace Demo;

        [Saliency, DeconvNet, GuidedBackprop, DoublePrecision]
        public partial class Named
        {
            static readonly Network Spec = Net.Input(2, 8, 6)
                .Conv2D(4, kernel: 3, padding: 1, name: "stem").ReLU(name: "relu")
                .Residual(b => b.Conv2D(4, kernel: 3, padding: 1, name: "conv1").ReLU(name: "act").Conv2D(4, kernel: 3, padding: 1),
                    shortcut: s => s.Conv2D(4, kernel: 1, name: "proj"), name: "block").ReLU(name: "layer1")
                .Concat(b => b.Conv2D(2, kernel: 1, name: "branch1.conv"), b => b.MaxPool(3, stride: 1, padding: 1).Conv2D(3, kernel: 1), name: "mix")
                .MaxPool(2).Flatten(name: "flat").Dense(6, name: "fc").ReLU().Dense(3);
        }
        """;

    [Fact]
    public void The_named_layers_are_the_module_paths_in_forward_order_blocks_after_their_chains()
    {
        var (_, output) = GeneratorHarness.Run(Source);
        var net = (ILayerExplainer<double>)Create(GeneratorHarness.Load(output).GetType("Demo.Named")!, out _);
        Assert.Equal(
            new[] { "stem", "relu", "block.conv1", "block.act", "block.downsample.proj", "block", "layer1", "mix.branch1.conv", "mix", "flat", "fc" },
            net.NamedLayers.Select(l => l.Name));
        Assert.Equal(new[] { true, true, false, false, false, true, true, false, true, true, true }, net.NamedLayers.Select(l => l.CanStart));
        Assert.Equal("[5, 8, 6]", net.NamedLayers.Single(l => l.Name == "mix").Shape.ToString());
    }

    [Theory]
    [InlineData(BackwardRule.Saliency)]
    [InlineData(BackwardRule.DeconvNet)]
    [InlineData(BackwardRule.GuidedBackprop)]
    public void Stopping_and_starting_at_every_named_layer_agrees_with_the_interpreter_bit_for_bit(BackwardRule rule)
    {
        var (result, output) = GeneratorHarness.Run(Source);
        Assert.Empty(result.Diagnostics);
        object generated = Create(GeneratorHarness.Load(output).GetType("Demo.Named")!, out Interpreter<double> interpreter);
        var net = (ILayerExplainer<double>)generated;
        IWorkspace workspace = net.CreateWorkspace();
        double[] input = Enumerable.Range(0, 96).Select(i => Math.Sin(0.7 * i)).ToArray();
        double[] seed = { 0.3, -1, 2 };
        foreach (NamedLayer layer in net.NamedLayers)
        {
            int size = (int)layer.Shape.Size;
            var activation = new double[size];
            var signal = new double[size];
            net.ExplainAt(rule, layer.Name, input, seed, activation, signal, workspace);
            (double[] expectedActivation, double[] expectedSignal) = interpreter.ExplainAt(rule, layer.Name, input, seed);
            Assert.Equal(expectedActivation, activation);
            Assert.Equal(expectedSignal, signal);
            Assert.Contains(signal, v => v != 0);
            if (!layer.CanStart) continue;

            // Starting at the layer from the signal a pass stopped there with is the whole pass.
            var map = new double[96];
            net.ExplainFrom(rule, layer.Name, input, signal, map, workspace);
            Assert.Equal(interpreter.ExplainFrom(rule, layer.Name, input, signal), map);
            var whole = new double[96];
            net.Explain(rule, input, seed, whole, workspace);
            Assert.Equal(whole, map);
        }
    }

    [Fact]
    public void Unknown_ambiguous_and_nested_starting_layers_are_refused_by_name()
    {
        var (_, output) = GeneratorHarness.Run(Source);
        var net = (ILayerExplainer<double>)Create(GeneratorHarness.Load(output).GetType("Demo.Named")!, out _);
        IWorkspace workspace = net.CreateWorkspace();
        var input = new double[96];
        var error = Assert.Throws<ArgumentException>(() => net.ExplainAt(BackwardRule.Saliency, "layer9", input, new double[3], new double[1], new double[1], workspace));
        Assert.Contains("No layer is named 'layer9'; the named layers are stem, relu, block.conv1", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentException>(() => net.ExplainFrom(BackwardRule.Saliency, "block.act", input, new double[192], new double[96], workspace));
        Assert.Contains("cannot start at 'block.act' (layer 2.1), inside a block", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentException>(() => net.ExplainAt(BackwardRule.Saliency, "fc", input, new double[3], new double[5], new double[6], workspace));
        Assert.Equal("activation", error.ParamName);
    }

    private static object Create(Type type, out Interpreter<double> interpreter)
    {
        var architecture = (Network)type.GetProperty("Architecture")!.GetValue(null)!;
        var random = new Random(5);
        Dictionary<string, Tensor> parameters = architecture.Parameters.ToDictionary(p => p.Name,
            p => Tensor.FromDouble(Enumerable.Range(0, (int)p.Size).Select(_ => random.NextDouble() - 0.4).ToArray(), p.Dimensions.ToArray()));
        interpreter = Interpreter<double>.FromTensors(architecture, parameters);
        return type.GetMethod("FromTensors", new[] { typeof(IReadOnlyDictionary<string, Tensor>) })!.Invoke(null, new object[] { parameters })!;
    }
}
