namespace Relucent.Generator.Tests;

/// <summary>The generated code is a product surface: each example's file is approved text.</summary>
public class SnapshotTests
{
    [Theory]
    [InlineData(nameof(Sources.Seed))]
    [InlineData(nameof(Sources.Mlp))]
    [InlineData(nameof(Sources.LeNet))]
    [InlineData(nameof(Sources.ResidualDouble))]
    public void Generated_code_matches_its_snapshot(string example)
    {
        string source = (string)typeof(Sources).GetField(example)!.GetValue(null)!;
        var (result, output) = GeneratorHarness.Run(source);

        Assert.Empty(result.Diagnostics);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error));
        Snapshot.Match(GeneratorHarness.GeneratedText(result), example);
    }

    [Fact]
    public void Generation_is_byte_stable_across_runs()
    {
        string first = GeneratorHarness.GeneratedText(GeneratorHarness.Run(Sources.LeNet).Result);
        string second = GeneratorHarness.GeneratedText(GeneratorHarness.Run(Sources.LeNet).Result);
        Assert.Equal(first, second);
    }
}
