namespace Relucent.Tests.Generated;

/// <summary>Loading and saving through the generated members: streams, name maps, round trips, checked inputs.</summary>
public class GeneratedLoadingTests
{
    private static readonly float[] X = Fixture.Row<float>(Fixture.Cases("mlp")["inputs"], 1);

    [Fact]
    public void Load_from_a_stream_equals_load_from_a_path()
    {
        using FileStream stream = File.OpenRead(Fixture.Path("mlp.weights.safetensors"));
        var fromStream = CaptumMlp.Load(stream);
        var fromPath = CaptumMlp.Load(Fixture.Path("mlp.weights.safetensors"));
        Assert.Equal(fromPath.Forward(X), fromStream.Forward(X));
    }

    [Fact]
    public void Save_then_load_gives_bit_identical_parameters_and_maps()
    {
        var net = CaptumLeNet.Load(Fixture.Path("lenet.weights.safetensors"));
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"relucent-{Guid.NewGuid():N}.safetensors");
        try
        {
            net.Save(path);
            var reloaded = CaptumLeNet.Load(path);
            SafeTensorsFile original = Fixture.Weights("lenet"), saved = SafeTensors.Read(path);
            Assert.Equal(original.Keys.Order(), saved.Keys.Order());
            foreach (string name in original.Keys)
            {
                Assert.Equal(original[name].Shape, saved[name].Shape);
                Assert.Equal(original[name].ToSingle(), saved[name].ToSingle());
            }
            float[] x = Fixture.Row<float>(Fixture.Cases("lenet")["inputs"], 2);
            Assert.Equal(net.GuidedBackprop(x, 1), reloaded.GuidedBackprop(x, 1));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_name_map_loads_a_state_dict_of_another_shape()
    {
        // The same weights as a model whose Sequential sits under "features." would save them.
        var renamed = Fixture.Weights("mlp").ToDictionary(kv => "features." + kv.Key, kv => kv.Value);
        var options = new ParameterBindingOptions { NameMap = renamed.Keys.ToDictionary(k => k, k => k.Substring("features.".Length)) };
        var net = CaptumMlp.FromTensors(renamed, options);
        Assert.Equal(CaptumMlp.Load(Fixture.Path("mlp.weights.safetensors")).Forward(X), net.Forward(X));
    }

    [Fact]
    public void A_missing_tensor_is_named_with_what_the_file_has()
    {
        var renamed = Fixture.Weights("mlp").ToDictionary(kv => "features." + kv.Key, kv => kv.Value);
        var error = Assert.Throws<ParameterBindingException>(() => CaptumMlp.FromTensors(renamed));
        Assert.Contains("'0.weight'", error.Message);
        Assert.Contains("features.0.weight", error.Message);
    }

    [Fact]
    public void NaN_or_infinity_in_the_input_is_refused_unless_the_caller_opts_out()
    {
        var net = CaptumMlp.Load(Fixture.Path("mlp.weights.safetensors"));
        float[] bad = (float[])X.Clone();
        bad[5] = float.NaN;
        var error = Assert.Throws<ArgumentException>(() => net.Saliency(bad, 0));
        Assert.Equal("input", error.ParamName);
        Assert.Contains("NaN at index 5", error.Message);

        bad[5] = float.NegativeInfinity;
        Assert.Contains("-infinity at index 5", Assert.Throws<ArgumentException>(() => net.Forward(bad)).Message);

        var seed = new float[CaptumMlp.OutputSize];
        seed[2] = float.PositiveInfinity;
        Assert.Equal("seed", Assert.Throws<ArgumentException>(() => net.DeconvNet(X, seed)).ParamName);

        var workspace = new CaptumMlp.Workspace { CheckFinite = false };
        var result = new float[CaptumMlp.InputSize];
        net.Saliency(bad, 0, result, workspace); // the caller vouches for its data: no scan, no exception
    }
}
