using Microsoft.CodeAnalysis;
using Relucent.Model;

namespace Relucent.Generator.Tests;

/// <summary>
/// A repeated block is written once: a static helper method of the network's class, read by the generator with its
/// call's constant arguments (interpolated names, arithmetic, <c>?:</c> included), and <c>Repeat</c>, unrolled. The
/// generated network is the one the declaration builds at run time, down to every parameter's name, and computes what
/// the interpreter computes.
/// </summary>
public class HelperTests
{
    private const string TinyResNet = """
        using Relucent;
        namespace Demo;

        [Saliency, GuidedBackprop, DoublePrecision]
        public partial class TinyResNet
        {
            const int Stem = 4;

            static readonly Network Spec = Net.Input(3, 12, 10)
                .Conv2D(Stem, kernel: 3, padding: 1, bias: false, name: "conv1").BatchNorm(name: "bn1").ReLU()
                .Then(b => Stage(b, "layer1", width: Stem, blocks: 2, stride: 1))
                .Then(b => Stage(b, "layer2", width: 2 * Stem, blocks: 2, stride: 2))
                .Flatten().Dense(3, name: "fc");

            // torchvision's BasicBlock stages: the first block projects when the width or the stride changes.
            static Network Stage(Network b, string name, int width, int blocks, int stride) => b
                .Residual(r => Block(r, width, stride), shortcut: stride != 1 ? s => s.Conv2D(width, kernel: 1, stride: stride, bias: false).BatchNorm() : null,
                    name: name + ".0").ReLU()
                .Repeat(blocks - 1, (n, i) => n.Residual(r => Block(r, width, 1), name: $"{name}.{i + 1}").ReLU());

            static Network Block(Network b, int width, int stride) => b
                .Conv2D(width, kernel: 3, stride: stride, padding: 1, bias: false, name: "conv1").BatchNorm(name: "bn1").ReLU()
                .Conv2D(width, kernel: 3, padding: 1, bias: false, name: "conv2").BatchNorm(name: "bn2");
        }
        """;

    [Fact]
    public void Helpers_and_repeats_give_the_network_the_declaration_builds_with_torchvisions_names()
    {
        var (result, output) = GeneratorHarness.Run(TinyResNet);
        Assert.Empty(result.Diagnostics);
        Type type = GeneratorHarness.Load(output).GetType("Demo.TinyResNet")!;
        var architecture = (Network)type.GetProperty("Architecture")!.GetValue(null)!;
        var shapes = (IReadOnlyList<ParameterShape>)type.GetProperty("ParameterShapes")!.GetValue(null)!;

        // What the generator read is what the declaration builds at run time.
        Assert.Equal(architecture.Parameters.Select(p => p.Name), shapes.Select(s => s.Name));
        Assert.Equal(architecture.Parameters.Select(p => p.Dimensions.ToArray()), shapes.Select(s => s.Dimensions));
        Assert.Contains("layer1.1.conv2.weight", shapes.Select(s => s.Name));
        Assert.Contains("layer2.0.downsample.0.weight", shapes.Select(s => s.Name));
        Assert.Contains("layer2.0.downsample.1.running_var", shapes.Select(s => s.Name));
        Assert.DoesNotContain(shapes, s => s.Name.StartsWith("layer1.0.downsample", StringComparison.Ordinal));
        Assert.Equal(new[] { 8, 4, 1, 1 }, shapes.Single(s => s.Name == "layer2.0.downsample.0.weight").Dimensions);

        // And it computes what the interpreter computes (within a merged BatchNorm's rounding), both rules, through the shortcut.
        var random = new Random(3);
        Dictionary<string, Tensor> parameters = architecture.Parameters.ToDictionary(p => p.Name,
            p => Tensor.FromDouble(Enumerable.Range(0, (int)p.Size).Select(_ => p.Role == ParameterRole.RunningVar ? 0.5 + random.NextDouble() : random.NextDouble() - 0.5).ToArray(), p.Dimensions.ToArray()));
        object generated = type.GetMethod("FromTensors", new[] { typeof(IReadOnlyDictionary<string, Tensor>) })!.Invoke(null, new object[] { parameters })!;
        var interpreter = Interpreter<double>.FromTensors(architecture, parameters);
        double[] input = Enumerable.Range(0, 360).Select(i => Math.Cos(0.3 * i)).ToArray();
        foreach (BackwardRule rule in new[] { BackwardRule.Saliency, BackwardRule.GuidedBackprop })
        {
            var map = (double[])type.GetMethod(rule.ToString(), new[] { typeof(double[]), typeof(int) })!.Invoke(generated, new object[] { input, 2 })!;
            MergedRounding.Agree(architecture, interpreter.Backward(input, 2, rule), map, rule.ToString());
            Assert.Contains(map, v => v != 0);
        }
    }

    [Theory]
    [InlineData("static int w = 4; static readonly Network Spec = Net.Input(4).Then(b => Block(b, [|w|])).Dense(2); static Network Block(Network b, int width) => b.Dense(width).ReLU();", "RLC006")]
    [InlineData("static readonly Network Spec = Net.Input(4).Then(b => [|Block(b, 3)|]).Dense(2); static Network Block(Network b, int width) { var x = b.Dense(width); return x.ReLU(); }", "RLC005")]
    [InlineData("static readonly Network Spec = Net.Input(4).Then(b => Loop(b)).Dense(2); static Network Loop(Network b) => [|Loop(b.ReLU())|];", "RLC005")]
    [InlineData("static readonly Network Spec = Net.Input(4).Repeat([|-1|], (b, i) => b.ReLU()).Dense(2);", "RLC008")]
    [InlineData("static readonly Network Spec = Net.Input(4).Repeat(3, (b, i) => b.Dense([|4 - 2 * i|]).ReLU()).Dense(2);", "RLC008")]
    public void Mistakes_in_helpers_and_repeats_are_reported(string members, string id)
    {
        var (source, span) = Markup.Parse("using Relucent;\nnamespace Demo;\n[Saliency] public partial class Net1 { " + members + " }");
        var (result, _) = GeneratorHarness.Run(source);
        Diagnostic diagnostic = result.Diagnostics.First(d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(span, diagnostic.Location.SourceSpan);
        Assert.Empty(result.GeneratedSources);
    }

    [Fact]
    public void A_shortcut_that_does_not_match_its_branch_is_reported_at_the_shortcut()
    {
        var (source, span) = Markup.Parse("""
            using Relucent;
            namespace Demo;
            [Saliency] public partial class Net1
            {
                static readonly Network Spec = Net.Input(2, 6, 6).Residual(b => b.Conv2D(4, kernel: 3, padding: 1).ReLU(), [|shortcut: s => s.Conv2D(4, kernel: 1, stride: 2)|]).Flatten().Dense(2);
            }
            """);
        var (result, _) = GeneratorHarness.Run(source);
        Diagnostic diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("RLC010", diagnostic.Id);
        Assert.Equal(span, diagnostic.Location.SourceSpan);
        Assert.Contains("its shortcut gives [4, 3, 3]", diagnostic.GetMessage(), StringComparison.Ordinal);
    }
}
