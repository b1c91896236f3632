using Relucent.Testing;

namespace Relucent.Onnx.Tests;

/// <summary>A declared network that differs from the ONNX graph is reported at its first difference, with both sides.</summary>
public class MismatchTests
{
    private static Network LeNetWith(int secondFilters) =>
        Net.Input(1, 12, 12).Conv2D(4, kernel: 3, padding: 1).ReLU().MaxPool(2).Conv2D(secondFilters, kernel: 3).ReLU().MaxPool(2).Flatten().Dense(16).ReLU().Dense(5);

    [Fact]
    public void The_declared_LeNet_matches_its_export()
    {
        Assert.Null(OnnxImport.FindMismatch(CaptumLeNet.Architecture, Fixture.Onnx("lenet")));
        OnnxImport.Check(CaptumLeNet.Architecture, Fixture.Onnx("lenet"));
    }

    [Fact]
    public void A_different_filter_count_is_reported_with_both_sides()
    {
        var e = Assert.Throws<OnnxMismatchException>(() => OnnxImport.Check(LeNetWith(16), Fixture.Onnx("lenet")));
        Assert.Equal("3", e.Mismatch.Location);
        Assert.Equal("the network declares Conv2D(16, kernel: 3)", e.Mismatch.Declared);
        Assert.Equal("the ONNX graph has Conv '/3/Conv' with 8 filters and kernel 3", e.Mismatch.Onnx);
        Assert.Contains("layer 3: the network declares Conv2D(16, kernel: 3), the ONNX graph has Conv '/3/Conv' with 8 filters and kernel 3", e.Message);
    }

    [Fact]
    public void Loading_into_a_mismatched_network_fails_before_anything_is_returned()
    {
        var e = Assert.Throws<OnnxMismatchException>(() => OnnxImport.LoadTensors(LeNetWith(6), Fixture.Onnx("lenet")));
        Assert.Contains("Conv2D(6, kernel: 3)", e.Message);
    }

    [Fact]
    public void A_different_padding_names_the_padding_on_both_sides()
    {
        Network declared = Net.Input(1, 12, 12).Conv2D(4, kernel: 3).ReLU().MaxPool(2).Conv2D(8, kernel: 3).ReLU().Flatten().Dense(16).ReLU().Dense(5);
        OnnxMismatch? m = OnnxImport.FindMismatch(declared, Fixture.Onnx("lenet"));
        Assert.NotNull(m);
        Assert.Equal("layer 0: the network declares Conv2D(4, kernel: 3), the ONNX graph has Conv '/0/Conv' with 4 filters, kernel 3 and padding 1", m.Message);
    }

    [Fact]
    public void A_different_input_shape_is_reported()
    {
        Network declared = Net.Input(1, 28, 28).Conv2D(4, kernel: 3, padding: 1).ReLU().MaxPool(2).Conv2D(8, kernel: 3).ReLU().MaxPool(2).Flatten().Dense(16).ReLU().Dense(5);
        OnnxMismatch? m = OnnxImport.FindMismatch(declared, Fixture.Onnx("lenet"));
        Assert.NotNull(m);
        Assert.Equal("input", m.Location);
        Assert.Equal("input: the network declares Net.Input(1, 28, 28), the ONNX graph's input 'input' is [1, 1, 12, 12] (Net.Input(1, 12, 12))", m.Message);
    }

    [Fact]
    public void A_missing_or_extra_layer_is_reported()
    {
        OnnxMismatch? shorter = OnnxImport.FindMismatch(Net.Input(8).Dense(16).ReLU().Dense(12).ReLU(), Fixture.Onnx("mlp"));
        Assert.NotNull(shorter);
        Assert.Equal("layer 4: the network declares no more layers, the ONNX graph has Gemm '/4/Gemm' with 4 outputs", shorter.Message);

        OnnxMismatch? longer = OnnxImport.FindMismatch(Net.Input(8).Dense(16).ReLU().Dense(12).ReLU().Dense(4).Softmax(), Fixture.Onnx("mlp"));
        Assert.NotNull(longer);
        Assert.Equal("5", longer.Location);
        Assert.StartsWith("layer 5: the network declares Softmax(), the ONNX graph has no more layers (the last is Gemm '/4/Gemm'", longer.Message);
    }

    [Fact]
    public void A_different_operator_is_reported()
    {
        OnnxMismatch? m = OnnxImport.FindMismatch(Net.Input(8).Dense(16).Tanh().Dense(12).ReLU().Dense(4), Fixture.Onnx("mlp"));
        Assert.NotNull(m);
        Assert.Equal("layer 1: the network declares Tanh(), the ONNX graph has Relu '/1/Relu' (ReLU())", m.Message);
    }
}
