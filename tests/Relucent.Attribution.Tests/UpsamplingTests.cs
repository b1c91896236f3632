using Relucent.Imaging;
using Relucent.Model;

namespace Relucent.Attribution.Tests;

/// <summary>Upsampling against values worked out by hand from PyTorch's <c>F.interpolate</c> formulas.</summary>
public class UpsamplingTests
{
    [Fact]
    public void Bilinear_two_by_two_to_four_by_four_is_pytorchs_align_corners_false_result()
    {
        // F.interpolate(torch.tensor([[[[1., 2.], [3., 4.]]]]), size=(4, 4), mode="bilinear", align_corners=False)
        double[] expected =
        {
            1.0, 1.25, 1.75, 2.0,
            1.5, 1.75, 2.25, 2.5,
            2.5, 2.75, 3.25, 3.5,
            3.0, 3.25, 3.75, 4.0,
        };
        Assert.Equal(expected, new[] { 1.0, 2, 3, 4 }.Upsample(Shape.Image(1, 2, 2), 4, 4, Interpolation.Bilinear));
        float[] single = new[] { 1f, 2, 3, 4 }.Upsample(Shape.Image(1, 2, 2), 4, 4, Interpolation.Bilinear);
        Assert.Equal(expected.Select(v => (float)v), single);
    }

    [Fact]
    public void Bilinear_at_a_scale_that_is_not_a_whole_number_clamps_the_first_source_to_zero_and_repeats_the_last()
    {
        // Two values to three: scale 2/3; sources max((i + ½)·⅔ − ½, 0) = 0, ½, 7/6 (the last reads index 1 twice).
        Assert.Equal(new[] { 10.0, 15, 20 }, new[] { 10.0, 20 }.Upsample(Shape.Image(1, 1, 2), 1, 3, Interpolation.Bilinear));

        // Three to two (shrinking, no antialias): scale 3/2; sources ¼ and 7/4.
        double[] shrunk = new[] { 0.0, 4, 8 }.Upsample(Shape.Image(1, 1, 3), 1, 2, Interpolation.Bilinear);
        Assert.Equal(new[] { 1.0, 7 }, shrunk);
    }

    [Fact]
    public void Nearest_reads_the_floor_of_the_scaled_index_as_pytorchs_legacy_nearest()
    {
        // Three to five: scale 0.6; ⌊0, 0.6, 1.2, 1.8, 2.4⌋ = 0, 0, 1, 1, 2.
        Assert.Equal(new[] { 1.0, 1, 2, 2, 3 }, new[] { 1.0, 2, 3 }.Upsample(Shape.Image(1, 1, 3), 1, 5, Interpolation.Nearest));

        // Two to three: scale 0.6666667f; ⌊0, 0.67, 1.33⌋ = 0, 0, 1 (not the "exact" rule's 0, 1, 1).
        Assert.Equal(new[] { 1.0, 1, 2 }, new[] { 1.0, 2 }.Upsample(Shape.Image(1, 1, 2), 1, 3, Interpolation.Nearest));

        // Seven to three (shrinking): scale 2.3333333f; ⌊0, 2.33, 4.67⌋ = 0, 2, 4.
        Assert.Equal(new[] { 0.0, 2, 4 }, new[] { 0.0, 1, 2, 3, 4, 5, 6 }.Upsample(Shape.Image(1, 1, 7), 1, 3, Interpolation.Nearest));

        // Two channels, rows and columns alike: every channel resized on its own.
        double[] twoChannels = new[] { 1.0, 2, 3, 4, 5, 6, 7, 8 }.Upsample(Shape.Image(2, 2, 2), 4, 4, Interpolation.Nearest);
        Assert.Equal(new[] { 5.0, 5, 6, 6, 5, 5, 6, 6, 7, 7, 8, 8, 7, 7, 8, 8 }, twoChannels[16..]);
    }

    [Fact]
    public void Upsampling_into_a_buffer_allocates_nothing_and_wrong_sizes_are_refused_by_name()
    {
        var map = new float[30];
        var result = new float[3 * 120];
        Upsampling.Upsample<float>(map, 1, 6, 5, result.AsSpan(0, 120), 12, 10, Interpolation.Bilinear);
        Assert.Equal(0, Allocations.LeastPerWindow(() =>
        {
            Upsampling.Upsample<float>(map, 1, 6, 5, result.AsSpan(0, 120), 12, 10, Interpolation.Bilinear);
            Upsampling.Upsample<float>(map, 1, 6, 5, result.AsSpan(0, 120), 12, 10, Interpolation.Nearest);
        }, calls: 1));
        var e = Assert.Throws<ArgumentException>(() => Upsampling.Upsample<float>(map, 1, 6, 5, result, 12, 10, Interpolation.Nearest));
        Assert.Contains("result has 360 values, expected 120 (shape [1, 12, 10])", e.Message);
        e = Assert.Throws<ArgumentException>(() => Upsampling.Upsample<float>(map, 1, 6, 5, result, 0, 10, Interpolation.Nearest));
        Assert.Contains("The target size 0×10 is empty", e.Message);
    }

    [Fact]
    public void A_cam_overlay_is_the_overlay_of_the_upsampled_cam()
    {
        double[] image = LayerModels.Input();
        Shape shape = Shape.Image(3, 12, 10);
        double[] cam = Enumerable.Range(0, 30).Select(i => Math.Sin(i) + 0.5).ToArray().Relu();
        byte[] overlay = Heatmap.EncodePng(Heatmap.OverlayCam<double>(cam, 6, 5, image, shape, alpha: 0.6));
        double[] upsampled = cam.Upsample(Shape.Image(1, 6, 5), 12, 10, Interpolation.Bilinear);
        Assert.Equal(Heatmap.EncodePng(Heatmap.Overlay<double>(upsampled, image, shape, alpha: 0.6)), overlay);
        Assert.NotEqual(Heatmap.EncodePng(Heatmap.OverlayCam<double>(cam, 6, 5, image, shape, alpha: 0.6, Interpolation.Nearest)), overlay);
    }
}
