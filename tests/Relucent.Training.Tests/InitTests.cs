using Relucent.Training;

namespace Relucent.Training.Tests;

/// <summary>PyTorch's default initialisation from ParameterShapes: bounds, constants, determinism.</summary>
public class InitTests
{
    [Fact]
    public void Weights_and_biases_are_uniform_within_one_over_root_fan_in()
    {
        Dictionary<string, Tensor> tensors = Init.PyTorchDefault(TinyCnn.ParameterShapes, seed: 5);
        // TinyCnn: 0 = Conv2D(4, k3) on 1 channel (fan_in 9), 3 = Conv2D(6, k3) on 4 (36), 7 = Dense(8) on 6·2·2 (24), 9 = Dense(3) on 8.
        var fanIn = new Dictionary<string, int> { ["0"] = 9, ["3"] = 36, ["7"] = 24, ["9"] = 8 };
        foreach ((string layer, int fan) in fanIn)
        {
            double bound = 1 / Math.Sqrt(fan);
            foreach (string role in new[] { "weight", "bias" })
            {
                float[] values = tensors[$"{layer}.{role}"].ToSingle();
                Assert.All(values, v => Assert.InRange(v, -bound, bound));
                if (values.Length >= 16) Assert.True(values.Max() - values.Min() > bound, $"{layer}.{role} is not spread over ±{bound}");
            }
        }

        Assert.Equal(DType.F32, tensors["0.weight"].DType);
        Assert.Equal(new[] { 4, 1, 3, 3 }, tensors["0.weight"].GetShape());
    }

    [Fact]
    public void Uniform_values_have_the_uniform_variance()
    {
        var shapes = new[] { new ParameterShape("fc.weight", 200, 100), new ParameterShape("fc.bias", 200) };
        double[] w = Init.PyTorchDefault(shapes, seed: 1, DType.F64)["fc.weight"].ToDouble();
        double bound = 0.1, mean = w.Average(), variance = w.Select(v => (v - mean) * (v - mean)).Average();
        Assert.InRange(mean, -0.002, 0.002);
        Assert.InRange(variance, 0.97 * bound * bound / 3, 1.03 * bound * bound / 3);
    }

    [Fact]
    public void BatchNorm_starts_as_the_identity()
    {
        Dictionary<string, Tensor> tensors = Init.PyTorchDefault(NormCnn64.ParameterShapes, seed: 2);
        Assert.All(tensors["bn.weight"].ToSingle(), v => Assert.Equal(1f, v));
        Assert.All(tensors["bn.bias"].ToSingle(), v => Assert.Equal(0f, v));
        Assert.All(tensors["bn.running_mean"].ToSingle(), v => Assert.Equal(0f, v));
        Assert.All(tensors["bn.running_var"].ToSingle(), v => Assert.Equal(1f, v));
        Assert.Contains(tensors["conv.bias"].ToSingle(), v => v != 0);
    }

    [Fact]
    public void A_seed_gives_the_same_tensors_and_another_seed_others()
    {
        Dictionary<string, Tensor> a = Init.PyTorchDefault(TinyCnn.ParameterShapes, 7), b = Init.PyTorchDefault(TinyCnn.ParameterShapes, 7);
        Dictionary<string, Tensor> c = Init.PyTorchDefault(TinyCnn.ParameterShapes, 8);
        Assert.Equal(a.Keys, b.Keys);
        Assert.All(a, t => Assert.True(t.Value.ContentEquals(b[t.Key])));
        Assert.False(a["0.weight"].ContentEquals(c["0.weight"]));
    }

    [Fact]
    public void Generated_classes_load_the_result_in_either_precision()
    {
        TinyCnn single = TinyCnn.FromTensors(Init.PyTorchDefault(TinyCnn.ParameterShapes, 1));
        NormCnn64 dbl = NormCnn64.FromTensors(Init.PyTorchDefault(NormCnn64.ParameterShapes, 1, DType.F64));
        Assert.Equal(3, single.Forward(new float[TinyCnn.InputSize]).Length);
        Assert.Equal(3, dbl.Forward(new double[NormCnn64.InputSize]).Length);
        Assert.Throws<ArgumentException>(() => Init.PyTorchDefault(TinyCnn.ParameterShapes, 1, DType.I64));
    }

    [Fact]
    public void Kaiming_uniform_scales_the_weights_by_the_relu_gain()
    {
        // The same draws: weights √6 times PyTorch's default (b = √(6/fan_in) against 1/√fan_in), biases and BatchNorm unchanged.
        Dictionary<string, Tensor> pytorch = Init.PyTorchDefault(NormCnn64.ParameterShapes, 3, DType.F64);
        Dictionary<string, Tensor> kaiming = Init.KaimingUniform(NormCnn64.ParameterShapes, 3, dtype: DType.F64);
        foreach (string name in new[] { "conv.weight", "head.weight" })
        {
            double[] a = pytorch[name].ToDouble(), b = kaiming[name].ToDouble();
            for (int i = 0; i < a.Length; i++) Assert.Equal(Math.Sqrt(6) * a[i], b[i], 1e-12);
        }

        foreach (string name in new[] { "conv.bias", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var", "head.bias" })
        {
            Assert.True(pytorch[name].ContentEquals(kaiming[name]), name);
        }

        // a = √5 is PyTorch's default.
        double[] w = Init.KaimingUniform(NormCnn64.ParameterShapes, 3, a: Math.Sqrt(5), DType.F64)["conv.weight"].ToDouble();
        Assert.All(w.Zip(pytorch["conv.weight"].ToDouble()), pair => Assert.Equal(pair.Second, pair.First, 1e-15));
        Assert.Equal(18, Init.FanIn(new ParameterShape("conv.weight", 3, 2, 3, 3)));
    }

    [Fact]
    public void Unknown_names_and_orphan_biases_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Init.PyTorchDefault(new[] { new ParameterShape("embedding.table", 4, 4) }, 0));
        Assert.Throws<ArgumentException>(() => Init.PyTorchDefault(new[] { new ParameterShape("fc.bias", 4) }, 0));
    }
}
