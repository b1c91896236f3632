using System.Globalization;
using Relucent.Testing;

namespace Relucent.Onnx.Tests.Hostile;

/// <summary>
/// The structural fuzzer over ONNX graphs (beside the safetensors and generator fuzzers): random graphs from
/// <see cref="RandomGraphs"/> (nesting, fan-out, shape expressions, attributes, mutations) either import, and then run
/// forward to finite outputs, or fail with <see cref="NotSupportedException"/> or <see cref="InvalidDataException"/>
/// saying why; never another exception, a crash or a hang. The loop runs in a child process, so a crash fails the test
/// with the graph that caused it. A fixed seed and count (a few seconds), so every run tests the same graphs.
/// </summary>
/// <remarks>
/// Longer runs with other seeds (<c>dotnet exec Relucent.Onnx.Tests.dll --isolated
/// Relucent.Onnx.Tests.Hostile.OnnxGraphFuzzTests Fuzz SEED COUNT</c>) found convolution pads near
/// <see cref="int.MaxValue"/> that the shape rules accept and the kernels then refuse: see
/// <see cref="AttributeAttackTests.Conv_pads_that_overflow_the_output_size_end_in_a_named_error"/>.
/// </remarks>
public class OnnxGraphFuzzTests
{
    private const int Graphs = 3_000;

    [Fact]
    public void Random_graphs_import_or_fail_with_a_named_error()
    {
        string result = Isolated.Completes(Fuzz, "20250618", Graphs.ToString(CultureInfo.InvariantCulture));
        string[] counts = result.Split(' ');
        int imported = int.Parse(counts[0], CultureInfo.InvariantCulture), refused = int.Parse(counts[1], CultureInfo.InvariantCulture);
        Assert.Equal(Graphs, imported + refused);
        Assert.True(imported >= (imported + refused) / 50, $"only {imported} of {imported + refused} graphs imported: the fuzzer barely reaches the layers");
        Assert.True(refused >= (imported + refused) / 4, $"only {refused} of {imported + refused} graphs were refused: the fuzzer barely tests the errors");
    }

    /// <summary>
    /// The child's loop: <c>args[1]</c> graphs from seed <c>args[0]</c>; returns "imported refused", or throws on the
    /// first graph that fails otherwise, naming it.
    /// </summary>
    public static string Fuzz(string[] args)
    {
        int seed = int.Parse(args[0], CultureInfo.InvariantCulture);
        int count = int.Parse(args[1], CultureInfo.InvariantCulture);
        var graphs = new RandomGraphs(seed);
        int imported = 0, refused = 0;
        for (int i = 0; i < count; i++)
        {
            (byte[] bytes, string what) = graphs.Next();
            try
            {
                OnnxImportResult result = OnnxImport.Import(OnnxModel.FromBytes(bytes));
                Network network = result.Network;
                if (network.InputShape.Size <= 4096 && network.LayerOutputShapes.All(s => s.Size <= 1 << 16))
                {
                    var net = Interpreter<float>.FromTensors(network, result.Tensors);
                    var random = new Random(i);
                    float[] output = net.Forward(Enumerable.Range(0, net.InputSize).Select(_ => (float)random.NextDouble()).ToArray());
                    if (output.Length != net.OutputSize) throw new InvalidOperationException($"graph {i} ({what}): {output.Length} outputs, expected {net.OutputSize}");
                }

                imported++;
            }
            catch (Exception e) when (e is NotSupportedException or InvalidDataException or ParameterBindingException)
            {
                if (string.IsNullOrWhiteSpace(e.Message) || e.Message.Length > 4000) throw new InvalidOperationException($"graph {i} ({what}): a message of {e.Message.Length} characters", e);
                refused++;
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"graph {i} of seed {seed} ({what}): {e.GetType().FullName}: {e.Message}\n{e.StackTrace}", e);
            }
        }

        return $"{imported} {refused}";
    }
}
