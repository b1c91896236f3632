using Relucent.Model;

namespace Relucent.Tests.Dsl;

/// <summary>
/// The DSL at run time: shapes are inferred as PyTorch computes them, parameters are named as nn.Sequential names
/// them, and a declaration the generator would reject throws the same message the diagnostic shows.
/// </summary>
public class NetworkBuilderTests
{
    [Fact]
    public void Shapes_round_down_as_pytorch_does()
    {
        Network net = Net.Input(3, 11, 10)
            .Conv2D(4, kernel: 3, stride: 2, padding: 1)   // (11 + 2 − 3)/2 + 1 = 6, (10 + 2 − 3)/2 + 1 = 5
            .MaxPool(2)                                     // 3 × 2
            .AvgPool(2, stride: 1)                          // 2 × 1
            .Flatten();
        Assert.Equal(new[] { "[4, 6, 5]", "[4, 3, 2]", "[4, 2, 1]", "[8]" }, net.LayerOutputShapes.Select(s => s.ToString()));
    }

    [Fact]
    public void Parameters_follow_sequential_numbering_names_and_residual_prefixes()
    {
        Network net = Net.Input(2, 6, 6)
            .Conv2D(4, kernel: 3, padding: 1).BatchNorm().ReLU()
            .Residual(b => b.Conv2D(4, kernel: 3, padding: 1, name: "conv1").ReLU().Conv2D(4, kernel: 1, bias: false), name: "block")
            .Flatten()
            .Dense(3, name: "head");
        Assert.Equal(
            new[]
            {
                "0.weight [4, 2, 3, 3]", "0.bias [4]",
                "1.weight [4]", "1.bias [4]", "1.running_mean [4]", "1.running_var [4]",
                "block.conv1.weight [4, 4, 3, 3]", "block.conv1.bias [4]", "block.2.weight [4, 4, 1, 1]",
                "head.weight [3, 144]", "head.bias [3]",
            },
            net.Parameters.Select(p => $"{p.Name} [{string.Join(", ", p.Dimensions)}]"));
        Assert.Equal(72 + 4 + 16 + 144 + 4 + 16 + 432 + 3, net.ParameterCount);
    }

    [Fact]
    public void The_summary_lists_each_layer_its_shape_and_parameters()
    {
        string summary = Net.Input(8).Dense(16).ReLU().Dense(4, name: "out").ToString();
        Assert.Equal(
            "#  Layer           Output  Params\n" +
            "   Input           [8]\n" +
            "0  Dense(16)       [16]       144\n" +
            "1  ReLU()          [16]\n" +
            "2  Dense(4) \"out\"  [4]         68\n" +
            "Total parameters: 212",
            summary);
    }

    [Theory]
    [InlineData("kernel", "Conv2D kernel 7 is larger than its padded input 5×5 (layer 0)")]
    [InlineData(null, "Dense needs a feature vector, but its input is the image [3, 5, 5]; insert .Flatten() before it (layer 0)")]
    public void A_shape_that_does_not_fit_throws_the_diagnostics_message(string? argument, string message)
    {
        var error = Assert.Throws<NetworkDefinitionException>(() => argument == "kernel"
            ? Net.Input(3, 5, 5).Conv2D(2, kernel: 7)
            : Net.Input(3, 5, 5).Dense(4));
        Assert.Equal(message, error.Message);
        Assert.Equal(argument, error.ParamName);
        Assert.Equal(LayerErrorKind.ShapeMismatch, error.Error.Kind);
    }

    [Fact]
    public void Errors_inside_a_residual_branch_name_the_inner_layer()
    {
        var error = Assert.Throws<NetworkDefinitionException>(() => Net.Input(2, 8, 8).ReLU().Residual(b => b.ReLU().Dense(3)));
        Assert.Equal("Dense needs a feature vector, but its input is the image [2, 8, 8]; insert .Flatten() before it (layer 1.1)", error.Message);
        Assert.Contains("f(x) + x", Assert.Throws<NetworkDefinitionException>(() => Net.Input(2, 8, 8).Residual(b => b.Conv2D(2, kernel: 3))).Message);
    }

    [Fact]
    public void A_residual_branch_must_grow_from_its_argument()
    {
        var error = Assert.Throws<ArgumentException>(() => Net.Input(4).Residual(_ => Net.Input(4).ReLU()));
        Assert.Contains("grown from its argument", error.Message);
    }

    [Fact]
    public void Duplicate_names_and_bad_sizes_are_refused()
    {
        Assert.Contains("'fc.weight' is used twice", Assert.Throws<NetworkDefinitionException>(() => Net.Input(4).Dense(3, name: "fc").Dense(2, name: "fc")).Message);
        Assert.Equal("Dense units must be positive, got 0 (layer 0)", Assert.Throws<NetworkDefinitionException>(() => Net.Input(4).Dense(0)).Message);
        Assert.Equal("Net.Input height must be positive, got 0", Assert.Throws<NetworkDefinitionException>(() => Net.Input(1, 0, 4)).Message);
        Assert.Contains("Dropout probability must be in [0, 1), got 1", Assert.Throws<NetworkDefinitionException>(() => Net.Input(4).Dropout(1)).Message);
    }

    [Fact]
    public void Layers_are_value_equal_so_the_generator_can_cache_them()
    {
        Network a = Net.Input(1, 8, 8).Conv2D(2, kernel: 3).ReLU().Residual(b => b.Conv2D(2, kernel: 3, padding: 1)).Flatten().Dense(3);
        Network b = Net.Input(1, 8, 8).Conv2D(2, kernel: 3).ReLU().Residual(b => b.Conv2D(2, kernel: 3, padding: 1)).Flatten().Dense(3);
        Network c = Net.Input(1, 8, 8).Conv2D(2, kernel: 3).ReLU().Residual(b => b.Conv2D(2, kernel: 3, padding: 1)).Flatten().Dense(4);
        Assert.Equal(a.Layers, b.Layers);
        Assert.NotEqual(a.Layers, c.Layers);
        Assert.Equal(a.Layers.GetHashCode(), b.Layers.GetHashCode());
    }
}
