using Relucent.Testing;
using static Relucent.Onnx.Tests.OnnxBuilder;

namespace Relucent.Onnx.Tests.Hostile;

/// <summary>
/// ONNX attributes are 64-bit; Relucent's sizes are 32-bit. Every size is range-checked before it is narrowed, so a
/// value such as 4294967298 (2^32 + 2) is refused by name instead of wrapping around to 2. The one attack that reaches
/// the kernels (a padded convolution whose staging buffer overflows <c>int</c>) runs in a child process.
/// </summary>
public class AttributeAttackTests
{
    public static TheoryData<string, string, long[]> OutOfRange() => new()
    {
        { "MaxPool", "kernel_shape", new[] { 4294967298L, 4294967298L } },
        { "AveragePool", "kernel_shape", new[] { -2L, -2L } },
        { "MaxPool", "strides", new[] { 4294967297L, 4294967297L } },
        { "MaxPool", "pads", new[] { -1L, -1L, -1L, -1L } },
        { "MaxPool", "dilations", new[] { 1L << 40, 1L << 40 } },
        { "Conv", "strides", new[] { 4294967297L, 4294967297L } },
        { "Conv", "pads", new[] { 4294967296L, 4294967296L, 4294967296L, 4294967296L } },
        { "Conv", "kernel_shape", new[] { 4294967299L, 4294967299L } },
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void A_size_attribute_beyond_32_bits_is_refused_not_wrapped(string op, string attribute, long[] values)
    {
        var b = new OnnxBuilder(1, 1, 8, 8);
        if (op == "Conv") b.Conv("0", 1, 1, 3, extra: Ints(attribute, values));
        else b.Op(op, null, null, attribute == "kernel_shape" ? new[] { Ints(attribute, values) } : new[] { Ints("kernel_shape", 2, 2), Ints(attribute, values) });
        using var folder = new AttackFolder();
        string message = Isolated.Refuses<InvalidDataException>(OnnxAttacks.Import, folder.WriteModel(b.Bytes()));
        Assert.Contains($"{attribute} = [{values[0]}, ", message);
        Assert.Contains("is out of range", message);
    }

    [Fact]
    public void A_wrapped_kernel_no_longer_imports_as_MaxPool_2()
    {
        // Before: kernel_shape = 4294967298 imported as MaxPool(2, stride: 1).
        var b = new OnnxBuilder(1, 1, 8, 8).Op("MaxPool", null, null, Ints("kernel_shape", 4294967298, 4294967298), Ints("strides", 1, 1));
        Assert.Throws<InvalidDataException>(() => OnnxImport.Import(b.Model()));
    }

    [Fact]
    public void A_reshape_target_whose_product_overflows_is_refused_by_name()
    {
        var b = new OnnxBuilder(1, 2, 3, 3);
        b.Op("Reshape", null, new[] { b.Int64Initializer("shape", long.MaxValue / 2, 4, -1) });
        using var folder = new AttackFolder();
        string message = Isolated.Refuses<NotSupportedException>(OnnxAttacks.Import, folder.WriteModel(b.Bytes()));
        Assert.Contains("Relucent reads only a flatten", message);

        var negative = new OnnxBuilder(1, 2, 3, 3);
        negative.Op("Reshape", null, new[] { negative.Int64Initializer("shape", 1, -7) });
        Assert.Contains("has the size -7", Isolated.Refuses<InvalidDataException>(OnnxAttacks.Import, folder.WriteModel(negative.Bytes(), "negative.onnx")));
    }

    [Fact]
    public void The_import_command_prints_the_error_and_exits_with_1_instead_of_dying()
    {
        // Dims whose product overflows a long: an OverflowException killed `explain import` with exit 134.
        var b = new OnnxBuilder(1, 4);
        string w = b.RawInitializer("fc.weight", new long[] { int.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue }, new byte[4]);
        b.Op("Gemm", null, new[] { w }, Int("transB", 1));
        using var folder = new AttackFolder();
        string result = Isolated.Completes(OnnxAttacks.Cli, folder.WriteModel(b.Bytes()));
        Assert.StartsWith("1\nexplain import: ", result);
        Assert.Contains("'fc.weight'", result);
    }

    /// <summary>
    /// Found by the structural fuzzer: pads of <see cref="int.MaxValue"/> pass the 32-bit range check, and the shape rules
    /// compute an output size that wraps around (issue 18 item 4), which the kernels' geometry then refuses with an
    /// <see cref="ArgumentException"/> when the network is prepared. The import must refuse it by name.
    /// </summary>
    [Fact]
    public void Conv_pads_that_overflow_the_output_size_end_in_a_named_error()
    {
        byte[] bytes = new OnnxBuilder(1, 1, 1, 6).Conv("0", 4, 1, 2, padding: int.MaxValue).Bytes();
        using var folder = new AttackFolder();
        Isolated.Outcome outcome = Isolated.Run(OnnxAttacks.ImportAndRun, folder.WriteModel(bytes));
        Assert.True(outcome.ExceptionType is "System.IO.InvalidDataException" or "System.NotSupportedException", outcome.ToString());
        Assert.Contains("Conv", outcome.Message);
    }

    /// <summary>
    /// The 313-byte file of issue 18: <c>Net.Input(9, 1, 1).Conv2D(1, kernel: 1, padding: 8191)</c>, whose output
    /// [1, 16383, 16383] is just under the tensor limit but whose padded input (9 × 16383 × 16383 values) is not. Run
    /// forward, it died with SIGSEGV. It must end in a named error.
    /// </summary>
    [Fact]
    public void The_313_byte_convolution_file_ends_in_a_named_error()
    {
        byte[] bytes = new OnnxBuilder(1, 9, 1, 1).Conv("0", 1, 9, 1, padding: 8191).Bytes();
        Assert.True(bytes.Length < 400, $"{bytes.Length} bytes");
        using var folder = new AttackFolder();
        Isolated.Outcome outcome = Isolated.Run(OnnxAttacks.ImportAndRun, folder.WriteModel(bytes));
        Assert.True(outcome.Completed, outcome.ToString());
        Assert.True(outcome.ExceptionType is "System.NotSupportedException" or "System.IO.InvalidDataException" or "Relucent.NetworkDefinitionException", outcome.ToString());
        Assert.Contains("Conv", outcome.Message);
    }
}
