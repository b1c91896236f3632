using Google.Protobuf;
using static Relucent.Onnx.Tests.OnnxBuilder;

namespace Relucent.Onnx.Tests;

/// <summary>What Relucent cannot express fails with a message naming the node and the attribute.</summary>
public class UnsupportedTests
{
    private static NotSupportedException Unsupported(OnnxBuilder graph) =>
        Assert.Throws<NotSupportedException>(() => OnnxImport.Import(graph.Model()));

    [Fact]
    public void Groups_that_do_not_divide_the_channels()
    {
        var graph = new OnnxBuilder(1, 4, 6, 6).Conv("0", filters: 3, channels: 2, kernel: 3, extra: Int("group", 2)).Relu();
        var e = Assert.Throws<InvalidDataException>(() => OnnxImport.Import(graph.Model()));
        Assert.Contains("Conv '/0/Conv': group = 2 does not divide both its input channels (4) and its filters (3)", e.Message);

        var wrong = new OnnxBuilder(1, 4, 6, 6).Conv("0", filters: 4, channels: 4, kernel: 3, extra: Int("group", 2));
        e = Assert.Throws<InvalidDataException>(() => OnnxImport.Import(wrong.Model()));
        Assert.Contains("its weight [4, 4, 3, 3] takes 4 channels per group of 2; its input [4, 6, 6] has 4", e.Message);
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
    public void Pads_of_other_than_four_values()
    {
        var graph = new OnnxBuilder(1, 1, 8, 8).Conv("0", 2, 1, 3, extra: Ints("pads", 0, 0, 1));
        var e = Assert.Throws<InvalidDataException>(() => OnnxImport.Import(graph.Model()));
        Assert.Contains("Conv '/0/Conv': pads = [0, 0, 1] has 3 values; a 2-D Conv takes four, [top, left, bottom, right]", e.Message);
    }

    [Fact]
    public void Unknown_auto_padding()
    {
        var graph = new OnnxBuilder(1, 1, 8, 8).Conv("0", 2, 1, 3, extra: Text("auto_pad", "SAME_MIDDLE"));
        Assert.Contains("auto_pad = SAME_MIDDLE is not supported; ONNX's auto_pad is NOTSET, VALID, SAME_UPPER or SAME_LOWER", Unsupported(graph).Message);

        var both = new OnnxBuilder(1, 1, 8, 8).Conv("0", 2, 1, 3, extra: new[] { Text("auto_pad", "SAME_UPPER"), Ints("pads", 1, 1, 1, 1) });
        var e = Assert.Throws<InvalidDataException>(() => OnnxImport.Import(both.Model()));
        Assert.Contains("it has both auto_pad = SAME_UPPER and pads = [1, 1, 1, 1]; ONNX allows one of them", e.Message);
    }

    [Fact]
    public void Pooling_padded_by_more_than_half_its_kernel()
    {
        var graph = new OnnxBuilder(1, 1, 8, 8).Op("MaxPool", "pool", null, Ints("kernel_shape", 2, 2), Ints("strides", 2, 2), Ints("pads", 1, 2, 1, 1));
        Assert.Contains("MaxPool 'pool': it pads 2 on a side with a kernel of 2; MaxPool pads at most half its kernel on each side, as PyTorch does", Unsupported(graph).Message);
    }

    [Fact]
    public void Average_pooling_that_leaves_the_padding_out_of_its_mean()
    {
        // ONNX's default count_include_pad is 0; Relucent's AvgPool is PyTorch's count_include_pad=True.
        var graph = new OnnxBuilder(1, 1, 8, 8).Op("AveragePool", "pool", null, Ints("kernel_shape", 3, 3), Ints("pads", 1, 1, 1, 1));
        Assert.Contains("AveragePool 'pool': count_include_pad = 0 is not supported", Unsupported(graph).Message);
        var unpadded = new OnnxBuilder(1, 1, 8, 8).Op("AveragePool", null, null, Ints("kernel_shape", 3, 3));
        Assert.Equal(Net.Input(1, 8, 8).AvgPool(3, stride: 1).Layers, OnnxImport.Import(unpadded.Model()).Network.Layers);
    }

    [Fact]
    public void Ceil_mode_where_ONNX_and_PyTorch_disagree_or_AvgPool_cannot_follow()
    {
        // 4 high, kernel 2, stride 2, padded 1 at the end: ONNX's ceiling gives 3 windows, the last starting in the
        // padding; PyTorch drops it.
        var max = new OnnxBuilder(1, 1, 4, 4).Op("MaxPool", "pool", null, Ints("kernel_shape", 2, 2), Ints("strides", 2, 2), Ints("pads", 0, 0, 1, 1), Int("ceil_mode", 1));
        Assert.Contains(
            "MaxPool 'pool': ceil_mode = 1 is not supported; rounding up gives 3 windows along the height, the last starting in the padding past the input; PyTorch's rule, which MaxPool follows, drops that window (2)",
            Unsupported(max).Message);
        var average = new OnnxBuilder(1, 1, 5, 5).Op("AveragePool", "pool", null, Ints("kernel_shape", 2, 2), Ints("strides", 2, 2), Int("ceil_mode", 1));
        Assert.Contains("AveragePool 'pool': ceil_mode = 1 is not supported; rounding up changes the output size of this 5×5 input", Unsupported(average).Message);
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
    public void Branches_that_meet_at_other_than_Add_or_Concat()
    {
        var graph = new OnnxBuilder(1, 2, 6, 6);
        string x = graph.Current;
        string a = graph.Conv("a", 2, 2, 3, padding: 1).Current;
        graph.Current = x;
        string b = graph.Conv("b", 2, 2, 1).Current;
        graph.Current = graph.Node("Mul", "product", new[] { a, b });
        Assert.Contains("Mul 'product': the branches from 'input' meet at Mul 'product'; Relucent joins branches with Add (a residual block) or Concat along the channels", Unsupported(graph).Message);
    }

    [Fact]
    public void Branches_that_never_meet()
    {
        var graph = new OnnxBuilder(1, 2, 6, 6);
        string x = graph.Current;
        graph.Conv("a", 2, 2, 3, padding: 1);
        graph.Node("Relu", "aside", new[] { x });
        Assert.Contains("the graph's output '/0/Conv_output_0' comes out of Conv '/0/Conv' on one of the branches from 'input' before they meet", Unsupported(graph).Message);

        var dead = new OnnxBuilder(1, 2, 6, 6);
        dead.Node("Relu", "aside", new[] { dead.Current });
        dead.Conv("a", 2, 2, 3, padding: 1).Relu();
        Assert.Contains("the tensor '/0/Relu_output_0' of Relu 'aside', on a branch from 'input', leads nowhere", Unsupported(dead).Message);
    }

    [Fact]
    public void Branches_that_cross()
    {
        // m, on the first branch, also feeds the second: no input of the join takes all of the first branch.
        var graph = new OnnxBuilder(1, 2, 6, 6);
        string x = graph.Current;
        string m = graph.Node("Relu", "m", new[] { graph.Node("Relu", "a", new[] { x }) });
        string p = graph.Node("Relu", "p", new[] { m });
        string q = graph.Node("Relu", "q", new[] { graph.Node("Add", "n", new[] { graph.Node("Sigmoid", "b", new[] { x }), m }) });
        graph.Current = graph.Node("Add", "sum", new[] { p, q });
        Assert.Contains("Add 'sum': the branches from 'input' cross: Relu 'a' leads to more than one of its inputs", Unsupported(graph).Message);

        // a is a whole branch and feeds the other one too.
        var shared = new OnnxBuilder(1, 2, 6, 6);
        string y = shared.Current;
        string a = shared.Node("Relu", "a", new[] { y });
        string c = shared.Node("Add", "c", new[] { shared.Node("Sigmoid", "b", new[] { y }), a });
        shared.Current = shared.Node("Add", "sum", new[] { a, c });
        Assert.Contains("Add 'c': it joins '/1/Sigmoid_output_0' with '/0/Relu_output_0', which does not branch from the same tensor", Unsupported(shared).Message);
    }

    [Fact]
    public void Concat_of_more_than_four_branches_or_not_on_channels()
    {
        var graph = new OnnxBuilder(1, 2, 6, 6);
        string x = graph.Current;
        string[] branches = Enumerable.Range(0, 5).Select(i => graph.Node("Relu", $"r{i}", new[] { x })).ToArray();
        graph.Current = graph.Node("Concat", "cat", branches, null, Int("axis", 1));
        Assert.Contains("Concat 'cat': it concatenates 5 tensors; Relucent's Concat takes 2 to 4 branches", Unsupported(graph).Message);

        var width = new OnnxBuilder(1, 2, 6, 6);
        string y = width.Current;
        width.Current = width.Node("Concat", "cat", new[] { width.Node("Relu", "r", new[] { y }), y }, null, Int("axis", 3));
        Assert.Contains("Concat 'cat': axis = 3 is not supported; Concat joins branches along the channels (axis 1)", Unsupported(width).Message);
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
