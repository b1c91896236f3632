using System.Globalization;
using Relucent.Explain;

namespace Relucent.Onnx.Tests.Hostile;

/// <summary>
/// What the child process runs for the ONNX attack tests (see <c>Relucent.Testing.Isolated</c>): each method takes the
/// model's path and does what a user would do with a downloaded model, returning a short summary. A crash, a hang or
/// an exception other than the one the test expects fails the test.
/// </summary>
public static class OnnxAttacks
{
    /// <summary><c>OnnxImport.Import(path)</c>: the layer count and the input shape.</summary>
    public static string Import(string[] args)
    {
        OnnxImportResult result = OnnxImport.Import(args[0]);
        return $"{result.Network.Layers.Count} layers from {result.Network.InputShape}";
    }

    /// <summary>Imports, prepares the interpreter and runs one forward pass on zeros: the output size.</summary>
    public static string ImportAndRun(string[] args)
    {
        OnnxImportResult result = OnnxImport.Import(args[0]);
        var net = Interpreter<float>.FromTensors(result.Network, result.Tensors);
        float[] output = net.Forward(new float[net.InputSize]);
        return output.Length.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Reads the model and every initialiser it lists (as a user enumerating <c>Initializers</c> does).</summary>
    public static string ReadInitializers(string[] args)
    {
        OnnxModel model = OnnxModel.Load(args[0]);
        long bytes = model.Initializers.Sum(t => (long)t.Value.Bytes.Length);
        return bytes.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary><c>explain import path</c>: the exit code, then what it printed to standard error.</summary>
    public static string Cli(string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Relucent.Explain.Cli.Run(new[] { "import", args[0] }, output, error);
        return code.ToString(CultureInfo.InvariantCulture) + "\n" + error;
    }
}

/// <summary>A folder of its own for one attack: the model's folder, inside a parent where "outside" files are put.</summary>
public sealed class AttackFolder : IDisposable
{
    public AttackFolder()
    {
        Root = Path.Combine(Path.GetTempPath(), $"relucent-hostile-{Guid.NewGuid():N}");
        Model = Path.Combine(Root, "model");
        Directory.CreateDirectory(Model);
    }

    /// <summary>The parent of <see cref="Model"/>: outside the model's folder.</summary>
    public string Root { get; }

    /// <summary>The model's folder.</summary>
    public string Model { get; }

    /// <summary>Writes <paramref name="bytes"/> as <paramref name="name"/> in the model's folder; returns the path.</summary>
    public string WriteModel(byte[] bytes, string name = "model.onnx")
    {
        string path = Path.Combine(Model, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A FIFO or a link left behind is the OS's to clean; the test's outcome does not depend on it.
        }
    }
}
