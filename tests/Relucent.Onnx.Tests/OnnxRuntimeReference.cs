using Microsoft.ML.OnnxRuntime;

namespace Relucent.Onnx.Tests;

/// <summary>
/// ONNX Runtime (Microsoft.ML.OnnxRuntime 1.31.1) as the independent reference: it runs an ONNX model on one input and
/// returns its one output. Each call makes its own session (no shared state between tests); one thread, so the
/// reference's sums come out the same on every run.
/// </summary>
public static class OnnxRuntimeReference
{
    /// <summary>The output of the model in <paramref name="model"/> (bytes) or at a path, for <paramref name="input"/> of <paramref name="shape"/> (batch included).</summary>
    public static float[] Run(byte[] model, string inputName, float[] input, params long[] shape)
    {
        using var options = Options();
        using var session = new InferenceSession(model, options);
        return Run(session, inputName, input, shape);
    }

    /// <inheritdoc cref="Run(byte[], string, float[], long[])"/>
    public static float[] Run(string path, string inputName, float[] input, params long[] shape)
    {
        using var options = Options();
        using var session = new InferenceSession(path, options);
        return Run(session, inputName, input, shape);
    }

    private static SessionOptions Options() => new() { IntraOpNumThreads = 1, InterOpNumThreads = 1 };

    private static float[] Run(InferenceSession session, string inputName, float[] input, long[] shape)
    {
        using OrtValue value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var runOptions = new RunOptions();
        string output = session.OutputMetadata.Keys.Single();
        using IDisposableReadOnlyCollection<OrtValue> results = session.Run(runOptions, new[] { inputName }, new[] { value }, new[] { output });
        return results.Single().GetTensorDataAsSpan<float>().ToArray();
    }
}
