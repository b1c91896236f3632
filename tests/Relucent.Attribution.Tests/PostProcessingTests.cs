using Relucent.Model;

namespace Relucent.Attribution.Tests;

public class PostProcessingTests
{
    // A 2×2×3 map: channel 0 then channel 1, each 2 rows of 3.
    private static readonly double[] Map =
    {
        1, -4, 0, 2, 3, -1,
        -2, 5, 0, 1, -3, 2,
    };

    [Fact]
    public void Abs_is_the_absolute_value_and_leaves_the_input_alone()
    {
        double[] abs = Map.Abs();
        Assert.Equal(new double[] { 1, 4, 0, 2, 3, 1, 2, 5, 0, 1, 3, 2 }, abs);
        Assert.Equal(-4, Map[1]);
    }

    [Fact]
    public void Channels_reduce_by_max_mean_sum_or_not_at_all()
    {
        Shape shape = Shape.Image(2, 2, 3);
        Assert.Equal(new double[] { 1, 5, 0, 2, 3, 2 }, Map.ReduceChannels(ChannelReduction.Max, shape));
        Assert.Equal(new double[] { -0.5, 0.5, 0, 1.5, 0, 0.5 }, Map.ReduceChannels(ChannelReduction.Mean, shape));
        Assert.Equal(new double[] { -1, 1, 0, 3, 0, 1 }, Map.ReduceChannels(ChannelReduction.Sum, shape));
        Assert.Equal(Map, Map.ReduceChannels(ChannelReduction.None, shape));
        // Simonyan et al.'s map: the max over channels of |gradient|.
        Assert.Equal(new double[] { 2, 5, 0, 2, 3, 2 }, Map.Abs().ReduceChannels(ChannelReduction.Max, shape));
        Assert.Throws<ArgumentException>(() => Map.ReduceChannels(ChannelReduction.Max, Shape.Vector(12)));
        Assert.Throws<ArgumentException>(() => Map.ReduceChannels(ChannelReduction.Max, 3, 2, 3));
    }

    [Fact]
    public void Normalisations_rescale_as_documented()
    {
        double[] m = { -2, 0, 1, 4 };
        Assert.Equal(new[] { 0, 2 / 6.0, 3 / 6.0, 1 }, m.Normalize(Normalization.MinMax));
        Assert.Equal(new[] { -0.5, 0, 0.25, 1 }, m.Normalize(Normalization.Symmetric));
        Assert.Equal(new[] { 0.5, 0, 0.25, 1 }, m.Normalize(Normalization.MaxAbs));
        double[] negative = { -8, -2, 0 };
        Assert.Equal(new[] { -1, -0.25, 0 }, negative.Normalize(Normalization.Symmetric));
        Assert.Equal(new double[] { 0, 0, 0 }, new double[] { 3, 3, 3 }.Normalize(Normalization.MinMax));
        Assert.Equal(new double[] { 0, 0 }, new double[] { 0, 0 }.Normalize(Normalization.Symmetric));
    }

    [Fact]
    public void Percentile_clipping_interpolates_as_numpy()
    {
        double[] m = { 10, 0, 1, 2, 3, 4, 5, 6, 7, 8, 100 }; // sorted: 0..8, 10, 100
        // numpy.percentile(m, 90) = 10 (rank 9), percentile(m, 5) = 0.5 (rank 0.5), percentile(m, 95) = 55.
        Assert.Equal(55, PostProcessing.Percentile<double>(m.Order().ToArray(), 95), 12);
        Assert.Equal(new double[] { 10, 0.5, 1, 2, 3, 4, 5, 6, 7, 8, 10 }, m.ClipPercentiles(5, 90));
        Assert.Equal(m, m.ClipPercentiles(0, 100));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.ClipPercentiles(60, 40));
    }

    [Fact]
    public void Steps_compose_into_xpliques_saliency_and_match_captums_channel_max()
    {
        CaptumLeNet net = CaptumLeNet.Load(Fixture.Path("lenet.weights.safetensors"));
        SafeTensorsFile cases = Fixture.Cases("lenet");
        float[] x = Fixture.Row<float>(cases["inputs"], 3);
        int target = (int)cases["targets"].ToInt64()[3];
        float[] map = net.Explain(BackwardRule.Saliency, x, target).Abs().ReduceChannels(ChannelReduction.Max, CaptumLeNet.Architecture.InputShape);
        Fixture.Close<float>(Fixture.Row<double>(cases["saliency_channel_max"], 3), map, 1e-5, "saliency_channel_max");

        float[] inPlace = net.Explain(BackwardRule.Saliency, x, target);
        PostProcessing.AbsInPlace<float>(inPlace);
        PostProcessing.NormalizeInPlace<float>(inPlace, Normalization.MinMax);
        Assert.Equal(map.Normalize(Normalization.MinMax), inPlace);
    }
}
