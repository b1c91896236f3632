using System.Runtime.CompilerServices;
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
    public static void Match(string actual, string name, [CallerFilePath] string callerPath = "")
    {
        string folder = Path.Combine(Path.GetDirectoryName(callerPath)!, "Snapshots");
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
