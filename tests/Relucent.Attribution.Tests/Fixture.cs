using System.Numerics;

namespace Relucent.Attribution.Tests;

/// <summary>The Captum fixtures copied into this project (Fixtures/captum), with a relative-error check generic over precision.</summary>
public sealed class Fixture : Relucent.Testing.CaptumFixtures
{
    private Fixture()
    {
    }

    /// <summary>The largest error relative to the expected map's largest magnitude.</summary>
    public static double RelativeError<T>(ReadOnlySpan<double> expected, ReadOnlySpan<T> actual) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = 0, worst = 0;
        for (int i = 0; i < expected.Length; i++) scale = Math.Max(scale, Math.Abs(expected[i]));
        for (int i = 0; i < expected.Length; i++) worst = Math.Max(worst, Math.Abs(expected[i] - double.CreateTruncating(actual[i])));
        return worst / Math.Max(scale, 1e-300);
    }

    /// <summary>Asserts agreement to <paramref name="relative"/> × the expected map's largest magnitude; returns the error.</summary>
    public static double Close<T>(ReadOnlySpan<double> expected, ReadOnlySpan<T> actual, double relative, string what) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double error = RelativeError(expected, actual);
        Assert.True(error <= relative, $"{what}: largest error {error:E3} of the map's largest magnitude, allowed {relative:E1}");
        return error;
    }
}
