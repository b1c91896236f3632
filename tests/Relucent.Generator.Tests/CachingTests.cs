extern alias gen;

using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Steps = gen::Relucent.Generator.RelucentGenerator.Steps;

namespace Relucent.Generator.Tests;

/// <summary>
/// The pipeline model is value-equal data: an unrelated edit leaves every step cached, and a change to one
/// network regenerates that network only.
/// </summary>
public class CachingTests
{
    private const string Other = """
        namespace Demo;
        public class Unrelated { public int Value => 1; }
        """;

    // A network that gets a warning (RLC013, no ReLU), so the diagnostics step has something to carry.
    private const string Warned = """
        using Relucent;
        namespace Demo;
        [Saliency] public partial class Smooth { static readonly Network Spec = Net.Input(4).Tanh().Dense(2); }
        """;

    [Fact]
    public void An_unrelated_edit_leaves_every_step_cached()
    {
        var (driver, compilation) = FirstRun(Sources.Mlp, Sources.LeNet, Other, Warned);

        Compilation edited = Replace(compilation, 2, Other.Replace("Value => 1", "Value => 2") + "\npublic class Added { }\n");
        GeneratorRunResult result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        foreach (string step in new[] { Steps.Parse, Steps.Model, Steps.Diagnostics })
        {
            Assert.All(Outputs(result, step), reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {reason}"));
        }
        Assert.All(SourceOutputs(result), reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"source output: {reason}"));
    }

    [Fact]
    public void An_edit_elsewhere_in_the_same_file_keeps_the_model_unchanged()
    {
        var (driver, compilation) = FirstRun(Sources.Mlp + "\npublic class Neighbour { }\n");
        Compilation edited = Replace(compilation, 0, Sources.Mlp + "\npublic class Neighbour { public int X; }\n");
        GeneratorRunResult result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        Assert.All(Outputs(result, Steps.Model), reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"model: {reason}"));
        Assert.All(SourceOutputs(result), reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"source output: {reason}"));
    }

    [Theory]
    [InlineData(".Dense(16).ReLU()", ".Dense(17).ReLU()")]
    [InlineData(".Dense(12).ReLU()", ".Dense(12).Tanh().ReLU()")]
    [InlineData("[Saliency, DeconvNet, GuidedBackprop]", "[Saliency, GuidedBackprop]")]
    public void Changing_a_layer_a_size_or_a_rule_regenerates_exactly_that_class(string before, string after)
    {
        var (driver, compilation) = FirstRun(Sources.Mlp, Sources.LeNet);
        string firstMlp = Generated(driver, "Mlp");
        string firstLeNet = Generated(driver, "LeNet");

        Compilation edited = Replace(compilation, 0, Sources.Mlp.Replace(before, after));
        GeneratorDriver next = driver.RunGenerators(edited);
        GeneratorRunResult result = next.GetRunResult().Results.Single();

        Assert.Equal(new[] { IncrementalStepRunReason.Modified }, Outputs(result, Steps.Model).Where(r => r != IncrementalStepRunReason.Cached && r != IncrementalStepRunReason.Unchanged));
        Assert.NotEqual(firstMlp, Generated(next, "Mlp"));
        Assert.Equal(firstLeNet, Generated(next, "LeNet"));
    }

    private static (GeneratorDriver Driver, Compilation Compilation) FirstRun(params string[] sources)
    {
        Compilation compilation = GeneratorHarness.Compilation(sources);
        GeneratorDriver driver = GeneratorHarness.Driver(trackSteps: true).RunGenerators(compilation);
        Assert.NotEmpty(driver.GetRunResult().GeneratedTrees);
        return (driver, compilation);
    }

    private static Compilation Replace(Compilation compilation, int index, string source)
    {
        SyntaxTree old = compilation.SyntaxTrees.ElementAt(index);
        return compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(source, GeneratorHarness.ParseOptions, path: old.FilePath));
    }

    // A step that is not tracked, or tracked with no outputs, fails: otherwise every assertion above would hold for nothing.
    private static IReadOnlyList<IncrementalStepRunReason> Outputs(GeneratorRunResult result, string step)
    {
        Assert.True(result.TrackedSteps.TryGetValue(step, out var runs), $"step {step} is not tracked; tracked: {string.Join(", ", result.TrackedSteps.Keys)}");
        IncrementalStepRunReason[] reasons = runs!.SelectMany(r => r.Outputs).Select(o => o.Reason).ToArray();
        Assert.NotEmpty(reasons);
        return reasons;
    }

    private static IReadOnlyList<IncrementalStepRunReason> SourceOutputs(GeneratorRunResult result)
    {
        IncrementalStepRunReason[] reasons = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(r => r.Outputs).Select(o => o.Reason).ToArray();
        Assert.NotEmpty(reasons);
        return reasons;
    }

    private static string Generated(GeneratorDriver driver, string className) =>
        driver.GetRunResult().Results.Single().GeneratedSources.Single(s => s.HintName.EndsWith("." + className + ".g.cs", StringComparison.Ordinal)).SourceText.ToString();
}
