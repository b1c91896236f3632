using Relucent.Testing;
using Xunit.Abstractions;

namespace Relucent.Package.Tests;

/// <summary>
/// The README's app, made by following "Use Relucent in your project" step by step in the scratch folder beside the
/// packed feed: the README's commands run as they are written (each block a bash script, in the folder the README's
/// <c>cd</c> lines lead to), and its files written where it says.
/// </summary>
public sealed class ReadmeApp
{
    private ReadmeApp(string folder, CommandResult run)
    {
        Folder = folder;
        RunResult = run;
    }

    /// <summary>The app's folder (the README's <c>MyApp</c>).</summary>
    public string Folder { get; }

    /// <summary>What the README's run command did.</summary>
    public CommandResult RunResult { get; }

    /// <summary>Follows the README from "make an application" to "dotnet run".</summary>
    public static ReadmeApp Make(PackedFeed packed, ITestOutputHelper log)
    {
        ReadmeSteps readme = packed.Readme;
        string beside = packed.Work; // the folder holding the clone and the feed
        string folder = beside;

        folder = Follow(readme.MakeApp, folder);
        string app = Path.Combine(beside, "MyApp");
        Assert.True(Directory.Exists(app), $"The README's commands made no MyApp folder:\n{readme.MakeApp}");
        File.WriteAllText(Path.Combine(app, "nuget.config"), readme.NuGetConfig);
        folder = Follow(readme.AddPackage, folder);
        File.WriteAllText(Path.Combine(beside, readme.ProgramPath), readme.ProgramText);
        Assert.Equal(app, folder); // the README's `cd MyApp`: the run command runs in the app's folder
        CommandResult run = packed.Step(log, readme.Run, folder);
        Assert.True(run.Succeeded, run.Describe());
        return new ReadmeApp(app, run);

        // Runs one block where the README's reader stands, and returns where they stand afterwards.
        string Follow(string block, string where)
        {
            CommandResult result = packed.Step(log, block, where);
            Assert.True(result.Succeeded, result.Describe());
            foreach (string line in block.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("cd ", StringComparison.Ordinal)))
            {
                where = Path.GetFullPath(Path.Combine(where, line[3..].Trim()));
            }

            return where;
        }
    }

    /// <summary>A copy of the app (its sources and nuget.config, not its bin/obj) in a new folder beside it, to change without touching the original.</summary>
    public string Copy(string name)
    {
        string copy = Path.Combine(Path.GetDirectoryName(Folder)!, name);
        Directory.CreateDirectory(copy);
        foreach (string file in Directory.GetFiles(Folder))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }

        File.Move(Path.Combine(copy, "MyApp.csproj"), Path.Combine(copy, name + ".csproj"));
        return copy;
    }

    /// <summary>Asserts that <paramref name="result"/>'s output holds <paramref name="expected"/> as consecutive lines (trailing spaces aside).</summary>
    public static void AssertPrints(IReadOnlyList<string> expected, CommandResult result)
    {
        string[] lines = ReadmeSteps.Lines(result.Output);
        bool found = Enumerable.Range(0, Math.Max(0, lines.Length - expected.Count + 1))
            .Any(start => expected.Select((line, i) => lines[start + i] == line).All(same => same));
        Assert.True(found, "The README says the app prints:\n" + string.Join("\n", expected) + "\n\nIt printed:\n" + result.Describe());
    }
}
