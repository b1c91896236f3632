using System.Text.RegularExpressions;
using Relucent.Testing;

namespace Relucent.Package.Tests;

/// <summary>
/// The steps of the README's section "Use Relucent in your project", read from the README itself, so the package
/// tests do what a reader does and the section cannot drift from what works. Each step is found by what it does
/// (the block that packs, the block that makes the app, ...); a section that no longer has one fails naming it.
/// </summary>
public sealed partial class ReadmeSteps
{
    public const string Heading = "Use Relucent in your project";

    /// <summary>The folder the README packs into, relative to the clone (the pack command's <c>-o</c>).</summary>
    public const string FeedFolder = "../relucent-feed";

    private ReadmeSteps(IReadOnlyList<CodeBlock> blocks, string text)
    {
        CodeBlock Find(string what, Func<CodeBlock, bool> match, int after = 0)
        {
            CodeBlock? block = blocks.FirstOrDefault(b => b.Line > after && match(b));
            return block ?? throw new InvalidOperationException($"The README's section '{Heading}' has no {what}.");
        }

        CodeBlock pack = Find("```sh block with `dotnet pack`", b => b.Language == "sh" && b.Text.Contains("dotnet pack", StringComparison.Ordinal));
        Pack = pack.Text.Trim();
        if (Pack.Contains('\n') || !Pack.StartsWith("dotnet pack src/Runtime ", StringComparison.Ordinal) || !Pack.Contains(" -o " + FeedFolder, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The README's pack step is expected to be one command `dotnet pack src/Runtime ... -o {FeedFolder}`, run in the clone; it is:\n{Pack}");
        }

        MakeApp = Find("```sh block with `dotnet new console`", b => b.Language == "sh" && b.Text.Contains("dotnet new console", StringComparison.Ordinal)).Text;
        NuGetConfig = Find("```xml block with the nuget.config", b => b.Language == "xml" && b.Text.Contains("<packageSources>", StringComparison.Ordinal)).Text;
        if (!text.Contains("`MyApp/nuget.config`", StringComparison.Ordinal)) throw new InvalidOperationException("The README no longer says where the nuget.config goes (`MyApp/nuget.config`).");
        AddPackage = Find("```sh block with `dotnet add package`", b => b.Language == "sh" && b.Text.Contains("dotnet add package Relucent", StringComparison.Ordinal)).Text;

        CodeBlock program = Find("```csharp block starting with `// MyApp/Program.cs`", b => b.Language == "csharp" && b.Text.StartsWith("// MyApp/", StringComparison.Ordinal));
        ProgramPath = program.Text[3..program.Text.IndexOf('\n')].Trim();
        ProgramText = program.Text;

        CodeBlock run = Find("```sh block with `dotnet run`", b => b.Language == "sh" && b.Text.Trim() == "dotnet run");
        Run = run.Text;
        Output = Lines(Find("plain block after `dotnet run` with what it prints", b => b.Language == "", after: run.Line).Text);

        ProjectReferences = Find("```xml block with the ProjectReference lines", b => b.Language == "xml" && b.Text.Contains("<ProjectReference", StringComparison.Ordinal)).Text;
        string error = Find("plain block with the error a build without the generator gives", b => b.Language == "" && b.Text.StartsWith("error CS0619", StringComparison.Ordinal)).Text.Trim();
        int cut = error.IndexOf(" ...", StringComparison.Ordinal);
        MissingGeneratorError = cut < 0 ? error : error[..cut];

        Match generated = GeneratedFile().Match(text);
        if (!generated.Success) throw new InvalidOperationException("The README no longer names the generated file (`obj/Debug/...g.cs`).");
        GeneratedFilePath = generated.Groups["path"].Value;
    }

    /// <summary>The pack command, run in the clone: <c>dotnet pack src/Runtime -c Release -o ../relucent-feed</c>.</summary>
    public string Pack { get; }

    /// <summary>The commands that make the app, run beside the clone.</summary>
    public string MakeApp { get; }

    /// <summary>The app's nuget.config.</summary>
    public string NuGetConfig { get; }

    /// <summary>The commands that add the package (they start in the folder beside the clone: <c>cd MyApp</c>).</summary>
    public string AddPackage { get; }

    /// <summary>Where the program goes, relative to the folder beside the clone (<c>MyApp/Program.cs</c>).</summary>
    public string ProgramPath { get; }

    /// <summary>The program, as the README shows it.</summary>
    public string ProgramText { get; }

    /// <summary>The command that runs the app (in its folder).</summary>
    public string Run { get; }

    /// <summary>The lines the README says the app prints.</summary>
    public IReadOnlyList<string> Output { get; }

    /// <summary>The project-reference alternative: an <c>&lt;ItemGroup&gt;</c> whose paths start with <c>../Relucent/</c>.</summary>
    public string ProjectReferences { get; }

    /// <summary>The start of the error a build without the generator gives, up to the README's " ...".</summary>
    public string MissingGeneratorError { get; }

    /// <summary>The generated file of the README's network after <c>dotnet build</c>, relative to the app's folder.</summary>
    public string GeneratedFilePath { get; }

    /// <summary>Reads the steps from the README of the clone.</summary>
    public static ReadmeSteps Read()
    {
        string readme = File.ReadAllText(Repository.File("README.md"));
        IReadOnlyList<CodeBlock> blocks = Markdown.CodeBlocks(readme).Where(b => b.Section == Heading).ToList();
        return new ReadmeSteps(blocks, Markdown.Section(readme, Heading));
    }

    /// <summary>The lines of <paramref name="text"/> without trailing spaces, empty ones dropped.</summary>
    public static string[] Lines(string text) =>
        text.ReplaceLineEndings("\n").Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToArray();

    [GeneratedRegex(@"`(?<path>obj/Debug/[^`]*\.g\.cs)`")]
    private static partial Regex GeneratedFile();
}
