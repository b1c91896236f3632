using Relucent.Testing;

namespace Relucent.Onnx.Tests;

/// <summary>The Captum fixtures' ONNX exports (torch.onnx.export, opset 17) import as the networks they came from.</summary>
public class FixtureImportTests
{
    private const string MlpDeclaration = """
        using Relucent;

        namespace Relucent.Onnx.Tests.Imported;

        [Saliency, DeconvNet, GuidedBackprop]
        public partial class Mlp
        {
            static readonly Network Spec = Net.Input(8)
                .Dense(16).ReLU()
                .Dense(12).ReLU()
                .Dense(4);
        }

        """;

    private const string LeNetDeclaration = """
        using Relucent;

        namespace Relucent.Onnx.Tests.Imported;

        [Saliency, DeconvNet, GuidedBackprop]
        public partial class LeNet
        {
            static readonly Network Spec = Net.Input(1, 12, 12)
                .Conv2D(4, kernel: 3, padding: 1).ReLU().MaxPool(2)
                .Conv2D(8, kernel: 3).ReLU().MaxPool(2)
                .Flatten()
                .Dense(16).ReLU()
                .Dense(5);
        }

        """;

    [Fact]
    public void Mlp_imports_as_the_network_it_was_exported_from()
    {
        OnnxImportResult result = OnnxImport.Import(Fixture.Path("mlp.onnx"));
        Network expected = Mlp.Architecture;
        Assert.Equal(expected.InputShape, result.Network.InputShape);
        Assert.Equal(expected.Layers, result.Network.Layers);
        Assert.Equal(expected.Parameters, result.Network.Parameters);
    }

    [Fact]
    public void LeNet_imports_as_the_network_it_was_exported_from()
    {
        OnnxImportResult result = OnnxImport.Import(Fixture.Path("lenet.onnx"));
        Network expected = CaptumLeNet.Architecture;
        Assert.Equal(expected.InputShape, result.Network.InputShape);
        Assert.Equal(expected.Layers, result.Network.Layers);
        Assert.Equal(expected.Parameters, result.Network.Parameters);
    }

    [Fact]
    public void Mlp_declaration_is_the_hand_written_one()
    {
        OnnxImportResult result = OnnxImport.Import(Fixture.Path("mlp.onnx"));
        Assert.Equal(MlpDeclaration.ReplaceLineEndings("\n"), result.ToDeclaration("Mlp", "Relucent.Onnx.Tests.Imported"));
    }

    [Fact]
    public void LeNet_declaration_is_the_hand_written_one()
    {
        OnnxImportResult result = OnnxImport.Import(Fixture.Path("lenet.onnx"));
        Assert.Equal(LeNetDeclaration.ReplaceLineEndings("\n"), result.ToDeclaration("LeNet", "Relucent.Onnx.Tests.Imported"));
    }

    [Fact]
    public void Declaration_compiles_against_the_Dsl_alone()
    {
        foreach (string model in new[] { "mlp", "lenet" })
        {
            string text = OnnxImport.Import(Fixture.Path(model + ".onnx")).ToDeclaration(NetworkDeclaration.ClassNameFromFile(model + ".onnx"), "Imported");
            DeclarationCompiler.AssertCompiles(text);
        }
    }

    [Fact]
    public void The_compile_check_catches_a_broken_declaration()
    {
        string text = OnnxImport.Import(Fixture.Path("lenet.onnx")).ToDeclaration("LeNet");
        Assert.NotEmpty(DeclarationCompiler.Errors(text.Replace("kernel:", "kernal:", StringComparison.Ordinal)));
        Assert.NotEmpty(DeclarationCompiler.Errors(text.Replace(".Flatten()", ".Flaten()", StringComparison.Ordinal)));
    }

    [Fact]
    public void Fixture_initializers_carry_the_state_dict_names()
    {
        // torch.onnx.export (opset 17, TorchScript exporter) kept the nn.Sequential state_dict names: "0.weight", "7.bias".
        OnnxImportResult mlp = OnnxImport.Import(Fixture.Path("mlp.onnx"));
        Assert.Equal(new[] { "0.bias", "0.weight", "2.bias", "2.weight", "4.bias", "4.weight" }, mlp.NameMap.Keys.Order(StringComparer.Ordinal));
        Assert.All(mlp.NameMap, kv => Assert.Equal(kv.Key, kv.Value));
        Assert.Empty(mlp.Notes);

        OnnxImportResult lenet = OnnxImport.Import(Fixture.Path("lenet.onnx"));
        Assert.Equal(new[] { "0.bias", "0.weight", "3.bias", "3.weight", "7.bias", "7.weight", "9.bias", "9.weight" }, lenet.NameMap.Keys.Order(StringComparer.Ordinal));
        Assert.All(lenet.NameMap, kv => Assert.Equal(kv.Key, kv.Value));
    }

    [Fact]
    public void Model_reports_its_input_output_and_nodes()
    {
        OnnxModel model = Fixture.Onnx("lenet");
        Assert.Equal("input", model.InputName);
        Assert.Equal(new[] { 1, 12, 12 }, model.InputShape);
        Assert.Equal("1", model.InputBatch);
        Assert.Equal("logits", model.OutputName);
        Assert.Equal(17, model.OpsetVersion);
        Assert.StartsWith("pytorch", model.Producer);
        Assert.Equal(
            new[] { "Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool", "Flatten", "Gemm", "Relu", "Gemm" },
            model.Nodes.Select(n => n.OpType));
        Assert.Equal(DType.F32, model.Initializers["3.weight"].DType);
        Assert.Equal(new[] { 8, 4, 3, 3 }, model.Initializers["3.weight"].Shape);
    }
}
