extern alias gen;

using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;

namespace Relucent.Generator.Tests;

/// <summary>
/// One case per diagnostic: its ID, its exact span, and (for errors) that no code is generated.
/// All messages together are also a snapshot, so wording changes are reviewed.
/// </summary>
public class DiagnosticTests
{
    private const string Usings = "using Relucent;\nnamespace Demo;\n";

    public static readonly TheoryData<string, string> Cases = new()
    {
        { "RLC001", Usings + "[Saliency] public class [|Mlp|] { static readonly Network Spec = Net.Input(8).Dense(4).ReLU(); }" },
        { "RLC002", Usings + "public class Outer { [Saliency] public partial class [|Mlp|] { static readonly Network Spec = Net.Input(8).ReLU(); } }" },
        { "RLC003", Usings + "[Saliency] public partial class [|Mlp|] { static readonly int Size = 8; }" },
        { "RLC004", Usings + "[Saliency] public partial class Mlp { static readonly Network A = Net.Input(8).ReLU(); static readonly Network [|B|] = Net.Input(4).ReLU(); }" },
        { "RLC005", Usings + "[Saliency] public partial class Mlp { static readonly Network Spec = [|Build()|]; static Network Build() => Net.Input(8).ReLU(); }" },
        { "RLC005", Usings + "[Saliency] public partial class Mlp { static Network [|Spec|] { get; } }" },
        { "RLC006", Usings + "[Saliency] public partial class Mlp { static int n = 4; static readonly Network Spec = Net.Input(8).Dense([|n|]).ReLU(); }" },
        { "RLC006", Usings + "[Saliency] public partial class Mlp { static string s = \"fc\"; static readonly Network Spec = Net.Input(8).Dense(4, [|name: s|]).ReLU(); }" },
        { "RLC007", Usings + "[Saliency] public partial class Mlp { static readonly Network Spec = Net.Input(8).ReLU().[|Twice()|]; }\npublic static class Ext { public static Network Twice(this Network n) => n; }" },
        { "RLC007", Usings + "[Saliency] public partial class Mlp { static readonly Network Spec = Net.Input(8).ReLU().[|Conv3D(2)|]; }" },
        { "RLC008", Usings + "[Saliency] public partial class Mlp { static readonly Network Spec = Net.Input(8).Dense([|0|]).ReLU(); }" },
        { "RLC008", Usings + "[Saliency] public partial class Mlp { static readonly Network Spec = Net.Input(8).ReLU().Dropout([|1.5|]); }" },
        { "RLC008", Usings + "[Saliency] public partial class Mlp { static readonly Network Spec = Net.Input(1, 8, 8).Conv2D(2, kernel: 3, [|stride: 0|]).ReLU(); }" },
        { "RLC008", Usings + "[Saliency] public partial class Mlp { static readonly Network Spec = Net.Input([|features: -3|]).ReLU(); }" },
        { "RLC009", Usings + "[Saliency] public partial class Mlp { static readonly Network Spec = Net.Input(3, 8, 8).ReLU().[|Dense(4)|]; }" },
        { "RLC009", Usings + "[Saliency] public partial class Mlp { static readonly Network Spec = Net.Input(3, 5, 5).Conv2D(2, [|kernel: 7|]).ReLU(); }" },
        { "RLC009", Usings + "[Saliency] public partial class Mlp { static readonly Network Spec = Net.Input(3, 5, 5).ReLU().MaxPool([|6|]); }" },
        { "RLC009", Usings + "[Saliency] public partial class Mlp { static readonly Network Spec = Net.Input(8).ReLU().[|Conv2D(2, kernel: 3)|]; }" },
        { "RLC010", Usings + "[Saliency] public partial class Mlp { static readonly Network Spec = Net.Input(2, 8, 8).[|Residual(b => b.Conv2D(2, kernel: 3).ReLU())|]; }" },
        { "RLC009", Usings + "[Saliency] public partial class Mlp { static readonly Network Spec = Net.Input(2, 8, 8).Residual(b => b.ReLU().[|Dense(3)|]); }" },
        { "RLC011", Usings + "[Saliency] public partial class Mlp { static readonly Network Spec = Net.Input(100000).ReLU().[|Dense(100000)|]; }" },
        { "RLC012", Usings + "[Saliency] public partial class Mlp { static readonly Network Spec = Net.Input(8).Dense(4, name: \"fc\").ReLU().Dense(2, [|name: \"fc\"|]); }" },
        { "RLC013", Usings + "[Saliency] public partial class Mlp { static readonly Network [|Spec|] = Net.Input(8).Dense(4).Tanh().Dense(2); }" },
        { "RLC014", Usings + "[Saliency] public partial class [|Mlp|]<T> { static readonly Network Spec = Net.Input(8).ReLU(); }" },
        { "RLC015", Usings + "[Saliency] public static partial class [|Mlp|] { static readonly Network Spec = Net.Input(8).ReLU(); }" },
        { "RLC015", Usings + "[Saliency] public abstract partial class [|Mlp|] { static readonly Network Spec = Net.Input(8).ReLU(); }" },
        { "RLC016", Usings + "[Saliency] public partial class Mlp { static readonly Network Spec = Net.Input(8).ReLU(); public float[] [|Forward|](float[] x) => x; }" },
        { "RLC016", Usings + "[Saliency] public partial class Mlp { static readonly Network Spec = Net.Input(8).ReLU(); int [|Saliency|]; }" },
        { "RLC017", Usings + "public class Base { }\n[Saliency] public partial class Mlp : [|Base|] { static readonly Network Spec = Net.Input(8).ReLU(); }" },
        { "RLC018", Usings + "[Saliency] public partial class Mlp { static readonly Network [|Spec|] = Net.Input(8)" + string.Concat(Enumerable.Repeat(".Residual(b => b", 65)) + ".ReLU()" + new string(')', 65) + "; }" },
        { "RLC008", Usings + "[EpsilonPlus] public partial class Mlp { static readonly Network Spec = Net.Input(1, 4, 4).Conv2D(2, kernel: 3, [|rule: LrpRule.Gamma(-1)|]).ReLU(); }" },
        { "RLC008", Usings + "[EpsilonPlus] public partial class Mlp { static readonly Network Spec = Net.Input(8).Dense(4, [|rule: LrpRule.ZBox(1, 1)|]).ReLU(); }" },
        { "RLC019", Usings + "[EpsilonPlus] public partial class Mlp { static readonly Network Spec = Net.Input(8).Dense(4).ReLU().Dense(2).[|Softmax()|]; }" },
        { "RLC019", Usings + "[Saliency, EpsilonAlpha2Beta1] public partial class Mlp { static readonly Network Spec = Net.Input(8).Residual(b => b.Dense(8).ReLU().[|Softmax()|]).Dense(2); }" },
        { "RLC020", Usings + "[EpsilonGammaBox[|(3, -2)|]] public partial class Mlp { static readonly Network Spec = Net.Input(1, 4, 4).Conv2D(2, kernel: 3).ReLU().Flatten().Dense(2); }" },
        { "RLC020", Usings + "[EpsilonGammaBox[|(double.NegativeInfinity, 1)|]] public partial class Mlp { static readonly Network Spec = Net.Input(1, 4, 4).Conv2D(2, kernel: 3).ReLU().Flatten().Dense(2); }" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Diagnostic_is_reported_at_its_exact_span(string id, string markup)
    {
        var (source, span) = Markup.Parse(markup);
        var (result, _) = GeneratorHarness.Run(source);

        Diagnostic diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(span, diagnostic.Location.SourceSpan);
        Assert.Equal("Source0.cs", diagnostic.Location.GetLineSpan().Path);
        if (diagnostic.Severity == DiagnosticSeverity.Error)
        {
            Assert.Empty(result.GeneratedSources);
        }
        else
        {
            Assert.Single(result.GeneratedSources);
        }
    }

    [Fact]
    public void Every_descriptor_has_a_case_and_the_messages_match_their_snapshot()
    {
        var text = new StringBuilder();
        foreach (object[] row in Cases)
        {
            var (source, _) = Markup.Parse((string)row[1]);
            Diagnostic diagnostic = GeneratorHarness.Run(source).Result.Diagnostics.Single();
            FileLinePositionSpan where = diagnostic.Location.GetLineSpan();
            text.Append(CultureInfo.InvariantCulture,
                $"{diagnostic.Id} {diagnostic.Severity} ({where.StartLinePosition.Line + 1},{where.StartLinePosition.Character + 1})-({where.EndLinePosition.Line + 1},{where.EndLinePosition.Character + 1}): {diagnostic.GetMessage(CultureInfo.InvariantCulture)}\n");
        }
        Snapshot.Match(text.ToString(), "Diagnostics");

        string[] tested = Cases.Select(row => (string)row[0]).Distinct().ToArray();
        string[] declared = typeof(gen::Relucent.Generator.RelucentGenerator).Assembly
            .GetType("Relucent.Generator.Diagnostics.DiagnosticDescriptors")!
            .GetFields().Select(f => ((DiagnosticDescriptor)f.GetValue(null)!).Id)
            .Where(id => id != "RLC099")
            .ToArray();
        Assert.Empty(declared.Except(tested));
    }

    [Fact]
    public void A_valid_network_gets_no_diagnostic()
    {
        var (result, output) = GeneratorHarness.Run(Sources.LeNet);
        Assert.Empty(result.Diagnostics);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void A_network_whose_rectifiers_are_ReLU6_gets_no_RLC013()
    {
        // The rules differ at ReLU6 as at ReLU (MobileNetV2 has no plain ReLU), inside blocks too.
        var (result, _) = GeneratorHarness.Run(Usings + "[Saliency, GuidedBackprop] public partial class Mlp { static readonly Network Spec = Net.Input(8).Dense(4).ReLU6().Dense(2); }");
        Assert.Empty(result.Diagnostics);
        (result, _) = GeneratorHarness.Run(Usings + "[Saliency, GuidedBackprop] public partial class Net1 { static readonly Network Spec = Net.Input(2, 4, 4).Residual(b => b.Conv2D(2, kernel: 3, padding: 1).ReLU6()).Flatten().Dense(2); }");
        Assert.Empty(result.Diagnostics);
    }
}
