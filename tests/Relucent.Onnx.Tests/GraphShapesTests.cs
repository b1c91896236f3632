using Google.Protobuf;
using Relucent.Model;
using static Relucent.Onnx.Tests.OnnxBuilder;

namespace Relucent.Onnx.Tests;

/// <summary>Graphs as exporters write them besides the fixtures: residual blocks, gaps in the numbering, folded names, MatMul + Add, shape subgraphs.</summary>
public class GraphShapesTests
{
    private static string Declaration(string body) =>
        "using Relucent;\n\n[Saliency, DeconvNet, GuidedBackprop]\npublic partial class Net1\n{\n    static readonly Network Spec = " + body + ";\n}\n";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Residual_block_imports_with_its_branch_and_names(bool skipFirst)
    {
        // nn.Sequential(Conv, ReLU, Residual(body=Sequential(Conv, ReLU, Conv)), ReLU, Flatten, Linear)
        var graph = new OnnxBuilder(1, 4, 6, 6)
            .Conv("0", 4, 4, 3, padding: 1).Relu()
            .Residual(b => b.Conv("2.body.0", 4, 4, 3, padding: 1).Relu().Conv("2.body.2", 4, 4, 3, padding: 1), skipFirst)
            .Relu().Op("Flatten", null, null, Int("axis", 1))
            .Gemm("5.weight", "5.bias", 3, 144);
        OnnxImportResult result = OnnxImport.Import(graph.Model());

        Network expected = Net.Input(4, 6, 6).Conv2D(4, kernel: 3, padding: 1).ReLU()
            .Residual(b => b.Conv2D(4, kernel: 3, padding: 1).ReLU().Conv2D(4, kernel: 3, padding: 1), name: "2.body")
            .ReLU().Flatten().Dense(3);
        Assert.Equal(expected.Layers, result.Network.Layers);
        Assert.Equal(
            new[] { "0.weight", "0.bias", "2.body.0.weight", "2.body.0.bias", "2.body.2.weight", "2.body.2.bias", "5.weight", "5.bias" },
            result.Network.Parameters.Select(p => p.Name));
        Assert.All(result.NameMap, kv => Assert.Equal(kv.Key, kv.Value));

        string text = result.ToDeclaration("Net1");
        Assert.Equal(Declaration("""
            Net.Input(4, 6, 6)
                    .Conv2D(4, kernel: 3, padding: 1).ReLU()
                    .Residual(b => b
                        .Conv2D(4, kernel: 3, padding: 1).ReLU()
                        .Conv2D(4, kernel: 3, padding: 1), name: "2.body")
                    .ReLU()
                    .Flatten()
                    .Dense(3)
            """.ReplaceLineEndings("\n")), text);
        DeclarationCompiler.AssertCompiles(text);

        // The weights bind to the network: the interpreter runs it.
        var interpreter = Interpreter<float>.FromTensors(result.Network, result.Tensors);
        Assert.Equal(3, interpreter.Forward(new float[144]).Length);
    }

    [Fact]
    public void A_projection_shortcut_imports_as_torchvision_s_downsample_with_its_names()
    {
        // torchvision's BasicBlock with a downsample, exported without folding: the Add's inputs start from one tensor.
        var graph = new OnnxBuilder(1, 4, 8, 8)
            .Join("Add",
                b => b.Conv("layer2.0.conv1", 8, 4, 3, stride: 2, padding: 1, bias: false).BatchNorm("layer2.0.bn1", 8).Relu()
                    .Conv("layer2.0.conv2", 8, 8, 3, padding: 1, bias: false).BatchNorm("layer2.0.bn2", 8),
                s => s.Conv("layer2.0.downsample.0", 8, 4, 1, stride: 2, bias: false).BatchNorm("layer2.0.downsample.1", 8))
            .Relu();
        OnnxImportResult result = OnnxImport.Import(graph.Model());
        Assert.Equal("""
            Net.Input(4, 8, 8)
                .Residual(b => b
                    .Conv2D(8, kernel: 3, stride: 2, padding: 1, bias: false, name: "conv1").BatchNorm(name: "bn1").ReLU()
                    .Conv2D(8, kernel: 3, padding: 1, bias: false, name: "conv2").BatchNorm(name: "bn2"), shortcut: b => b
                    .Conv2D(8, kernel: 1, stride: 2, bias: false).BatchNorm(), name: "layer2.0")
                .ReLU()
            """.ReplaceLineEndings("\n"), result.Expression);
        Assert.Equal(15, result.NameMap.Count); // three convolution weights, three BatchNorms of four tensors
        Assert.All(result.NameMap, kv => Assert.Equal(kv.Key, kv.Value));
        DeclarationCompiler.AssertCompiles(result.ToDeclaration("Block"));

        // The same block written shortcut first: the longer chain is still the branch.
        var swapped = new OnnxBuilder(1, 4, 8, 8)
            .Join("Add",
                s => s.Conv("layer2.0.downsample.0", 8, 4, 1, stride: 2, bias: false).BatchNorm("layer2.0.downsample.1", 8),
                b => b.Conv("layer2.0.conv1", 8, 4, 3, stride: 2, padding: 1, bias: false).BatchNorm("layer2.0.bn1", 8).Relu()
                    .Conv("layer2.0.conv2", 8, 8, 3, padding: 1, bias: false).BatchNorm("layer2.0.bn2", 8))
            .Relu();
        Assert.Equal(result.Network.Layers, OnnxImport.Import(swapped.Model()).Network.Layers);
    }

    [Fact]
    public void An_Inception_block_imports_as_a_Concat_with_its_names()
    {
        var graph = new OnnxBuilder(1, 4, 8, 8)
            .Join("Concat",
                b => b.Conv("inception3a.branch1.conv", 3, 4, 1, bias: false).BatchNorm("inception3a.branch1.bn", 3).Relu(),
                b => b.Conv("inception3a.branch2.0.conv", 2, 4, 1).Relu().Conv("inception3a.branch2.1.conv", 3, 2, 3, padding: 1).Relu(),
                b => b.Pool("MaxPool", 3, Ints("strides", 1, 1), Ints("pads", 1, 1, 1, 1), Int("ceil_mode", 1)).Conv("inception3a.branch4.1.conv", 2, 4, 1),
                b => { })
            .Relu();
        OnnxImportResult result = OnnxImport.Import(graph.Model());
        Assert.Equal("""
            Net.Input(4, 8, 8)
                .Concat(b => b
                    .Conv2D(3, kernel: 1, bias: false, name: "branch1.conv").BatchNorm(name: "branch1.bn").ReLU(), second: b => b
                    .Conv2D(2, kernel: 1, name: "branch2.0.conv").ReLU()
                    .Conv2D(3, kernel: 3, padding: 1, name: "branch2.1.conv").ReLU(), third: b => b.MaxPool(3, stride: 1, padding: 1)
                    .Conv2D(2, kernel: 1, name: "branch4.1.conv"), fourth: b => b, name: "inception3a")
                .ReLU()
            """.ReplaceLineEndings("\n"), result.Expression);
        Assert.Equal(Shape.Image(3 + 3 + 2 + 4, 8, 8), result.Network.OutputShape);
        Assert.All(result.NameMap, kv => Assert.Equal(kv.Key, kv.Value));
        DeclarationCompiler.AssertCompiles(result.ToDeclaration("Inception"));
    }

    [Fact]
    public void Pads_per_side_and_groups_are_declared_as_written()
    {
        var graph = new OnnxBuilder(1, 4, 9, 9)
            .Conv("0", 8, 4, 7, stride: 2, bias: false, extra: Ints("pads", 3, 3, 2, 2)).Relu()
            .Pool("MaxPool", 3, Ints("strides", 2, 2), Ints("pads", 1, 1, 0, 0))
            .Conv("3", 8, 1, 3, padding: 1, extra: Int("group", 8))
            .Op("GlobalAveragePool");
        OnnxImportResult result = OnnxImport.Import(graph.Model());
        Assert.Equal("""
            Net.Input(4, 9, 9)
                .Conv2D(8, kernel: 7, stride: 2, padding: new Padding(top: 3, left: 3, bottom: 2, right: 2), bias: false).ReLU().MaxPool(3, stride: 2, padding: new Padding(top: 1, left: 1, bottom: 0, right: 0))
                .Conv2D(8, kernel: 3, padding: 1, groups: 8).AdaptiveAvgPool(1)
            """.ReplaceLineEndings("\n"), result.Expression);
        DeclarationCompiler.AssertCompiles(result.ToDeclaration("Stem"));
    }

    [Fact]
    public void Nested_residual_blocks_keep_their_names()
    {
        // 0 Conv, 1 Residual(0 Conv, 1 ReLU, 2 Residual(0 Conv)), 2 Flatten, 3 Linear
        var graph = new OnnxBuilder(1, 2, 4, 4)
            .Conv("0", 2, 2, 1)
            .Residual(b => b.Conv("1.0", 2, 2, 3, padding: 1).Relu().Residual(c => c.Conv("1.2.0", 2, 2, 1)))
            .Op("Flatten").Gemm("3.weight", "3.bias", 2, 32);
        OnnxImportResult result = OnnxImport.Import(graph.Model());
        Network expected = Net.Input(2, 4, 4).Conv2D(2, kernel: 1)
            .Residual(b => b.Conv2D(2, kernel: 3, padding: 1).ReLU().Residual(c => c.Conv2D(2, kernel: 1)))
            .Flatten().Dense(2);
        Assert.Equal(expected.Layers, result.Network.Layers);
        Assert.Contains("1.2.0.weight", result.Tensors.Keys);
        Assert.Contains(".Residual(b2 => b2", result.Expression);
        DeclarationCompiler.AssertCompiles(result.ToDeclaration("Nested"));
    }

    [Fact]
    public void Gaps_in_the_numbering_become_names()
    {
        // nn.Sequential(Linear, ReLU, Dropout, Linear): the export drops Dropout, so the second Linear is "3".
        var graph = new OnnxBuilder(0, 8).Gemm("0.weight", "0.bias", 16, 8).Relu().Gemm("3.weight", "3.bias", 4, 16);
        OnnxImportResult result = OnnxImport.Import(graph.Model());
        Assert.Equal(Net.Input(8).Dense(16).ReLU().Dense(4, name: "3").Layers, result.Network.Layers);
        Assert.Equal("Net.Input(8)\n    .Dense(16).ReLU()\n    .Dense(4, name: \"3\")", result.Expression);
        Assert.Equal("3.weight", result.NameMap["3.weight"]);
        DeclarationCompiler.AssertCompiles(result.ToDeclaration("Gapped"));
    }

    [Fact]
    public void Module_paths_become_names()
    {
        var graph = new OnnxBuilder(1, 1, 6, 6).Conv("features.0", 2, 1, 3).Relu().Op("Flatten").Gemm("classifier.weight", "classifier.bias", 3, 32);
        OnnxImportResult result = OnnxImport.Import(graph.Model());
        Assert.Equal(Net.Input(1, 6, 6).Conv2D(2, kernel: 3, name: "features.0").ReLU().Flatten().Dense(3, name: "classifier").Layers, result.Network.Layers);
        Assert.Equal(new[] { "features.0.weight", "features.0.bias", "classifier.weight", "classifier.bias" }, result.Network.Parameters.Select(p => p.Name));
    }

    [Fact]
    public void Folded_names_map_by_position_and_MatMul_weights_are_transposed()
    {
        float[] w = Enumerable.Range(0, 4 * 16).Select(i => (float)Math.Sin(i)).ToArray();  // [4, 16] as PyTorch stores it
        float[] wt = new float[w.Length];                                                   // [16, 4] as MatMul reads it
        for (int o = 0; o < 4; o++) for (int i = 0; i < 16; i++) wt[i * 4 + o] = w[o * 16 + i];
        float[] bias = { 0.5f, -0.25f, 0.125f, 1f };

        var matmul = new OnnxBuilder(1, 8).Gemm("0.weight", "0.bias", 16, 8).Relu().MatMulAdd("onnx::MatMul_9", "onnx::Add_10", 4, 16, wt, bias);
        OnnxImportResult result = OnnxImport.Import(matmul.Model());
        Assert.Equal(Net.Input(8).Dense(16).ReLU().Dense(4).Layers, result.Network.Layers);
        Assert.Equal("2.weight", result.NameMap["onnx::MatMul_9"]);
        Assert.Equal("2.bias", result.NameMap["onnx::Add_10"]);
        Assert.Equal(new[] { 4, 16 }, result.Tensors["2.weight"].Shape);
        Assert.Equal(w, result.Tensors["2.weight"].ToSingle());
        Assert.Equal(bias, result.Tensors["2.bias"].ToSingle());
        Assert.Contains(result.Notes, n => n.Contains("transposed", StringComparison.Ordinal));

        // The same layer as a Gemm computes the same logits.
        var gemm = new OnnxBuilder(1, 8).Gemm("0.weight", "0.bias", 16, 8).Relu().Gemm("2.weight", "2.bias", 4, 16, weightValues: w, biasValues: bias);
        OnnxImportResult reference = OnnxImport.Import(gemm.Model());
        float[] x = Enumerable.Range(0, 8).Select(i => i * 0.3f - 1).ToArray();
        Assert.Equal(
            Interpreter<float>.FromTensors(reference.Network, reference.Tensors).Forward(x),
            Interpreter<float>.FromTensors(result.Network, result.Tensors).Forward(x));
    }

    [Fact]
    public void Gemm_without_transB_and_without_bias()
    {
        var graph = new OnnxBuilder(1, 3).Gemm("fc.weight", null, 2, 3, transB: false);
        OnnxImportResult result = OnnxImport.Import(graph.Model());
        Assert.Equal(Net.Input(3).Dense(2, name: "fc").Layers, result.Network.Layers);
        Assert.Equal(new[] { 2, 3 }, result.Tensors["fc.weight"].Shape);
        Assert.Equal(new float[2], result.Tensors["fc.bias"].ToSingle());
        Assert.Contains(result.Notes, n => n.Contains("zeros", StringComparison.Ordinal));
    }

    [Fact]
    public void Reshape_computed_from_the_input_shape_is_a_flatten()
    {
        // x.view(x.size(0), -1) as older exporters wrote it: Shape → Gather(0) → Unsqueeze → Concat with [-1] → Reshape.
        var graph = new OnnxBuilder(0, 2, 3, 3).Conv("0", 2, 2, 1).Relu();
        string x = graph.Current;
        string shape = graph.Node("Shape", "shape", new[] { x });
        string zero = graph.Node("Constant", "zero", Array.Empty<string>(), null, new AttributeProtoValue(0).Attribute);
        string batch = graph.Node("Gather", "gather", new[] { shape, zero }, null, Int("axis", 0));
        string batch1 = graph.Node("Unsqueeze", "unsqueeze", new[] { batch, graph.Int64Initializer("axes", 0) });
        string target = graph.Node("Concat", "concat", new[] { batch1, graph.Int64Initializer("minus_one", -1) }, null, Int("axis", 0));
        graph.Current = graph.Node("Reshape", "reshape", new[] { x, target });
        graph.Gemm("3.weight", "3.bias", 5, 18);
        OnnxImportResult result = OnnxImport.Import(graph.Model());
        // The Reshape node's name, a plain identifier, names the Flatten (see NodeNameTests).
        Assert.Equal(Net.Input(2, 3, 3).Conv2D(2, kernel: 1).ReLU().Flatten(name: "reshape").Dense(5).Layers, result.Network.Layers);

        var constant = new OnnxBuilder(1, 2, 3, 3);
        constant.Op("Reshape", null, new[] { constant.Int64Initializer("shape", 1, -1) }).Gemm("1.weight", "1.bias", 5, 18);
        Assert.Equal(Net.Input(2, 3, 3).Flatten().Dense(5).Layers, OnnxImport.Import(constant.Model()).Network.Layers);

        var notFlat = new OnnxBuilder(1, 2, 3, 3);
        notFlat.Op("Reshape", "r", new[] { notFlat.Int64Initializer("shape", 1, 2, 9) });
        Assert.Contains("Reshape 'r': it reshapes [1, 2, 3, 3] to [1, 2, 9]", Assert.Throws<NotSupportedException>(() => OnnxImport.Import(notFlat.Model())).Message);
    }

    [Fact]
    public void BatchNorm_pooling_softmax_and_skipped_nodes()
    {
        var graph = new OnnxBuilder(1, 3, 8, 8)
            .Conv("0", 4, 3, 3, padding: 1, bias: false).BatchNorm("1", 4, epsilon: 1e-3f).Relu()
            .Op("AveragePool", null, null, Ints("kernel_shape", 2, 2), Ints("strides", 2, 2))
            .Op("MaxPool", null, null, Ints("kernel_shape", 2, 2), Ints("strides", 1, 1))
            .Op("Identity").Op("GlobalAveragePool").Op("Flatten")
            .Op("Dropout").Gemm("8.weight", "8.bias", 2, 4).Op("Softmax").Op("Tanh").Op("Sigmoid");
        OnnxImportResult result = OnnxImport.Import(graph.Model());
        Network expected = Net.Input(3, 8, 8).Conv2D(4, kernel: 3, padding: 1, bias: false).BatchNorm(eps: 1e-3).ReLU()
            .AvgPool(2).MaxPool(2, stride: 1).AdaptiveAvgPool(1).Flatten().Dense(2, name: "8").Softmax().Tanh().Sigmoid();
        Assert.Equal(expected.Layers, result.Network.Layers);
        Assert.Equal(
            "Net.Input(3, 8, 8)\n    .Conv2D(4, kernel: 3, padding: 1, bias: false).BatchNorm(eps: 0.001).ReLU().AvgPool(2).MaxPool(2, stride: 1).AdaptiveAvgPool(1)\n    .Flatten()\n    .Dense(2, name: \"8\").Softmax().Tanh().Sigmoid()",
            result.Expression);
        Assert.Equal(new[] { "0.weight", "1.weight", "1.bias", "1.running_mean", "1.running_var", "8.weight", "8.bias" }, result.Network.Parameters.Select(p => p.Name));
        DeclarationCompiler.AssertCompiles(result.ToDeclaration("Mixed", "Some.Models", new[] { "Saliency" }));
    }
    [Fact]
    public void Weights_in_typed_fields_float16_and_constant_nodes()
    {
        var graph = new OnnxBuilder(1, 2);
        var model = graph.Build();
        var g = model.Graph;

        // Weight as float16 raw data, bias in float_data, a second weight as a Constant node's double_data.
        var w = new global::Onnx.TensorProto { Name = "0.weight", DataType = (int)global::Onnx.TensorProto.Types.DataType.Float16 };
        w.Dims.AddRange(new long[] { 3, 2 });
        w.RawData = Google.Protobuf.ByteString.CopyFrom(new[] { 1.0, -2.0, 0.5, 0.25, -1.5, 3.0 }.SelectMany(v => BitConverter.GetBytes((Half)v)).ToArray());
        var b = new global::Onnx.TensorProto { Name = "0.bias", DataType = (int)global::Onnx.TensorProto.Types.DataType.Float };
        b.Dims.Add(3);
        b.FloatData.AddRange(new[] { 0.1f, 0.2f, 0.3f });
        g.Initializer.Add(w);
        g.Initializer.Add(b);
        var c = new global::Onnx.TensorProto { DataType = (int)global::Onnx.TensorProto.Types.DataType.Double };
        c.Dims.AddRange(new long[] { 3, 1 });
        c.DoubleData.AddRange(new[] { 1.0, 2.0, 3.0 });
        var constant = new global::Onnx.NodeProto { OpType = "Constant", Name = "const" };
        constant.Output.Add("folded_weight");
        constant.Attribute.Add(new global::Onnx.AttributeProto { Name = "value", T = c, Type = global::Onnx.AttributeProto.Types.AttributeType.Tensor });
        var gemm = new global::Onnx.NodeProto { OpType = "Gemm", Name = "fc" };
        gemm.Input.AddRange(new[] { "input", "0.weight", "0.bias" });
        gemm.Output.Add("hidden");
        gemm.Attribute.Add(Int("transB", 1));
        var matmul = new global::Onnx.NodeProto { OpType = "MatMul", Name = "out" };
        matmul.Input.AddRange(new[] { "hidden", "folded_weight" });
        matmul.Output.Add("logits");
        g.Node.Add(constant);
        g.Node.Add(gemm);
        g.Node.Add(matmul);
        g.Output.Clear();
        g.Output.Add(new global::Onnx.ValueInfoProto { Name = "logits" });

        OnnxImportResult result = OnnxImport.Import(OnnxModel.FromBytes(model.ToByteArray()));
        Assert.Equal(Net.Input(2).Dense(3).Dense(1).Layers, result.Network.Layers);
        Assert.Equal(DType.F16, result.Tensors["0.weight"].DType);
        Assert.Equal(new[] { 0.1f, 0.2f, 0.3f }, result.Tensors["0.bias"].ToSingle());
        Assert.Equal(DType.F64, result.Tensors["1.weight"].DType);
        Assert.Equal(new[] { 1, 3 }, result.Tensors["1.weight"].Shape);
        Assert.Equal("1.weight", result.NameMap["folded_weight"]);

        // y = [1 2 3] · (W x + b) with x = [1, 1]: W x + b = [-0.9, 0.95, 1.8], y = 6.4
        double[] y = Interpreter<double>.FromTensors(result.Network, result.Tensors).Forward(new[] { 1.0, 1.0 });
        Assert.Equal(6.4, y[0], 6);
    }
}

/// <summary>An int64 scalar 'value' attribute for a Constant node.</summary>
internal sealed class AttributeProtoValue(long value)
{
    public global::Onnx.AttributeProto Attribute
    {
        get
        {
            var t = new global::Onnx.TensorProto { DataType = (int)global::Onnx.TensorProto.Types.DataType.Int64 };
            t.Int64Data.Add(value);
            return new global::Onnx.AttributeProto { Name = "value", T = t, Type = global::Onnx.AttributeProto.Types.AttributeType.Tensor };
        }
    }
}
