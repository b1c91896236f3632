using System.Collections.Concurrent;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Relucent.Generator.Tests;

/// <summary>
/// The generator never throws: thousands of malformed and mutated declarations produce no exception, no CS8785
/// and no internal-error diagnostic, and every class that carries a rule attribute but gets no code is told why
/// by at least one RLC diagnostic. When code is generated for a source that otherwise compiles, it compiles too.
/// </summary>
public class FuzzTests
{
    private const int Cases = 5000;
    private static readonly string[] RuleAttributes = { "Relucent.SaliencyAttribute", "Relucent.DeconvNetAttribute", "Relucent.GuidedBackpropAttribute" };

    private static readonly string[] Seeds =
    {
        Sources.Seed, Sources.Mlp, Sources.LeNet, Sources.ResidualDouble,
        """
        using Relucent;
        namespace Demo;
        public static partial class Outer
        {
            [GuidedBackprop]
            internal partial class Inner
            {
                const int Hidden = 6;
                static Network Spec { get; } = Net.Input(3, 7, 7).Conv2D(Hidden, kernel: 3, stride: 2, padding: 1).BatchNorm(eps: 1e-3).ReLU()
                    .AvgPool(2, stride: 1).Flatten().Dropout(0.5).Dense(Hidden * 2).Sigmoid().Dense(3).Softmax();
            }
        }
        """,
    };

    [Fact]
    public void Mutated_sources_never_make_the_generator_throw_and_every_rejection_is_explained()
    {
        var random = new Random(20261126);
        List<string> sources = Enumerable.Range(0, Cases).Select(i => Mutator.Mutate(Seeds[i % Seeds.Length], random)).ToList();
        CSharpCompilation empty = GeneratorHarness.Compilation();
        var failures = new ConcurrentBag<string>();
        int generated = 0, rejected = 0;

        Parallel.ForEach(Partitioner.Create(0, sources.Count, 250), new ParallelOptions { MaxDegreeOfParallelism = 2 }, range =>
        {
            GeneratorDriver driver = GeneratorHarness.Driver();
            for (int i = range.Item1; i < range.Item2; i++)
            {
                string source = sources[i];
                Compilation input = empty.AddSyntaxTrees(CSharpSyntaxTree.ParseText(source, GeneratorHarness.ParseOptions, path: "Source0.cs"));
                driver = driver.RunGeneratorsAndUpdateCompilation(input, out Compilation output, out var driverDiagnostics);
                GeneratorRunResult result = driver.GetRunResult().Results.Single();
                string? problem = Check(input, output, result, driverDiagnostics, ref generated, ref rejected);
                if (problem != null) failures.Add($"case {i}: {problem}\n{source}");
            }
        });

        Assert.True(failures.IsEmpty, $"{failures.Count} of {Cases} cases failed; first:\n{string.Join("\n----\n", failures.OrderBy(f => f.Length).Take(6))}");
        // The corpus must exercise both paths, or the test proves little.
        Assert.True(generated > Cases / 20, $"only {generated} cases generated code");
        Assert.True(rejected > Cases / 5, $"only {rejected} cases were rejected with a diagnostic");
    }

    private static string? Check(Compilation input, Compilation output, GeneratorRunResult result,
        System.Collections.Immutable.ImmutableArray<Diagnostic> driverDiagnostics, ref int generated, ref int rejected)
    {
        if (result.Exception != null) return "exception " + result.Exception;
        if (driverDiagnostics.Any(d => d.Id == "CS8785")) return "CS8785";
        if (result.Diagnostics.Any(d => d.Id == "RLC099")) return "internal error " + result.Diagnostics.First(d => d.Id == "RLC099").GetMessage();

        SyntaxTree tree = input.SyntaxTrees.Single();
        SemanticModel model = input.GetSemanticModel(tree);
        foreach (ClassDeclarationSyntax declaration in tree.GetRoot().DescendantNodes().OfType<ClassDeclarationSyntax>())
        {
            if (model.GetDeclaredSymbol(declaration) is not INamedTypeSymbol type) continue;
            bool marked = type.GetAttributes().Any(a => RuleAttributes.Contains(a.AttributeClass?.ToDisplayString()));
            if (!marked) continue;
            bool hasCode = result.GeneratedSources.Any(s => s.HintName == type.Name + ".g.cs" || s.HintName.EndsWith("." + type.Name + ".g.cs", StringComparison.Ordinal));
            bool explained = result.Diagnostics.Any(d => d.Id.StartsWith("RLC", StringComparison.Ordinal));
            if (!hasCode && !explained) return $"class {type.Name} carries a rule attribute, got no code and no RLC diagnostic";
            if (hasCode) Interlocked.Increment(ref generated);
            else Interlocked.Increment(ref rejected);
        }

        // Generated code must compile whenever the user's own code does.
        if (result.GeneratedSources.Length > 0 && !input.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error))
        {
            Diagnostic? error = output.GetDiagnostics().FirstOrDefault(d => d.Severity == DiagnosticSeverity.Error);
            if (error != null) return "generated code does not compile: " + error;
        }
        return null;
    }
}
