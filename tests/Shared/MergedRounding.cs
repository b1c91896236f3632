using System.Numerics;
using Relucent.Model;
using Xunit;

namespace Relucent.Testing;

/// <summary>
/// How closely generated results agree with the interpreter's. Forward and the maps merge each BatchNorm into the convolution
/// or dense layer before it; the interpreter computes the declared layers. The merged pass rounds W·s and (b − μ)·s + β once per
/// parameter where the BatchNorm rounds s·z and + shift once per value, so each merged layer's output moves by a few units of the
/// last place (u: 2⁻²⁴ in float, 2⁻⁵³ in double) of its size, carried by the layers after it. Over the 340 random networks of
/// Relucent.Generator.Tests' GeneratedVersusInterpreterTests the largest difference is 6 u of the largest value; 64 u leaves room for that and
/// still catches a wrong merge (a scale on the wrong channel, applied twice or not at all, moves values by a large fraction of
/// their size). A network without a merge must agree to the last bit: both call the same kernels in the same order.
/// </summary>
public static class MergedRounding
{
    /// <summary>Whether the generated Forward and maps merge a BatchNorm into the convolution or dense layer before it.</summary>
    public static bool Merges(IReadOnlyList<Layer> layers) =>
        Enumerable.Range(0, layers.Count).Any(i => LrpComposites.MergesIntoPrevious(layers, i) || layers[i].Branches.Any(b => Merges(b.Layers)));

    /// <summary>To the last bit when <paramref name="network"/> merges nothing, else within 64 u of the largest expected value.</summary>
    public static void Agree<T>(Network network, T[] expected, T[] actual, string what) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.True(expected.Length == actual.Length, $"{what}: length {actual.Length}, expected {expected.Length}");
        double u = typeof(T) == typeof(float) ? Math.Pow(2, -24) : Math.Pow(2, -53);
        double bound = Merges(network.Layers) ? 64 * u * expected.Max(v => Math.Abs(double.CreateChecked(v))) : 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double difference = Math.Abs(double.CreateChecked(expected[i]) - double.CreateChecked(actual[i]));
            bool same = bound == 0 ? expected[i].Equals(actual[i]) || (T.IsNaN(expected[i]) && T.IsNaN(actual[i])) : difference <= bound;
            if (!same)
            {
                Assert.Fail(bound == 0
                    ? $"{what}: element {i} is {actual[i]:R}, the interpreter gives {expected[i]:R}"
                    : $"{what}: element {i} is {actual[i]:R}, the interpreter gives {expected[i]:R}, more than the merge's rounding ({bound:R}) apart");
            }
        }
    }
}
