using Google.Protobuf;
using Relucent.Explain;
using static Relucent.Onnx.Tests.OnnxBuilder;

namespace Relucent.Onnx.Tests;

/// <summary>The samples/Explain command line: <c>explain import model.onnx</c>.</summary>
public class CliTests
{
    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        int code = Cli.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void Import_prints_the_declaration()
    {
        (int code, string output, string error) = Run("import", Fixture.Path("lenet.onnx"), "--class", "LeNet", "--namespace", "Demo");
        Assert.Equal(0, code);
        Assert.Equal(OnnxImport.Import(Fixture.Path("lenet.onnx")).ToDeclaration("LeNet", "Demo"), output);
        Assert.Equal(string.Empty, error);
    }

    [Fact]
    public void Import_writes_the_rules_asked_for_and_refuses_a_rule_it_cannot_write()
    {
        (int code, string output, _) = Run("import", Fixture.Path("lenet.onnx"), "--rules", "Saliency,EpsilonPlusFlat");
        Assert.Equal(0, code);
        Assert.Equal(OnnxImport.Import(Fixture.Path("lenet.onnx")).ToDeclaration("Lenet", null, new[] { "Saliency", "EpsilonPlusFlat" }), output);
        Assert.Contains("[Saliency, EpsilonPlusFlat]\n", output);

        (code, output, string error) = Run("import", Fixture.Path("lenet.onnx"), "--rules", "Saliency,Occlusion");
        Assert.Equal((2, ""), (code, output));
        Assert.Contains("'Occlusion' is not a rule; --rules takes Saliency, DeconvNet, GuidedBackprop, EpsilonPlus, EpsilonPlusFlat, EpsilonAlpha2Beta1, EpsilonAlpha2Beta1Flat.", error);
        (code, _, error) = Run("import", Fixture.Path("lenet.onnx"), "--rules", "EpsilonGammaBox");
        Assert.Equal(2, code);
        Assert.Contains("EpsilonGammaBox needs its bounds", error);
    }

    [Fact]
    public void Import_names_the_class_after_the_file()
    {
        (int code, string output, _) = Run("import", Fixture.Path("mlp.onnx"));
        Assert.Equal(0, code);
        Assert.Contains("public partial class Mlp\n", output);
        Assert.DoesNotContain("namespace", output);
    }

    [Fact]
    public void Help_lists_the_commands()
    {
        (int code, string output, _) = Run("--help");
        Assert.Equal(0, code);
        Assert.Contains("import <model.onnx> [--class Name] [--namespace Ns] [--rules R,R,...]", output);
    }

    [Fact]
    public void Usage_errors_exit_with_2()
    {
        (int code, _, string error) = Run("frobnicate");
        Assert.Equal(2, code);
        Assert.Contains("unknown command 'frobnicate'", error);

        (code, _, error) = Run("import", Path.Combine(AppContext.BaseDirectory, "missing.onnx"));
        Assert.Equal(2, code);
        Assert.Contains("no file at", error);

        Assert.Equal(2, Run().Code);
        Assert.Equal(2, Run("import").Code);
        Assert.Equal(2, Run("import", Fixture.Path("mlp.onnx"), "--colour", "red").Code);
        Assert.Equal(2, Run("import", Fixture.Path("mlp.onnx"), "--class", "not a name").Code);
    }

    [Fact]
    public void An_unsupported_model_exits_with_1_and_says_why()
    {
        string path = Path.Combine(Path.GetTempPath(), $"relucent-dilated-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, new OnnxBuilder(1, 4, 6, 6).Conv("0", 4, 4, 3, extra: Ints("dilations", 2, 2)).Build().ToByteArray());
        try
        {
            (int code, string output, string error) = Run("import", path);
            Assert.Equal(1, code);
            Assert.Equal(string.Empty, output);
            Assert.Contains("dilations = [2, 2] is not supported", error);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
