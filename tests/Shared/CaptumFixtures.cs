using Relucent;
using Xunit;

namespace Relucent.Testing;

/// <summary>
/// Reads the Captum fixtures a test project copies into its output (<c>Fixtures/captum</c>, see the README there):
/// compiled into each test project that uses them (a linked file), whose own <c>Fixture</c> class derives from this
/// one and adds what only that project needs.
/// </summary>
public abstract class CaptumFixtures
{
    protected CaptumFixtures()
    {
    }

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

    /// <summary>Asserts agreement to <paramref name="relative"/> × the expected values' largest magnitude, naming the worst element.</summary>
    public static void Close(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double relative, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = 0, worst = 0;
        int at = 0;
        for (int i = 0; i < expected.Length; i++) scale = Math.Max(scale, Math.Abs(expected[i]));
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(expected[i] - actual[i]);
            if (error > worst) (worst, at) = (error, i);
        }
        Assert.True(worst <= relative * Math.Max(scale, 1e-30),
            $"{what}: element {at} is {actual[at]:R}, expected {expected[at]:R}; error {worst:E3} > {relative:E1} × {scale:E3}");
    }
}
