extern alias gen;

using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using GeneratedMembers = gen::Relucent.Generator.Emitting.GeneratedMembers;
using NetworkClass = gen::Relucent.Generator.Pipeline.NetworkClass;
using RelucentGenerator = gen::Relucent.Generator.RelucentGenerator;

namespace Relucent.Generator.Tests;

/// <summary>
/// The generator never throws and never writes a member a user could already have: a failure while emitting becomes
/// RLC099, and a user member named like any generated one (each family of names) is RLC016 at that member.
/// </summary>
public class GeneratedMembersTests
{
    private const string Declaration = """
        using Relucent;
        namespace Demo;
        [Saliency, DeconvNet]
        public partial class Net1
        {
            static readonly Network Spec = Net.Input(1, 6, 6).Conv2D(2, kernel: 3).BatchNorm().ReLU().MaxPool(2).Flatten().Dense(3);
            MEMBER
        }
        """;

    [Theory]
    [InlineData("int InputSize;", "InputSize")]                         // a fixed member
    [InlineData("int Saliency;", "Saliency")]                           // a rule's method
    [InlineData("const string DeconvNetDerivation = \"\";", "DeconvNetDerivation")]
    [InlineData("int Layer0Weight;", "Layer0Weight")]                   // a parameter's property
    [InlineData("int _layer5Bias;", "_layer5Bias")]                     // a parameter's field
    [InlineData("int s_conv0;", "s_conv0")]                             // a geometry constant
    [InlineData("int _layer1Scale;", "_layer1Scale")]                   // a value derived from parameters
    [InlineData("int Workspace;", "Workspace")]                         // the workspace class
    [InlineData("int Explain;", "Explain")]                             // inherited from GeneratedNetwork
    [InlineData("int ParameterStorage;", "ParameterStorage")]           // inherited, public
    public void A_user_member_named_like_a_generated_one_is_reported_at_it(string member, string name)
    {
        var (result, _) = GeneratorHarness.Run(Declaration.Replace("MEMBER", member));
        Diagnostic diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("RLC016", diagnostic.Id);
        Assert.Contains($"'{name}'", diagnostic.GetMessage(), StringComparison.Ordinal);
        Assert.Empty(result.GeneratedSources);
    }

    [Theory]
    [InlineData(nameof(Sources.Seed))]
    [InlineData(nameof(Sources.Mlp))]
    [InlineData(nameof(Sources.LeNet))]
    [InlineData(nameof(Sources.ResidualDouble))]
    [InlineData(nameof(Sources.Blocks))]
    public void The_emitted_class_declares_only_members_the_clash_check_knows(string example)
    {
        string source = (string)typeof(Sources).GetField(example)!.GetValue(null)!;
        NetworkClass? model = null;
        var driver = CSharpGeneratorDriver.Create(new[] { new RelucentGenerator(m => { model = m; return gen::Relucent.Generator.Emitting.NetworkEmitter.Emit(m); }).AsSourceGenerator() },
            parseOptions: GeneratorHarness.ParseOptions);
        GeneratorRunResult result = driver.RunGenerators(GeneratorHarness.Compilation(source)).GetRunResult().Results.Single();
        Assert.NotNull(model);
        ClassDeclarationSyntax generatedClass = CSharpSyntaxTree.ParseText(result.GeneratedSources.Single().SourceText).GetRoot()
            .DescendantNodes().OfType<ClassDeclarationSyntax>().First(c => c.Identifier.ValueText == model!.ClassName);
        IEnumerable<string> declared = generatedClass.Members.SelectMany(Names).Distinct();
        Assert.Empty(declared.Except(GeneratedMembers.For(model!)));
    }

    [Fact]
    public void A_failure_while_emitting_is_reported_as_RLC099_naming_the_class()
    {
        var driver = CSharpGeneratorDriver.Create(new[] { new RelucentGenerator(_ => throw new InvalidOperationException("emitter broke")).AsSourceGenerator() },
            parseOptions: GeneratorHarness.ParseOptions);
        driver = (CSharpGeneratorDriver)driver.RunGeneratorsAndUpdateCompilation(GeneratorHarness.Compilation(Sources.Mlp), out Compilation output, out var diagnostics);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();

        Assert.Null(result.Exception);
        Assert.DoesNotContain(diagnostics, d => d.Id == "CS8785");
        Diagnostic diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("RLC099", diagnostic.Id);
        Assert.Contains("Demo.Mlp", diagnostic.GetMessage(), StringComparison.Ordinal);
        Assert.Contains("InvalidOperationException: emitter broke", diagnostic.GetMessage(), StringComparison.Ordinal);
        Assert.Empty(result.GeneratedSources);
    }

    [Fact]
    public void Every_independent_mistake_in_a_chain_is_reported()
    {
        var (result, _) = GeneratorHarness.Run("""
            using Relucent;
            namespace Demo;
            [Saliency] public partial class Mlp { static readonly Network Spec = Net.Input(8).ReLU().Dropout(1.5).Dense(0).Dense(n); static int n = 3; }
            """);
        Assert.Equal(new[] { "RLC006" }, result.Diagnostics.Select(d => d.Id)); // reading stops the checks: a size must be constant first

        (result, _) = GeneratorHarness.Run("""
            using Relucent;
            namespace Demo;
            [Saliency] public partial class Mlp { static readonly Network Spec = Net.Input(8).ReLU().Dropout(1.5).Dense(0).Dense(4); }
            """);
        Assert.Equal(new[] { "RLC008", "RLC008" }, result.Diagnostics.Select(d => d.Id));
        Assert.Contains("Dropout probability", result.Diagnostics[0].GetMessage(), StringComparison.Ordinal);
        Assert.Contains("Dense units", result.Diagnostics[1].GetMessage(), StringComparison.Ordinal);
    }

    private static IEnumerable<string> Names(MemberDeclarationSyntax member) => member switch
    {
        FieldDeclarationSyntax field => field.Declaration.Variables.Select(v => v.Identifier.ValueText),
        PropertyDeclarationSyntax property => new[] { property.Identifier.ValueText },
        MethodDeclarationSyntax method => new[] { method.Identifier.ValueText },
        ClassDeclarationSyntax nested => new[] { nested.Identifier.ValueText },
        ConstructorDeclarationSyntax => Array.Empty<string>(),
        _ => new[] { member.ToString() },
    };
}
