namespace Relucent.Generator.Tests;

/// <summary>The generated code is a product surface: each example's file is approved text.</summary>
public class SnapshotTests
{
    [Theory]
    [InlineData(nameof(Sources.Seed))]
    [InlineData(nameof(Sources.Mlp))]
    [InlineData(nameof(Sources.LeNet))]
    [InlineData(nameof(Sources.ResidualDouble))]
    [InlineData(nameof(Sources.Blocks))]
    [InlineData(nameof(Sources.Lrp))]
    [InlineData(nameof(Sources.Winograd))]
    [InlineData(nameof(Sources.DenseHead))]
    public void Generated_code_matches_its_snapshot(string example)
    {
        string source = (string)typeof(Sources).GetField(example)!.GetValue(null)!;
        var (result, output) = GeneratorHarness.Run(source);

        Assert.Empty(result.Diagnostics);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error));
        Snapshot.Match(GeneratorHarness.GeneratedText(result), example);
    }

    /// <summary>
    /// In every forward and backward method of every example, each statement is directly preceded by the one
    /// comment that states its block's math (a residual block's own comment may precede its branch's first one).
    /// </summary>
    [Theory]
    [InlineData(nameof(Sources.Seed))]
    [InlineData(nameof(Sources.Mlp))]
    [InlineData(nameof(Sources.LeNet))]
    [InlineData(nameof(Sources.ResidualDouble))]
    [InlineData(nameof(Sources.Blocks))]
    [InlineData(nameof(Sources.Lrp))]
    [InlineData(nameof(Sources.Winograd))]
    [InlineData(nameof(Sources.DenseHead))]
    public void Every_block_is_preceded_by_one_describing_comment(string example)
    {
        string source = (string)typeof(Sources).GetField(example)!.GetValue(null)!;
        string[] lines = GeneratorHarness.GeneratedText(GeneratorHarness.Run(source).Result).Split('\n');
        int methods = 0, blocks = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            string header = lines[i].Trim();
            if (!(header.StartsWith("protected override void RunForward(", StringComparison.Ordinal) || header.StartsWith("private void Backward<", StringComparison.Ordinal)
                || header.StartsWith("protected override void RunDeclaredForward(", StringComparison.Ordinal) || header.StartsWith("private void MergedBackward<", StringComparison.Ordinal)
                || header.StartsWith("private void Relevance", StringComparison.Ordinal) || header.StartsWith("protected override void RunTrunk(", StringComparison.Ordinal))) continue;
            methods++;
            int end = Array.FindIndex(lines, i + 1, l => l == lines[i].Replace(header, "}"));
            for (int j = i + 2; j < end; j++)
            {
                string line = lines[j].Trim();
                if (line.Length == 0 || line.StartsWith("//", StringComparison.Ordinal) || line is "{" or "}") continue;
                if (line.StartsWith("case ", StringComparison.Ordinal)) continue; // inside the opening switch, one statement with its comment
                string before = lines[..j].Select(l => l.Trim()).Last(l => l.Length > 0 && !l.StartsWith("//", StringComparison.Ordinal));
                if (!before.EndsWith(';') && !before.EndsWith('{')) continue; // the continuation of a wrapped statement
                int comment = j - 1;
                while (lines[comment].Trim().StartsWith("//   ", StringComparison.Ordinal)) comment--; // a wrapped comment's continuation
                Assert.True(lines[comment].Trim().StartsWith("// Layer ", StringComparison.Ordinal), $"{example}, line {j + 1}: '{line}' has no describing comment above it");
                blocks++;
            }
            // Every ReLU backward states each rule's formula.
            foreach (string comment in lines[i..end].Where(l => l.Contains("ReLU() backward", StringComparison.Ordinal)))
            {
                Assert.Matches(@"ReLU\(\) backward(, in the same call)?, by rule: Saliency r[\d_]+ = 1\[a[\d_]+ > 0\] · r[\d_]+", comment);
            }
            // Every convolution's and dense layer's LRP block states its rule by name and formula.
            foreach (string comment in lines[i..end].Where(l => l.Contains(") LRP backward", StringComparison.Ordinal) && (l.Contains("Conv2D(", StringComparison.Ordinal) || l.Contains("Dense(", StringComparison.Ordinal))))
            {
                Assert.Matches(@"LRP backward, \S+ rule.* \(Zennit's (Epsilon|ZPlus|AlphaBeta|Gamma|ZBox|Flat)\): r\w+ = ", comment);
            }
        }
        Assert.True(methods >= 2 && blocks >= methods - 1, $"{example}: found {methods} methods and {blocks} statements");
    }

    [Theory]
    [InlineData(nameof(Sources.Seed))]
    [InlineData(nameof(Sources.Mlp))]
    [InlineData(nameof(Sources.LeNet))]
    [InlineData(nameof(Sources.ResidualDouble))]
    [InlineData(nameof(Sources.Blocks))]
    [InlineData(nameof(Sources.Lrp))]
    [InlineData(nameof(Sources.DenseHead))]
    public void No_generated_line_is_wider_than_160_characters(string example)
    {
        string source = (string)typeof(Sources).GetField(example)!.GetValue(null)!;
        string[] lines = GeneratorHarness.GeneratedText(GeneratorHarness.Run(source).Result).Split('\n');
        Assert.All(lines, line => Assert.True(line.Length <= 160, $"{example}: {line.Length} characters: {line}"));
    }

    [Fact]
    public void Generation_is_byte_stable_across_runs()
    {
        string first = GeneratorHarness.GeneratedText(GeneratorHarness.Run(Sources.LeNet).Result);
        string second = GeneratorHarness.GeneratedText(GeneratorHarness.Run(Sources.LeNet).Result);
        Assert.Equal(first, second);
    }
}
