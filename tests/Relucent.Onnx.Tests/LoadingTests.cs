using Relucent.Testing;

namespace Relucent.Onnx.Tests;

/// <summary>The ONNX initialisers load into generated classes and compute what PyTorch computed.</summary>
public class LoadingTests
{
    [Theory]
    [InlineData("mlp")]
    [InlineData("lenet")]
    public void Imported_tensors_equal_the_safetensors_weights_bit_for_bit(string model)
    {
        OnnxImportResult result = OnnxImport.Import(Fixture.Path(model + ".onnx"));
        SafeTensorsFile weights = Fixture.Weights(model);
        Assert.Equal(weights.Keys.Order(StringComparer.Ordinal), result.Tensors.Keys.Order(StringComparer.Ordinal));
        foreach ((string name, Tensor expected) in weights)
        {
            Assert.True(expected.ContentEquals(result.Tensors[name]), $"{name}: {result.Tensors[name]} differs from the weights file's {expected}");
        }
    }

    [Theory]
    [InlineData("mlp")]
    [InlineData("lenet")]
    public void Tensors_loaded_for_a_declared_network_equal_the_safetensors_weights(string model)
    {
        Network declared = model == "mlp" ? Mlp.Architecture : CaptumLeNet.Architecture;
        Dictionary<string, Tensor> tensors = OnnxImport.LoadTensors(declared, Fixture.Onnx(model));
        SafeTensorsFile weights = Fixture.Weights(model);
        Assert.Equal(weights.Keys.Order(StringComparer.Ordinal), tensors.Keys.Order(StringComparer.Ordinal));
        foreach ((string name, Tensor expected) in weights) Assert.True(expected.ContentEquals(tensors[name]), name);
    }

    [Fact]
    public void Mlp_from_onnx_reproduces_the_fixture_logits()
    {
        Mlp net = Mlp.FromTensors(OnnxImport.LoadTensors(Mlp.Architecture, Fixture.Onnx("mlp")));
        SafeTensorsFile cases = Fixture.Cases("mlp");
        Assert.Equal(new[] { 4, 4 }, cases["logits"].Shape);
        for (int i = 0; i < 4; i++)
        {
            float[] logits = net.Forward(Fixture.Row<float>(cases["inputs"], i));
            Fixture.Close(Fixture.Row<double>(cases["logits"], i), logits.Select(v => (double)v).ToArray(), 1e-5, $"mlp logits, example {i}");
        }
    }

    [Fact]
    public void LeNet_from_onnx_reproduces_the_fixture_logits()
    {
        CaptumLeNet net = CaptumLeNet.FromTensors(OnnxImport.LoadTensors(CaptumLeNet.Architecture, Fixture.Onnx("lenet")));
        SafeTensorsFile cases = Fixture.Cases("lenet");
        Assert.Equal(new[] { 4, 5 }, cases["logits"].Shape);
        for (int i = 0; i < 4; i++)
        {
            float[] logits = net.Forward(Fixture.Row<float>(cases["inputs"], i));
            Fixture.Close(Fixture.Row<double>(cases["logits"], i), logits.Select(v => (double)v).ToArray(), 1e-5, $"lenet logits, example {i}");
        }
    }

    [Fact]
    public void Import_result_tensors_load_into_the_generated_class()
    {
        // The imported network's names are the declared class's, so FromTensors takes the import's tensors as they are.
        CaptumLeNet net = CaptumLeNet.FromTensors(OnnxImport.Import(Fixture.Path("lenet.onnx")).Tensors);
        SafeTensorsFile cases = Fixture.Cases("lenet");
        float[] logits = net.Forward(Fixture.Row<float>(cases["inputs"], 2));
        Fixture.Close(Fixture.Row<double>(cases["logits"], 2), logits.Select(v => (double)v).ToArray(), 1e-5, "lenet logits, example 2");
    }

    [Fact]
    public void Declared_names_need_not_match_the_initializer_names()
    {
        // Loading is by position: a declaration naming its layers differently still gets the right tensors.
        Network named = Net.Input(8).Dense(16, name: "fc1").ReLU().Dense(12, name: "fc2").ReLU().Dense(4, name: "out");
        Dictionary<string, Tensor> tensors = OnnxImport.LoadTensors(named, Fixture.Onnx("mlp"));
        SafeTensorsFile weights = Fixture.Weights("mlp");
        Assert.True(weights["2.weight"].ContentEquals(tensors["fc2.weight"]));
        Assert.True(weights["4.bias"].ContentEquals(tensors["out.bias"]));
        Assert.Equal(6, tensors.Count);
    }

    [Fact]
    public void Declared_dropout_is_skipped_when_matching()
    {
        // Exports in eval mode leave Dropout out; a declaration that keeps it still matches.
        Network withDropout = Net.Input(8).Dense(16).ReLU().Dropout(0.5).Dense(12).ReLU().Dense(4);
        Assert.Null(OnnxImport.FindMismatch(withDropout, Fixture.Onnx("mlp")));
        Dictionary<string, Tensor> tensors = OnnxImport.LoadTensors(withDropout, Fixture.Onnx("mlp"));
        Assert.True(Fixture.Weights("mlp")["2.weight"].ContentEquals(tensors["3.weight"]));
    }
}
