using System.Text;

namespace Relucent.Generator.Tests;

/// <summary>
/// A small approval helper (Verify cannot be restored here): compares text with
/// <c>Snapshots/NAME.approved.txt</c> beside the test sources. On a difference it writes
/// <c>NAME.received.txt</c> next to it and fails; approve by renaming received to approved
/// after reading the diff. A missing approved file fails too, so nothing is approved silently.
/// </summary>
public static class Snapshot
{
    // The test project's folder, found from the test binary upwards. Not [CallerFilePath]: CI builds
    // (ContinuousIntegrationBuild) map source paths to "/_/", which exists nowhere on disk.
    private static readonly Lazy<string> ProjectFolder = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Relucent.Generator.Tests.csproj"))) return dir.FullName;
        }
        throw new InvalidOperationException($"No Relucent.Generator.Tests.csproj above {AppContext.BaseDirectory}: cannot find the snapshots.");
    });

    public static void Match(string actual, string name)
    {
        string folder = Path.Combine(ProjectFolder.Value, "Snapshots");
        string approved = Path.Combine(folder, name + ".approved.txt");
        string received = Path.Combine(folder, name + ".received.txt");
        string normalized = actual.Replace("\r\n", "\n");
        if (File.Exists(approved) && File.ReadAllText(approved, Encoding.UTF8).Replace("\r\n", "\n") == normalized)
        {
            if (File.Exists(received)) File.Delete(received);
            return;
        }
        Directory.CreateDirectory(folder);
        File.WriteAllText(received, normalized, new UTF8Encoding(false));
        string reason = File.Exists(approved) ? "differs from its approved file" : "has no approved file yet";
        Assert.Fail($"Snapshot '{name}' {reason}. Compare {received} with {approved}; rename it to approve.");
    }
}
