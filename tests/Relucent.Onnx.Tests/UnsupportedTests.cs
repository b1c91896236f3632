using Google.Protobuf;
using static Relucent.Onnx.Tests.OnnxBuilder;

namespace Relucent.Onnx.Tests;

/// <summary>What Relucent cannot express fails with a message naming the node and the attribute.</summary>
public class UnsupportedTests
{
    private static NotSupportedException Unsupported(OnnxBuilder graph) =>
        Assert.Throws<NotSupportedException>(() => OnnxImport.Import(graph.Model()));

    [Fact]
    public void Grouped_convolution()
    {
        var graph = new OnnxBuilder(1, 4, 6, 6).Conv("0", filters: 4, channels: 2, kernel: 3, extra: Int("group", 2)).Relu();
        NotSupportedException e = Unsupported(graph);
        Assert.Contains("Conv '/0/Conv': group = 2 is not supported", e.Message);
    }

    [Fact]
    public void Dilated_convolution()
    {
        var graph = new OnnxBuilder(1, 1, 8, 8).Conv("0", 2, 1, 3, name: "dilated", extra: Ints("dilations", 2, 2));
        Assert.Contains("Conv 'dilated': dilations = [2, 2] is not supported", Unsupported(graph).Message);
    }

    [Fact]
    public void Rectangular_kernel()
    {
        var graph = new OnnxBuilder(1, 1, 8, 8).Conv("0", 2, 1, 3, extra: Ints("kernel_shape", 3, 5));
        Assert.Contains("Conv '/0/Conv': kernel_shape = [3, 5] is not supported; Conv2D takes a square kernel", Unsupported(graph).Message);
    }

    [Fact]
    public void Unequal_strides()
    {
        var graph = new OnnxBuilder(1, 1, 8, 8).Conv("0", 2, 1, 3, extra: Ints("strides", 1, 2));
        Assert.Contains("Conv '/0/Conv': strides = [1, 2] is not supported", Unsupported(graph).Message);
    }

    [Fact]
    public void Asymmetric_padding()
    {
        var graph = new OnnxBuilder(1, 1, 8, 8).Conv("0", 2, 1, 3, extra: Ints("pads", 0, 0, 1, 1));
        Assert.Contains("Conv '/0/Conv': pads = [0, 0, 1, 1] is not supported", Unsupported(graph).Message);
    }

    [Fact]
    public void Same_auto_padding()
    {
        var graph = new OnnxBuilder(1, 1, 8, 8).Conv("0", 2, 1, 3, extra: Text("auto_pad", "SAME_UPPER"));
        Assert.Contains("auto_pad = SAME_UPPER is not supported", Unsupported(graph).Message);
    }

    [Fact]
    public void Padded_pooling()
    {
        var graph = new OnnxBuilder(1, 1, 8, 8).Op("MaxPool", "pool", null, Ints("kernel_shape", 2, 2), Ints("strides", 2, 2), Ints("pads", 1, 1, 1, 1));
        Assert.Contains("MaxPool 'pool': pads = [1, 1, 1, 1] is not supported", Unsupported(graph).Message);
    }

    [Fact]
    public void Unknown_operator()
    {
        var graph = new OnnxBuilder(1, 8).Gemm("0.weight", "0.bias", 4, 8).Op("LeakyRelu", "leaky", null, Float("alpha", 0.01f));
        NotSupportedException e = Unsupported(graph);
        Assert.Contains("LeakyRelu 'leaky': the operator LeakyRelu is not supported; supported operators: Conv, Relu", e.Message);
    }

    [Fact]
    public void Transposed_input_of_Gemm()
    {
        var valid = new OnnxBuilder(1, 8);
        valid.Op("Gemm", "g", new[] { valid.Initializer("w", new[] { 4, 8 }) }, Int("transA", 1), Int("transB", 1));
        Assert.Contains("Gemm 'g': transA = 1 is not supported", Unsupported(valid).Message);
    }

    [Fact]
    public void Softmax_over_the_batch()
    {
        var graph = new OnnxBuilder(1, 8).Gemm("0.weight", "0.bias", 4, 8).Op("Softmax", "sm", null, Int("axis", 0));
        Assert.Contains("Softmax 'sm': axis = 0 is not supported", Unsupported(graph).Message);
    }

    [Fact]
    public void A_branch_that_is_not_a_residual_block()
    {
        // x feeds two convolutions whose outputs are added: a projection shortcut, not y = f(x) + x.
        var graph = new OnnxBuilder(1, 2, 6, 6);
        string x = graph.Current;
        string a = graph.Conv("a", 2, 2, 3, padding: 1).Current;
        graph.Current = x;
        string b = graph.Conv("b", 2, 2, 1).Current;
        graph.Current = graph.Node("Add", "sum", new[] { a, b });
        Assert.Contains("the tensor 'input' feeds 2 nodes", Unsupported(graph).Message);
    }

    [Fact]
    public void Two_inputs()
    {
        var graph = new OnnxBuilder(1, 8).Relu();
        var model = graph.Build();
        model.Graph.Input.Add(ValueInfo("other", 1, 8));
        var e = Assert.Throws<NotSupportedException>(() => OnnxModel.FromBytes(model.ToByteArray()));
        Assert.Contains("the graph has 2 inputs ('input', 'other')", e.Message);
    }

    [Fact]
    public void Symbolic_feature_size()
    {
        var graph = new OnnxBuilder(1, 8).Relu();
        var model = graph.Build();
        model.Graph.Input[0].Type.TensorType.Shape.Dim[1] = new global::Onnx.TensorShapeProto.Types.Dimension { DimParam = "features" };
        var e = Assert.Throws<NotSupportedException>(() => OnnxModel.FromBytes(model.ToByteArray()));
        Assert.Contains("dimension 1 of the input 'input' [1, features] is not a fixed positive size", e.Message);
    }

    [Fact]
    public void Not_an_onnx_file()
    {
        Assert.Throws<InvalidDataException>(() => OnnxModel.FromBytes("hello, this is not a model"u8.ToArray()));
        Assert.Throws<FileNotFoundException>(() => OnnxModel.Load(Path.Combine(AppContext.BaseDirectory, "no-such-model.onnx")));
    }
}
