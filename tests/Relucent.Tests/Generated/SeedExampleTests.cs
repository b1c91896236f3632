namespace Relucent.Tests.Generated;

/// <summary>The worked 2×2 example, through the generated code of <see cref="SeedNetwork"/>.</summary>
public class SeedExampleTests
{
    private static readonly float[] X = { 1, -2, -4, 5 };
    private static readonly float[] R = { -2, -2, 4, 8 };
    private readonly SeedNetwork _net = SeedNetwork.Create();

    [Fact]
    public void Forward_is_the_relu() => Assert.Equal(new float[] { 1, 0, 0, 5 }, _net.Forward(X));

    [Fact]
    public void Saliency_masks_with_the_forward_pass() =>
        Assert.Equal(new float[] { -2, 0, 0, 8 }, _net.Saliency(X, seed: R));

    [Fact]
    public void DeconvNet_keeps_only_positive_signal() =>
        Assert.Equal(new float[] { 0, 0, 4, 8 }, _net.DeconvNet(X, seed: R));

    [Fact]
    public void GuidedBackprop_applies_both_masks() =>
        Assert.Equal(new float[] { 0, 0, 0, 8 }, _net.GuidedBackprop(X, seed: R));

    [Fact]
    public void Matrix_overloads_keep_the_image_layout()
    {
        var x = MathNet.Numerics.LinearAlgebra.Matrix<float>.Build.DenseOfRowArrays(new float[] { 1, -2 }, new float[] { -4, 5 });
        var r = MathNet.Numerics.LinearAlgebra.Vector<float>.Build.Dense(R);
        var map = _net.DeconvNet(x, r);
        Assert.Equal(2, map.RowCount);
        Assert.Equal(new float[] { 0, 0, 4, 8 }, map.ToRowMajorArray());
    }
}
