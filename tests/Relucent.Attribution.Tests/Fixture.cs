using System.Numerics;

namespace Relucent.Attribution.Tests;

/// <summary>The Captum fixtures copied into this project (Fixtures/captum, from /work/shared/fixtures/captum).</summary>
public static class Fixture
{
    public static string Path(string file) => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", "captum", file);

    public static SafeTensorsFile Weights(string model) => SafeTensors.Read(Path(model + ".weights.safetensors"));

    public static SafeTensorsFile Cases(string model) => SafeTensors.Read(Path(model + ".cases.safetensors"));

    /// <summary>Row <paramref name="index"/> of a batched tensor <c>[4, …]</c>.</summary>
    public static T[] Row<T>(Tensor batch, int index)
    {
        T[] all = batch.ToArray<T>();
        int size = all.Length / batch.Shape[0];
        return all.AsSpan(index * size, size).ToArray();
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
