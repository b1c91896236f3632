using Relucent.Model;
using Relucent.Testing;

namespace Relucent.Onnx.Tests.Hostile;

/// <summary>
/// Small files must not cost unbounded work: import walks the graph without recursion, evaluates each shape tensor
/// once, and refuses a graph beyond the stated limits (<see cref="Limits.MaxNesting"/>, <see cref="Limits.MaxLayers"/>)
/// with a named error as soon as it meets it. Each attack runs in a child process, where a stack overflow (exit 134,
/// which no handler can catch) or a run past the time limit fails the test.
/// </summary>
public class BoundedImportTests
{
    [Theory]
    [InlineData(6_000)] // 390 KB: overflowed the stack when the reader recursed once per block
    [InlineData(1_000)] // 62 KB: ran past 300 s
    [InlineData(Limits.MaxNesting + 1)]
    public void Residual_blocks_nested_deeper_than_the_limit_are_refused(int depth)
    {
        using var folder = new AttackFolder();
        string path = folder.WriteModel(new OnnxBuilder(1, 1, 4, 4).NestedResiduals(depth).Bytes());
        string message = Isolated.Refuses<NotSupportedException>(OnnxAttacks.Import, path);
        Assert.Contains($"more than the {Limits.MaxNesting} levels a network may nest (Limits.MaxNesting)", message);
    }

    [Fact]
    public void Residual_blocks_nested_to_the_limit_import()
    {
        using var folder = new AttackFolder();
        string path = folder.WriteModel(new OnnxBuilder(1, 1, 4, 4).NestedResiduals(Limits.MaxNesting).Bytes());
        Assert.Equal("1 layers from [1, 4, 4]", Isolated.Completes(OnnxAttacks.Import, path));
        Assert.Equal("16", Isolated.Completes(OnnxAttacks.ImportAndRun, path));
    }

    [Theory]
    [InlineData(6_000)]
    [InlineData(Limits.MaxNesting + 1)]
    public void Concatenations_nested_deeper_than_the_limit_are_refused(int depth)
    {
        using var folder = new AttackFolder();
        string path = folder.WriteModel(new OnnxBuilder(1, 1, 4, 4).NestedConcats(depth).Bytes());
        string message = Isolated.Refuses<NotSupportedException>(OnnxAttacks.Import, path);
        Assert.Contains($"more than the {Limits.MaxNesting} levels a network may nest (Limits.MaxNesting)", message);
    }

    /// <summary>
    /// One tensor feeding 20,000 ReLUs summed by a chain of Adds (1.6 MB): each Add is a block whose first branch holds
    /// the ones before it, so the blocks nest one inside the next, and each level finds its join by walking what is left
    /// of the graph. Refused at <see cref="Limits.MaxNesting"/>, after 65 walks of at most 40,000 nodes each.
    /// </summary>
    [Fact]
    public void A_sum_of_20000_branches_from_one_tensor_is_refused_at_the_nesting_limit()
    {
        var b = new OnnxBuilder(1, 1, 4, 4);
        string x = b.Current;
        string sum = b.Node("Relu", null, new[] { x });
        for (int i = 1; i < 20_000; i++) sum = b.Node("Add", null, new[] { sum, b.Node("Relu", null, new[] { x }) });
        b.Current = sum;
        using var folder = new AttackFolder();
        var outcome = Isolated.Run(OnnxAttacks.Import, TimeSpan.FromSeconds(60), 1L << 30, folder.WriteModel(b.Bytes()));
        Assert.True(outcome.ExceptionType == typeof(NotSupportedException).FullName, outcome.ToString());
        Assert.Contains($"more than the {Limits.MaxNesting} levels a network may nest (Limits.MaxNesting)", outcome.Message);
    }

    /// <summary>One tensor read by 20,000 ReLUs concatenated at once: one walk, then refused as more branches than Concat takes.</summary>
    [Fact]
    public void A_concatenation_of_20000_branches_is_refused_by_name()
    {
        var b = new OnnxBuilder(1, 1, 4, 4);
        string x = b.Current;
        string[] branches = Enumerable.Range(0, 20_000).Select(_ => b.Node("Relu", null, new[] { x })).ToArray();
        b.Current = b.Node("Concat", "wide", branches, null, OnnxBuilder.Int("axis", 1));
        using var folder = new AttackFolder();
        string message = Isolated.Refuses<NotSupportedException>(OnnxAttacks.Import, folder.WriteModel(b.Bytes()));
        Assert.Contains("Concat 'wide': it concatenates 20000 tensors; Relucent's Concat takes 2 to 4 branches", message);
    }

    /// <summary>
    /// 20,000 nodes each feeding two parallel chains of 20,000 ReLUs that meet only at their end (2.4 MB): finding where
    /// each node's branches meet walks both chains, 8·10^8 steps in all. Refused once the steps pass a budget
    /// proportional to the graph (<see cref="PostDominators"/>), instead of working quadratically.
    /// </summary>
    [Fact]
    public void Branches_crossing_20000_times_are_refused_before_quadratic_work()
    {
        var b = new OnnxBuilder(1, 1, 4, 4);
        string x = b.Current;
        string[] fans = Enumerable.Range(0, 20_000).Select(_ => b.Node("Relu", null, new[] { x })).ToArray();
        string p = b.Node("Sum", null, fans), q = b.Node("Sum", null, fans);
        for (int i = 0; i < 20_000; i++)
        {
            p = b.Node("Relu", null, new[] { p });
            q = b.Node("Relu", null, new[] { q });
        }

        b.Current = b.Node("Add", null, new[] { p, q });
        using var folder = new AttackFolder();
        var outcome = Isolated.Run(OnnxAttacks.Import, TimeSpan.FromSeconds(60), 1L << 30, folder.WriteModel(b.Bytes()));
        Assert.True(outcome.ExceptionType == typeof(NotSupportedException).FullName, outcome.ToString());
        Assert.Contains("the graph's branches cross one another too often to be read as blocks", outcome.Message);
    }

    [Fact]
    public void A_chain_longer_than_the_layer_limit_is_refused_when_it_passes_the_limit()
    {
        var b = new OnnxBuilder(1, 8);
        for (int i = 0; i < 20_000; i++) b.Relu();
        using var folder = new AttackFolder();
        string message = Isolated.Refuses<NotSupportedException>(OnnxAttacks.Import, folder.WriteModel(b.Bytes()));
        Assert.Contains($"is layer {Limits.MaxLayers + 1}, more than the {Limits.MaxLayers} layers a network may hold (Limits.MaxLayers)", message);
    }

    [Fact]
    public void A_chain_at_the_layer_limit_imports()
    {
        var b = new OnnxBuilder(1, 8);
        for (int i = 0; i < Limits.MaxLayers; i++) b.Relu();
        using var folder = new AttackFolder();
        Assert.Equal($"{Limits.MaxLayers} layers from [8]", Isolated.Completes(OnnxAttacks.Import, folder.WriteModel(b.Bytes())));
    }

    /// <summary>
    /// A Reshape target computed by 30 levels of <c>Gather(Concat(v, v), [0, 1])</c>: each level reads the one below
    /// twice, so evaluating without remembering values costs 2^30 evaluations (a 3.5 KB graph of this kind never
    /// finished); remembered, 30.
    /// </summary>
    [Fact]
    public void A_shape_computation_that_reuses_each_value_twice_costs_linear_work()
    {
        var b = new OnnxBuilder(1, 2, 3, 3);
        string value = b.Int64Initializer("start", 1, -1);
        string pick = b.Int64Initializer("pick", 0, 1);
        for (int level = 0; level < 30; level++)
        {
            string doubled = b.Node("Concat", null, new[] { value, value }, null, OnnxBuilder.Int("axis", 0));
            value = b.Node("Gather", null, new[] { doubled, pick }, null, OnnxBuilder.Int("axis", 0));
        }

        b.Op("Reshape", null, new[] { value });
        using var folder = new AttackFolder();
        Assert.Equal("1 layers from [2, 3, 3]", Isolated.Completes(OnnxAttacks.Import, folder.WriteModel(b.Bytes())));
    }

    /// <summary><c>Concat(v, v)</c> repeated doubles the value's length at every level: refused once it passes 64 integers (a 1.5 KB graph of this kind ran out of memory).</summary>
    [Fact]
    public void A_shape_computation_that_doubles_its_length_at_every_level_is_refused()
    {
        var b = new OnnxBuilder(1, 2, 3, 3);
        string value = b.Int64Initializer("start", 1, -1);
        for (int level = 0; level < 60; level++) value = b.Node("Concat", null, new[] { value, value }, null, OnnxBuilder.Int("axis", 0));
        b.Op("Reshape", null, new[] { value });
        using var folder = new AttackFolder();
        string message = Isolated.Refuses<NotSupportedException>(OnnxAttacks.Import, folder.WriteModel(b.Bytes()));
        Assert.Contains("more than the 64 integers a shape computation may hold", message);
    }

    [Fact]
    public void A_tensor_claiming_more_values_than_a_tensor_may_hold_is_refused_before_allocating_them()
    {
        var b = new OnnxBuilder(1, 4);
        string w = b.RawInitializer("fc.weight", new long[] { int.MaxValue, int.MaxValue, int.MaxValue }, new byte[4]);
        b.Op("Gemm", null, new[] { w }, OnnxBuilder.Int("transB", 1));
        using var folder = new AttackFolder();
        string message = Isolated.Refuses<NotSupportedException>(OnnxAttacks.Import, folder.WriteModel(b.Bytes()));
        Assert.Contains("'fc.weight' [2147483647, 2147483647, 2147483647] holds more than the 268435456 values a tensor may hold", message);

        // Typed data: 2^28 values claimed by a file holding none is refused before 1 GiB is allocated (the child's heap is capped).
        var typed = new OnnxBuilder(1, 4);
        string v = typed.RawInitializer("fc.weight", new long[] { 1 << 14, 1 << 14 }, Array.Empty<byte>());
        typed.Op("Gemm", null, new[] { v }, OnnxBuilder.Int("transB", 1));
        var outcome = Isolated.Run(OnnxAttacks.Import, TimeSpan.FromSeconds(120), 256L << 20, folder.WriteModel(typed.Bytes(), "typed.onnx"));
        Assert.True(outcome.ExceptionType == typeof(InvalidDataException).FullName, outcome.ToString());
        Assert.Contains("holds 0 values; its shape needs 268435456", outcome.Message);
    }

    [Fact]
    public void Names_from_the_file_are_cut_short_in_messages()
    {
        var b = new OnnxBuilder(1, 4);
        b.Op("Frobnicate", new string('n', 1_000_000));
        using var folder = new AttackFolder();
        string message = Isolated.Refuses<NotSupportedException>(OnnxAttacks.Import, folder.WriteModel(b.Bytes()));
        Assert.True(message.Length < 2_000, $"{message.Length} characters");
    }
}
