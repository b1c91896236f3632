using Relucent.Model;
using Xunit;

namespace Relucent.Tests.Generated;

/// <summary>The kernels' column-major layout of weight matrices, against its definition, on sizes that are and are not multiples of the copy's tiles.</summary>
public class ParameterLayoutTests
{
    public static TheoryData<int, int> Sizes => new() { { 37, 70 }, { 64, 64 }, { 1, 100 }, { 100, 1 }, { 33, 31 } };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void A_dense_weight_is_held_column_major_and_comes_back_in_c_order(int outputs, int inputs)
    {
        ParameterInfo weight = Net.Input(inputs).Dense(outputs).Parameters[0];
        float[] values = Enumerable.Range(0, outputs * inputs).Select(v => (float)v).ToArray();

        float[] kernel = ParameterLayout.ToKernel(weight, (float[])values.Clone());

        for (int o = 0; o < outputs; o++)
        {
            for (int j = 0; j < inputs; j++) Assert.Equal(values[o * inputs + j], kernel[j * outputs + o]);
        }
        Assert.Equal(values, ParameterLayout.ToPyTorch(weight, kernel));
    }

    [Fact]
    public void A_convolution_weight_is_a_matrix_of_filters_by_taps_and_a_bias_stays_as_it_is()
    {
        IReadOnlyList<ParameterInfo> parameters = Net.Input(3, 8, 8).Conv2D(5, kernel: 3).Parameters;
        double[] weight = Enumerable.Range(0, 5 * 27).Select(v => (double)v).ToArray();
        double[] kernel = ParameterLayout.ToKernel(parameters[0], weight);
        Assert.Equal(weight[2 * 27 + 13], kernel[13 * 5 + 2]);
        Assert.Equal(weight, ParameterLayout.ToPyTorch(parameters[0], kernel));

        double[] bias = [1, 2, 3, 4, 5];
        Assert.Same(bias, ParameterLayout.ToKernel(parameters[1], bias));
    }
}
