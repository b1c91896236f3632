using static Relucent.Onnx.Tests.OnnxBuilder;

namespace Relucent.Onnx.Tests;

/// <summary>
/// Each construct the importer reads beyond a plain chain, in a small graph ONNX Runtime also runs: pads per side and
/// "same" padding, grouped and depthwise convolutions, padded and ceil-mode pooling, global average pooling of a
/// rectangle, projection shortcuts, concatenations, and blocks inside blocks. The imported network, run by the
/// interpreter, computes what ONNX Runtime computes (to 1e-5 of the largest output), so the import reads each
/// attribute as ONNX means it.
/// </summary>
public class OnnxRuntimeAgreementTests
{
    public static TheoryData<string> Graphs() => new(Build.Keys);

    private static readonly Dictionary<string, Func<OnnxBuilder>> Build = new()
    {
        ["the pretrained ResNet-18's stem: pads [3, 3, 2, 2] and [1, 1, 0, 0]"] = () => new OnnxBuilder(1, 3, 17, 17)
            .Conv("conv1", 4, 3, 7, stride: 2, bias: false, extra: Ints("pads", 3, 3, 2, 2)).BatchNorm("bn1", 4).Relu()
            .Pool("MaxPool", 3, Ints("strides", 2, 2), Ints("pads", 1, 1, 0, 0)),
        ["pads differing on every side"] = () => new OnnxBuilder(1, 2, 9, 8).Conv("0", 3, 2, 3, stride: 2, extra: Ints("pads", 0, 2, 1, 3)),
        ["grouped, depthwise and pointwise convolutions"] = () => new OnnxBuilder(1, 4, 7, 7)
            .Conv("0", 6, 2, 3, padding: 1, extra: Int("group", 2)).Relu()
            .Conv("2", 6, 1, 3, stride: 2, padding: 1, extra: Int("group", 6)).Relu()
            .Conv("4", 5, 6, 1),
        ["auto_pad SAME_UPPER and SAME_LOWER"] = () => new OnnxBuilder(1, 2, 8, 7)
            .Conv("0", 3, 2, 4, stride: 2, extra: Text("auto_pad", "SAME_UPPER"))
            .Conv("1", 3, 3, 2, extra: Text("auto_pad", "SAME_LOWER"))
            .Pool("MaxPool", 3, Ints("strides", 2, 2), Text("auto_pad", "SAME_UPPER")),
        ["ceil mode where it adds a window"] = () => new OnnxBuilder(1, 2, 8, 9).Pool("MaxPool", 3, Ints("strides", 2, 2), Int("ceil_mode", 1)),
        ["padded average pooling counting its padding, global average pooling of a rectangle"] = () => new OnnxBuilder(1, 2, 5, 7)
            .Pool("AveragePool", 3, Ints("strides", 2, 2), Ints("pads", 1, 1, 1, 1), Int("count_include_pad", 1)).Relu()
            .Op("GlobalAveragePool"),
        ["a projection shortcut (torchvision's downsample)"] = () => new OnnxBuilder(1, 4, 8, 8)
            .Join("Add",
                b => b.Conv("layer2.0.conv1", 8, 4, 3, stride: 2, padding: 1, bias: false).BatchNorm("layer2.0.bn1", 8).Relu()
                    .Conv("layer2.0.conv2", 8, 8, 3, padding: 1, bias: false).BatchNorm("layer2.0.bn2", 8),
                s => s.Conv("layer2.0.downsample.0", 8, 4, 1, stride: 2, bias: false).BatchNorm("layer2.0.downsample.1", 8))
            .Relu(),
        ["the shortcut first, and an identity block after it"] = () => new OnnxBuilder(1, 3, 6, 6)
            .Join("Add", s => s.Conv("s", 5, 3, 1), b => b.Conv("b0", 5, 3, 3, padding: 1).Relu().Conv("b2", 5, 5, 3, padding: 1))
            .Relu().Residual(b => b.Conv("r", 5, 5, 3, padding: 1)),
        ["an Inception block: four branches concatenated"] = () => new OnnxBuilder(1, 4, 8, 8)
            .Join("Concat",
                b => b.Conv("inception3a.branch1.conv", 3, 4, 1, bias: false).BatchNorm("inception3a.branch1.bn", 3).Relu(),
                b => b.Conv("inception3a.branch2.0.conv", 2, 4, 1).Relu().Conv("inception3a.branch2.1.conv", 3, 2, 3, padding: 1).Relu(),
                b => b.Conv("inception3a.branch3.0.conv", 2, 4, 1).Relu().Conv("inception3a.branch3.1.conv", 2, 2, 3, padding: 1),
                b => b.Pool("MaxPool", 3, Ints("strides", 1, 1), Ints("pads", 1, 1, 1, 1), Int("ceil_mode", 1)).Conv("inception3a.branch4.1.conv", 2, 4, 1))
            .Relu(),
        ["a dense block: the input concatenated with what it becomes"] = () => new OnnxBuilder(1, 3, 5, 5)
            .Join("Concat", b => { }, b => b.Conv("0", 2, 3, 3, padding: 1).Relu()),
        ["blocks inside blocks"] = () => new OnnxBuilder(1, 3, 6, 6)
            .Join("Concat",
                b => b.Residual(r => r.Conv("a", 3, 3, 3, padding: 1)).Relu(),
                b => b.Join("Add", p => p.Conv("p", 2, 3, 1), q => q.Conv("q0", 2, 3, 3, padding: 1).Relu().Conv("q1", 2, 2, 1)))
            .Residual(r => r.Residual(inner => inner.Relu().Conv("c", 5, 5, 3, padding: 1)).Op("Sigmoid")),
    };

    [Theory]
    [MemberData(nameof(Graphs))]
    public void The_imported_network_computes_what_ONNX_Runtime_computes(string graph)
    {
        OnnxBuilder builder = Build[graph]();
        byte[] bytes = builder.Bytes();
        OnnxImportResult imported = OnnxImport.Import(OnnxModel.FromBytes(bytes));
        Network network = imported.Network;
        var random = new Random(7);
        float[] x = Enumerable.Range(0, (int)network.InputShape.Size).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        long[] shape = new long[] { 1 }.Concat(imported.Model.InputShape.Select(d => (long)d)).ToArray();

        float[] expected = OnnxRuntimeReference.Run(bytes, "input", x, shape);
        float[] actual = Interpreter<float>.FromTensors(network, imported.Tensors).Forward(x);

        Assert.Equal(expected.Length, actual.Length);
        double largest = expected.Max(v => Math.Abs(v));
        Assert.True(largest > 0, "ONNX Runtime's output is all zeros: the graph tests nothing");
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * largest,
                $"{graph}: output {i} is {actual[i]}, ONNX Runtime's {expected[i]}\n{imported.Expression}");
        }
    }
}
