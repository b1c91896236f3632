using System.Diagnostics;
using Relucent.Testing;

namespace Relucent.Onnx.Tests.Hostile;

/// <summary>
/// ONNX external data is untrusted: a model may name any path as the location of its weights. ONNX's own rule is
/// followed: a location is relative, stays inside the model's folder once its symbolic links are resolved, and names a
/// regular file; anything else is refused before it is opened, with a message that reveals nothing about files outside
/// the folder. Each attack runs in a child process, where a hang (a FIFO) or a crash fails the test.
/// </summary>
public class ExternalDataAttackTests
{
    private const string Secret = "secret: the bytes of a file outside the model's folder";

    /// <summary>A 4 → 2 dense layer whose weight lies in <paramref name="location"/>.</summary>
    private static byte[] Model(string location, long offset = 0, long? length = null, Action<OnnxBuilder>? more = null)
    {
        var b = new OnnxBuilder(1, 4);
        string w = b.ExternalInitializer("fc.weight", new[] { 2, 4 }, location, offset, length);
        more?.Invoke(b);
        b.Op("Gemm", null, new[] { w }, OnnxBuilder.Int("transB", 1));
        return b.Bytes();
    }

    private static byte[] Floats(int count, float first = 0.5f) => Enumerable.Range(0, count).SelectMany(i => BitConverter.GetBytes(first + i)).ToArray();

    [Fact]
    public void Weights_in_a_file_inside_the_model_s_folder_load()
    {
        using var folder = new AttackFolder();
        File.WriteAllBytes(Path.Combine(folder.Model, "weights.bin"), new byte[16].Concat(Floats(8)).ToArray());
        Directory.CreateDirectory(Path.Combine(folder.Model, "data"));
        File.WriteAllBytes(Path.Combine(folder.Model, "data", "w.bin"), Floats(8));
        string path = folder.WriteModel(Model("weights.bin", offset: 16, length: 32));
        Assert.Equal("2", Isolated.Completes(OnnxAttacks.ImportAndRun, path));
        Tensor w = OnnxImport.Import(path).Tensors["fc.weight"];
        Assert.Equal(new[] { 0.5f, 1.5f, 2.5f, 3.5f, 4.5f, 5.5f, 6.5f, 7.5f }, w.ToSingle());

        // A subfolder, and a link inside the folder to a file inside it, are inside too.
        Assert.Equal("2", Isolated.Completes(OnnxAttacks.ImportAndRun, folder.WriteModel(Model("data/w.bin"), "sub.onnx")));
        if (!OperatingSystem.IsWindows())
        {
            File.CreateSymbolicLink(Path.Combine(folder.Model, "link.bin"), Path.Combine(folder.Model, "data", "w.bin"));
            Assert.Equal("2", Isolated.Completes(OnnxAttacks.ImportAndRun, folder.WriteModel(Model("link.bin"), "linked.onnx")));
        }
    }

    public static TheoryData<string> Escapes() => new()
    {
        "../secret.bin",
        "../../../../../../../../../../etc/passwd",
        "data/../../secret.bin",
        "./../model/../secret.bin",
    };

    [Theory]
    [MemberData(nameof(Escapes))]
    public void A_location_leading_out_of_the_folder_is_refused_without_saying_whether_the_file_exists(string location)
    {
        using var folder = new AttackFolder();
        File.WriteAllText(Path.Combine(folder.Root, "secret.bin"), Secret);
        string message = Isolated.Refuses<InvalidDataException>(OnnxAttacks.Import, folder.WriteModel(Model(location)));
        Assert.Contains("outside the model's folder", message);
        AssertRevealsNothing(message, folder);

        // The same words whether or not the file outside exists.
        File.Delete(Path.Combine(folder.Root, "secret.bin"));
        string missing = Isolated.Refuses<InvalidDataException>(OnnxAttacks.Import, folder.WriteModel(Model(location)));
        Assert.Equal(message, missing);
    }

    [Fact]
    public void An_absolute_location_is_refused()
    {
        using var folder = new AttackFolder();
        string secret = Path.Combine(folder.Root, "secret.bin");
        File.WriteAllText(secret, Secret);
        string message = Isolated.Refuses<InvalidDataException>(OnnxAttacks.Import, folder.WriteModel(Model(secret)));
        Assert.Contains("not a path relative to the model's folder", message);
        AssertRevealsNothing(message, folder, allowLocation: secret);
    }

    [Fact]
    public void A_symbolic_link_leading_out_of_the_folder_is_refused_at_the_end_or_halfway()
    {
        if (OperatingSystem.IsWindows()) return; // creating links needs privileges there
        using var folder = new AttackFolder();
        File.WriteAllText(Path.Combine(folder.Root, "secret.bin"), Secret);
        Directory.CreateDirectory(Path.Combine(folder.Root, "outside"));
        File.WriteAllText(Path.Combine(folder.Root, "outside", "w.bin"), Secret);
        File.CreateSymbolicLink(Path.Combine(folder.Model, "w.bin"), Path.Combine(folder.Root, "secret.bin"));
        Directory.CreateSymbolicLink(Path.Combine(folder.Model, "dir"), Path.Combine(folder.Root, "outside"));
        File.CreateSymbolicLink(Path.Combine(folder.Model, "relative.bin"), "../secret.bin");
        File.CreateSymbolicLink(Path.Combine(folder.Model, "loop"), "loop");

        foreach (string location in new[] { "w.bin", "dir/w.bin", "relative.bin" })
        {
            string message = Isolated.Refuses<InvalidDataException>(OnnxAttacks.Import, folder.WriteModel(Model(location)));
            Assert.Contains("outside the model's folder", message);
            AssertRevealsNothing(message, folder);
        }

        Assert.Contains("loop", Isolated.Refuses<InvalidDataException>(OnnxAttacks.Import, folder.WriteModel(Model("loop"))));
    }

    [Fact]
    public void A_FIFO_as_location_is_refused_without_waiting_for_a_writer()
    {
        if (OperatingSystem.IsWindows()) return;
        using var folder = new AttackFolder();
        string fifo = Path.Combine(folder.Model, "w.bin");
        using (Process mkfifo = Process.Start("mkfifo", new[] { fifo }))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        string message = Isolated.Refuses<InvalidDataException>(OnnxAttacks.Import, folder.WriteModel(Model("w.bin")));
        Assert.Contains("not a regular file", message);
    }

    [Fact]
    public void A_folder_a_missing_file_a_short_file_or_a_wrong_length_is_refused_by_name()
    {
        using var folder = new AttackFolder();
        Directory.CreateDirectory(Path.Combine(folder.Model, "dir"));
        File.WriteAllBytes(Path.Combine(folder.Model, "short.bin"), Floats(7));
        File.WriteAllBytes(Path.Combine(folder.Model, "w.bin"), Floats(8));
        Assert.Contains("holds no such file", Isolated.Refuses<InvalidDataException>(OnnxAttacks.Import, folder.WriteModel(Model("dir"))));
        Assert.Contains("holds no such file", Isolated.Refuses<InvalidDataException>(OnnxAttacks.Import, folder.WriteModel(Model("missing.bin"))));
        Assert.Contains("28 bytes long", Isolated.Refuses<InvalidDataException>(OnnxAttacks.Import, folder.WriteModel(Model("short.bin"))));
        Assert.Contains("declares 16 bytes", Isolated.Refuses<InvalidDataException>(OnnxAttacks.Import, folder.WriteModel(Model("w.bin", length: 16))));
        Assert.Contains("needs bytes 9223372036854775000", Isolated.Refuses<InvalidDataException>(OnnxAttacks.Import, folder.WriteModel(Model("w.bin", offset: 9223372036854775000))));
    }

    [Fact]
    public void An_unused_initializer_is_never_read_wherever_it_points()
    {
        using var folder = new AttackFolder();
        File.WriteAllBytes(Path.Combine(folder.Model, "w.bin"), Floats(8));
        File.WriteAllText(Path.Combine(folder.Root, "secret.bin"), Secret);
        string path = folder.WriteModel(Model("w.bin", more: b => b.ExternalInitializer("unused", new[] { 4 }, "../secret.bin")));
        Assert.Equal("2", Isolated.Completes(OnnxAttacks.ImportAndRun, path));

        // Asking for every initialiser reads it, and is refused likewise.
        Assert.Contains("outside the model's folder", Isolated.Refuses<InvalidDataException>(OnnxAttacks.ReadInitializers, path));
    }

    /// <summary>The message names neither the folder's parent, nor the secret's bytes or size, nor a full path.</summary>
    private static void AssertRevealsNothing(string message, AttackFolder folder, string? allowLocation = null)
    {
        string checkedMessage = allowLocation == null ? message : message.Replace(allowLocation, "<location>", StringComparison.Ordinal);
        Assert.DoesNotContain(folder.Root, checkedMessage);
        Assert.DoesNotContain("secret:", checkedMessage);
        Assert.DoesNotContain(Secret.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), checkedMessage);
        Assert.DoesNotContain("root:", checkedMessage); // /etc/passwd's first line
        Assert.DoesNotContain("exist", checkedMessage);
    }
}
