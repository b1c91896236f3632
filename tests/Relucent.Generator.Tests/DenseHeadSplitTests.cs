using Microsoft.CodeAnalysis;

namespace Relucent.Generator.Tests;

/// <summary>
/// Where the generator splits a network's dense head off for batches (<c>DenseHeadSplit</c>): only a head of dense layers,
/// ReLUs, dropouts and a flatten after a trunk, holding 4 M weights or more, in a class with a gradient rule; the map pass
/// then has exactly one entry at the head's input. Every class compiles either way.
/// </summary>
public class DenseHeadSplitTests
{
    private const string Source = """
        using Relucent;
        namespace Demo;

        [Saliency]
        public partial class Big
        {
            static readonly Network Spec = Net.Input(4, 16, 16)
                .Conv2D(16, kernel: 3, padding: 1).ReLU().MaxPool(2).Flatten().Dense(4096).ReLU().Dropout(0.5).Dense(3);
        }

        [Saliency]
        public partial class Small
        {
            static readonly Network Spec = Net.Input(4, 16, 16)
                .Conv2D(16, kernel: 3, padding: 1).ReLU().MaxPool(2).Flatten().Dense(1024).ReLU().Dense(3);
        }

        [Saliency, DeconvNet]
        public partial class ReluBeforeFlatten
        {
            static readonly Network Spec = Net.Input(4, 16, 16)
                .Conv2D(16, kernel: 3, padding: 1).ReLU().Flatten().Dense(1024).ReLU().Dense(3);
        }

        [EpsilonPlus]
        public partial class LrpOnly
        {
            static readonly Network Spec = Net.Input(4, 16, 16)
                .Conv2D(16, kernel: 3, padding: 1).ReLU().MaxPool(2).Flatten().Dense(4096).ReLU().Dense(3);
        }

        [Saliency]
        public partial class NoTrunk
        {
            static readonly Network Spec = Net.Input(4096).Dense(1024).ReLU().Dense(3);
        }
        """;

    [Fact]
    public void Only_a_large_dense_head_after_a_trunk_is_split_off_and_its_map_pass_has_one_entry()
    {
        var (result, output) = GeneratorHarness.Run(Source);
        Assert.Empty(result.Diagnostics);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));

        // Big: 1,024 × 4,096 weights after the pool: the trunk ends at the pool's output, and the map pass can start there.
        string big = Code(result, "Big");
        Assert.Contains("protected override int HeadStart => 3;", big, StringComparison.Ordinal);
        Assert.Contains("protected override void RunTrunk(Workspace ws)", big, StringComparison.Ordinal);
        Assert.Contains("HeadInput(Workspace ws) => (ws.a3, ws.r3);", big, StringComparison.Ordinal);
        string backward = BatchNormMergeTests.Method(big, "private void Backward<");
        Assert.Equal(1, BatchNormMergeTests.Count(backward, "case FromHeadInput: goto from_head_input;"));
        Assert.Equal(1, BatchNormMergeTests.Count(backward, "from_head_input:"));
        // The label comes after the head's blocks and before the trunk's first (the pool's backward).
        Assert.True(backward.IndexOf("from_head_input:", StringComparison.Ordinal) > backward.IndexOf("DenseKernels.BackwardInput", StringComparison.Ordinal));
        Assert.True(backward.IndexOf("from_head_input:", StringComparison.Ordinal) < backward.IndexOf("PoolingKernels.MaxBackward", StringComparison.Ordinal));

        // Below 4 M weights, with no trunk, or with only an LRP rule: no split.
        foreach (string name in new[] { "Small", "NoTrunk", "LrpOnly" })
        {
            string code = Code(result, name);
            Assert.DoesNotContain("RunTrunk", code, StringComparison.Ordinal);
            Assert.DoesNotContain("FromHeadInput", code, StringComparison.Ordinal);
        }

        // A trunk ending in a ReLU whose rule the head's first kernel would apply: split or not, an entry only where the
        // signal at the head's input is stored.
        string relu = Code(result, "ReluBeforeFlatten");
        Assert.Equal(relu.Contains("RunTrunk", StringComparison.Ordinal) ? 1 : 0, BatchNormMergeTests.Count(relu, "from_head_input:"));
    }

    private static string Code(GeneratorRunResult result, string className) =>
        result.GeneratedSources.Single(s => s.HintName.EndsWith("." + className + ".g.cs", StringComparison.Ordinal)).SourceText.ToString();
}
