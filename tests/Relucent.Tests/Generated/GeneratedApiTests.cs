using Relucent.Model;
using MathNetVector = MathNet.Numerics.LinearAlgebra.Vector<float>;

namespace Relucent.Tests.Generated;

/// <summary>The generated public surface: overloads agree, bad arguments are named, spans allocate nothing.</summary>
public class GeneratedApiTests
{
    private static readonly CaptumLeNet Net = CaptumLeNet.Load(Fixture.Path("lenet.weights.safetensors"));
    private static readonly float[] X = Fixture.Row<float>(Fixture.Cases("lenet")["inputs"], 0);

    [Fact]
    public void Every_overload_gives_the_same_map()
    {
        float[] byArray = Net.GuidedBackprop(X, 3);
        float[] seed = new float[CaptumLeNet.OutputSize];
        seed[3] = 1;
        Assert.Equal(byArray, Net.GuidedBackprop(X, seed));
        Assert.Equal(byArray, Net.GuidedBackprop(MathNetVector.Build.Dense(X), 3).ToArray());
        Assert.Equal(byArray, Net.GuidedBackprop(MathNet.Numerics.LinearAlgebra.Matrix<float>.Build.DenseOfRowMajor(12, 12, X), 3).ToRowMajorArray());
        var result = new float[CaptumLeNet.InputSize];
        Net.GuidedBackprop(X, 3, result, new CaptumLeNet.Workspace());
        Assert.Equal(byArray, result);
    }

    [Fact]
    public void Span_overloads_allocate_nothing_after_warm_up()
    {
        var workspace = new CaptumLeNet.Workspace();
        var result = new float[CaptumLeNet.InputSize];
        var logits = new float[CaptumLeNet.OutputSize];
        // Warm-up: every method measured below runs once first (a first call may load types or compile code).
        Net.Saliency(X, 1, result, workspace);
        Net.DeconvNet(X, 1, result, workspace);
        Net.GuidedBackprop(X, 1, result, workspace);
        Net.Forward(X, logits, workspace);

        Assert.Equal(0, Relucent.Testing.Allocations.LeastPerWindow(() =>
        {
            Net.Saliency(X, 1, result, workspace);
            Net.DeconvNet(X, 1, result, workspace);
            Net.GuidedBackprop(X, 1, result, workspace);
            Net.Forward(X, logits, workspace);
        }, calls: 10));
    }

    [Fact]
    public void A_wrong_input_length_names_the_argument_and_both_lengths()
    {
        var error = Assert.Throws<ArgumentException>(() => Net.Saliency(new float[143], 0));
        Assert.Equal("input", error.ParamName);
        Assert.Contains("143", error.Message);
        Assert.Contains("144", error.Message);
        Assert.Contains("[1, 12, 12]", error.Message);
    }

    [Fact]
    public void A_target_outside_the_classes_names_the_number_of_outputs()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Net.DeconvNet(X, 5));
        Assert.Equal("target", error.ParamName);
        Assert.Contains("5 outputs", error.Message);
    }

    [Fact]
    public void A_seed_of_the_wrong_length_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => Net.DeconvNet(X, new float[4]));
        Assert.Equal("seed", error.ParamName);
        Assert.Contains("expected 5", error.Message);
    }

    [Fact]
    public void A_matrix_of_the_wrong_size_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => Net.Saliency(MathNet.Numerics.LinearAlgebra.Matrix<float>.Build.Dense(12, 11), 0));
        Assert.Contains("12×11", error.Message);
    }

    [Fact]
    public void Parameters_are_exposed_as_mathnet_types_in_pytorch_layout()
    {
        SafeTensorsFile weights = Fixture.Weights("lenet");
        float[] fc = weights["7.weight"].ToSingle();
        Assert.Equal(16, Net.Layer7Weight.RowCount);
        Assert.Equal(32, Net.Layer7Weight.ColumnCount);
        Assert.Equal(fc[1 * 32 + 5], Net.Layer7Weight[1, 5]);
        Assert.Equal(36, Net.Layer3Weight.ColumnCount); // Conv2D [8, 4, 3, 3] as [8, 4·3·3]
    }

    [Fact]
    public void Rules_coincide_on_a_network_without_relu()
    {
        var net = NoRelu.FromTensors(RandomParameters.For(NoRelu.Architecture, 3));
        float[] x = RandomParameters.Input(NoRelu.InputSize, 3).Select(v => (float)v).ToArray();
        Assert.Equal(net.Saliency(x, 2), net.DeconvNet(x, 2));
        Assert.Equal(net.Saliency(x, 2), net.GuidedBackprop(x, 2));
    }

    [Fact]
    public void The_architecture_summary_lists_layers_shapes_and_parameters()
    {
        string summary = CaptumLeNet.Architecture.ToString();
        Assert.Contains("Conv2D(4, kernel: 3, padding: 1)  [4, 12, 12]", summary);
        Assert.Contains("Total parameters: 949", summary);
        Assert.Equal(8, CaptumLeNet.ParameterShapes.Count);
        Assert.Equal(new[] { 16, 32 }, CaptumLeNet.ParameterShapes[4].Dimensions);
    }

    [Fact]
    public void Buffers_follow_the_naming_scheme()
    {
        var workspace = new CaptumLeNet.Workspace();
        Net.Saliency(X, 0, new float[CaptumLeNet.InputSize], workspace);
        Assert.Equal(X, workspace.a0);
        Assert.Equal(Net.Forward(X), workspace.a10);
        Assert.Same(workspace.a6, workspace.a7); // Flatten shares its input's storage
        Assert.Equal(4 * 6 * 6, workspace.switch3.Length);
    }
}
