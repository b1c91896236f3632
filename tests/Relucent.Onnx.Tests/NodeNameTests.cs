using Relucent.Model;
using static Relucent.Onnx.Tests.OnnxBuilder;

namespace Relucent.Onnx.Tests;

/// <summary>
/// Parameterless layers of the top-level chain named after their ONNX nodes when the node's name is a plain identifier
/// used once (as CNTK exports name them: <c>ReLU393</c>, <c>Pooling395</c>), so layer methods can address them; blocks,
/// layers with parameters, layers inside blocks, torch's path names (<c>/1/Relu</c>) and duplicates keep their indices.
/// </summary>
public class NodeNameTests
{
    [Fact]
    public void Identifier_node_names_name_the_parameterless_layers_of_the_chain()
    {
        // CNTK-style: initialisers Parameter…, nodes named Op + number; a residual block closed by Plus31 around a ReLU21.
        var graph = new OnnxBuilder(1, 1, 8, 8);
        string[] weights = { graph.Initializer("Parameter3", new[] { 2, 1, 3, 3 }), graph.Initializer("Parameter4", new[] { 2 }) };
        graph.Op("Conv", "Convolution5", weights, Ints("kernel_shape", 3, 3), Ints("pads", 1, 1, 1, 1)).Relu("ReLU7");
        string skip = graph.Current;
        graph.Relu("ReLU21");
        graph.Current = graph.Node("Add", "Plus31", new[] { graph.Current, skip });
        graph.Relu("ReLU33").Op("MaxPool", "Pooling35", null, Ints("kernel_shape", 2, 2), Ints("strides", 2, 2)).Op("Flatten", "Flatten37", null, Int("axis", 1))
            .Gemm("Parameter40", "Parameter41", 3, 32, name: "Times43");
        OnnxImportResult result = OnnxImport.Import(graph.Model());

        Network expected = Net.Input(1, 8, 8).Conv2D(2, kernel: 3, padding: 1).ReLU(name: "ReLU7")
            .Residual(b => b.ReLU())
            .ReLU(name: "ReLU33").MaxPool(2, name: "Pooling35").Flatten(name: "Flatten37").Dense(3);
        Assert.Equal(expected.Layers, result.Network.Layers);
        Assert.Contains(".ReLU(name: \"ReLU7\")", result.Expression);
        Assert.Contains(".MaxPool(2, name: \"Pooling35\")", result.Expression);
        DeclarationCompiler.AssertCompiles(result.ToDeclaration("Cntk"));

        // The names change no parameter name, and address the layers.
        Assert.Equal(new[] { "0.weight", "0.bias", "6.weight", "6.bias" }, result.Network.Parameters.Select(p => p.Name));
        var net = Interpreter<float>.FromTensors(result.Network, result.Tensors);
        Assert.Equal(new[] { "ReLU7", "ReLU33", "Pooling35", "Flatten37" }, net.NamedLayers.Select(l => l.Name));
        Assert.Equal(Shape.Image(2, 4, 4), net.NamedLayers.Single(l => l.Name == "Pooling35").Shape);
    }

    [Theory]
    [InlineData("act", "act")]        // used twice in the chain
    [InlineData("fc", "ReLU9")]       // the first equals the Dense's name, from its initialisers fc.weight, fc.bias
    [InlineData("/1/Relu", "/3/Relu")] // torch's path names
    [InlineData("1relu", "relu-3")]
    [InlineData("ReLU 1", "ReLü3")]
    [InlineData("", "_relu3")]
    public void Other_node_names_are_not_used(string first, string second)
    {
        var graph = new OnnxBuilder(1, 8).Gemm("fc.weight", "fc.bias", 16, 8).Relu(first).Gemm("Parameter5", "Parameter6", 16, 16).Relu(second);
        OnnxImportResult result = OnnxImport.Import(graph.Model());
        string? named = second == "ReLU9" ? "ReLU9" : null;
        Assert.Equal(Net.Input(8).Dense(16, name: "fc").ReLU().Dense(16).ReLU(name: named).Layers, result.Network.Layers);
    }
}
