namespace Relucent.Tests.Generated;

/// <summary>Reads the Captum fixtures copied into this project (see Fixtures/captum/README.md).</summary>
public sealed class Fixture : Relucent.Testing.CaptumFixtures
{
    private Fixture()
    {
    }

    public static double[] ToDouble(float[] values) => values.Select(v => (double)v).ToArray();
}
