using Relucent.Testing;

namespace Relucent.Samples.Tests;

/// <summary>
/// One run of the Shapes sample as its README runs it (<c>dotnet run --project samples/Shapes -c Release</c>, from the
/// repository root, its output redirected as in a log), made small with its own options, writing into a scratch
/// folder; then each command it prints, run as printed by bash in the same folder.
/// </summary>
public sealed class ShapesRun : IDisposable
{
    /// <summary>Small enough to take seconds; three pictured images, at least one of them with a distractor.</summary>
    public static readonly string[] Options =
        ["--train-size", "400", "--test-size", "64", "--epochs", "2", "--measure", "8", "--images", "3", "--sanity-images", "2"];

    public ShapesRun()
    {
        Scratch = Path.Combine(Path.GetTempPath(), "relucent-shapes-test-" + Guid.NewGuid().ToString("N")[..12]);
        Output = Path.Combine(Scratch, "shapes-output");
        Directory.CreateDirectory(Scratch);
        Sample = Commands.DotNet(Repository.Root, TimeSpan.FromMinutes(10),
            ["run", "--project", "samples/Shapes", "-c", "Release", "--", .. Options, "--output", Output]);
        PrintedCommands = Sample.Lines.Where(l => l.StartsWith("dotnet run --project ", StringComparison.Ordinal)).ToArray();
        CommandResults = PrintedCommands.Select(c => Commands.Shell(c, Repository.Root, TimeSpan.FromMinutes(10))).ToArray();
    }

    /// <summary>The scratch folder: the sample's output folder, and the browser's files.</summary>
    public string Scratch { get; }

    /// <summary>The sample's output folder (its <c>--output</c>).</summary>
    public string Output { get; }

    /// <summary>What the sample did and printed.</summary>
    public CommandResult Sample { get; }

    /// <summary>The commands it printed for samples/Explain, as printed.</summary>
    public string[] PrintedCommands { get; }

    /// <summary>What each printed command did, in order.</summary>
    public CommandResult[] CommandResults { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Scratch, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A browser process still closing holds a file: the folder is in the temporary directory.
        }
    }
}
