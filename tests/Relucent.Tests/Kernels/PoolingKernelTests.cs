using Relucent.Kernels;
using Xunit;

namespace Relucent.Tests.Kernels
{
    /// <summary>Two facts of pooling worth stating on their own; the kernels are checked against the naive loops in <see cref="PaddedPoolingTests"/> and <see cref="SimdPathTests"/>.</summary>
    public class PoolingKernelTests
    {
        [Fact]
        public void Max_pooling_routes_each_signal_to_the_first_maximum_of_its_window()
        {
            // 1×3×3, kernel 2, stride 1: windows overlap, the 5 in the centre wins all four windows.
            double[] x = { 1, 2, 3, 4, 5, 5, 5, 0, 5 };
            var g = new PoolGeometry(1, 3, 3, 2, 1);
            var y = new double[4];
            var switches = new int[4];
            PoolingKernels.MaxForward<double>(x, y, switches, g);
            Assert.Equal(new double[] { 5, 5, 5, 5 }, y);
            Assert.Equal(new[] { 4, 4, 4, 4 }, switches);
            var dx = new double[9];
            PoolingKernels.MaxBackward<double>(new double[] { 1, 2, 3, 4 }, switches, dx, g);
            Assert.Equal(new double[] { 0, 0, 0, 0, 10, 0, 0, 0, 0 }, dx);
        }

        [Fact]
        public void Geometry_drops_the_rows_and_columns_no_full_window_covers()
        {
            var g = new PoolGeometry(2, 7, 5, 2, 2);
            Assert.Equal(3, g.OutputHeight);
            Assert.Equal(2, g.OutputWidth);
            Assert.Throws<ArgumentException>(() => new PoolGeometry(1, 3, 3, 4, 1));
        }
    }
}
