using Microsoft.CodeAnalysis;

namespace Relucent.Samples.Tests;

/// <summary>
/// <see cref="GeneratorMissing"/>: without the generator, each generated member a user calls first is error CS0619
/// naming the member, the cause and the fix; with the generator the same code compiles, binding to the generated
/// members. (The package tests check the same with real builds, for the package and for project references.)
/// </summary>
public sealed class GeneratorMissingTests
{
    private const string Declaration = """

        [Saliency]
        public partial class Mlp
        {
            static readonly Network Spec = Net.Input(3).Dense(4).ReLU().Dense(2);
        }
        """;

    public static TheoryData<string, string> FirstCalls() => new()
    {
        { "Load", "var net = Mlp.Load(\"mlp.safetensors\");" },
        { "Load", "var net = Mlp.Load(\"mlp.safetensors\", new ParameterBindingOptions { StripPrefix = \"features.\" });" },
        { "Load", "var net = Mlp.Load(File.OpenRead(\"mlp.safetensors\"));" },
        { "FromTensors", "var net = Mlp.FromTensors(new Dictionary<string, Tensor>());" },
        { "FromTensors", "var net = Mlp.FromTensors(new Dictionary<string, Tensor>(), new ParameterBindingOptions());" },
        { "Architecture", "Console.WriteLine(Mlp.Architecture);" },
        { "ParameterShapes", "var shapes = Mlp.ParameterShapes;" },
    };

    [Theory]
    [MemberData(nameof(FirstCalls))]
    public void Without_the_generator_the_call_is_an_error_that_says_why(string member, string call)
    {
        string source = "using Relucent;\n\n" + call + "\n" + Declaration;
        Diagnostic error = Assert.Single(SnippetCompiler.Diagnostics(source, withGenerator: false), d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal("CS0619", error.Id);
        string message = error.GetMessage();
        Assert.Contains($"Relucent's source generator did not run on this project, so this class has no generated {member}.", message);
        Assert.Contains("Reference the Relucent package", message);
        Assert.Contains("OutputItemType=\"Analyzer\" ReferenceOutputAssembly=\"false\"", message);
        Assert.Equal(3, error.Location.GetLineSpan().StartLinePosition.Line + 1); // at the call

        Assert.Empty(SnippetCompiler.Diagnostics(source, withGenerator: true));
    }

    [Fact]
    public void A_wrong_argument_to_a_generated_member_is_the_compilers_usual_error()
    {
        // The stand-ins are reached only when the class has no applicable member of its own; with the generator, a
        // call with a wrong argument fails as it would without Relucent in scope, not with the "did not run" message.
        string source = "using Relucent;\n\nvar net = Mlp.Load(42);\n" + Declaration;
        Diagnostic error = Assert.Single(SnippetCompiler.Diagnostics(source, withGenerator: true), d => d.Severity == DiagnosticSeverity.Error);
        Assert.NotEqual("CS0619", error.Id);
        Assert.DoesNotContain("did not run", error.GetMessage());
    }
}
