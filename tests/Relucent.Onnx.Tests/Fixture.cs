namespace Relucent.Onnx.Tests;

/// <summary>The Captum fixtures copied into this project (Fixtures/captum, see its README.md), and their ONNX graphs.</summary>
public sealed class Fixture : Relucent.Testing.CaptumFixtures
{
    private Fixture()
    {
    }

    public static OnnxModel Onnx(string model) => OnnxModel.Load(Path(model + ".onnx"));
}
