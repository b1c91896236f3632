using System.Xml.Linq;
using Relucent.Testing;
using Xunit.Abstractions;

namespace Relucent.Package.Tests;

/// <summary>
/// The README's other way in: project references to the clone (its <c>&lt;ItemGroup&gt;</c>, with <c>../Relucent/</c>
/// standing for this clone). With both lines the README's app builds and prints what the README says; without the
/// generator line the build fails with the error the README shows, not with CS0117. Built with --artifacts-path, so the
/// clone's projects build into the scratch folder, never into the repository.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class ProjectReferenceTests(PackedFeed packed, ITestOutputHelper log)
{
    [Fact]
    public void Without_the_generator_line_the_build_says_why_and_with_it_the_app_prints_what_the_readme_says()
    {
        // One app, built first as a reader who left out the generator line would, then with the line added: the second
        // build reuses the clone's projects the first one built.
        string app = WriteApp("ReferencesApp", withGenerator: false);
        CommandResult build = packed.Step(log, $"dotnet build -c Release --artifacts-path {packed.Artifacts}", app);
        Assert.False(build.Succeeded, "The app compiled without the generator.\n" + build.Describe());
        Assert.Contains(packed.Readme.MissingGeneratorError, build.Output);
        Assert.DoesNotContain("error CS0117", build.Output);

        WriteApp("ReferencesApp", withGenerator: true);
        CommandResult run = packed.Step(log, $"dotnet run -c Release --artifacts-path {packed.Artifacts}", app);
        Assert.True(run.Succeeded, run.Describe());
        ReadmeApp.AssertPrints(packed.Readme.Output, run);
    }

    /// <summary>The README's app with the README's project references in place of the package.</summary>
    private string WriteApp(string name, bool withGenerator)
    {
        string folder = Path.Combine(packed.Work, name);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "Program.cs"), packed.Readme.ProgramText);

        string clone = Repository.Root.TrimEnd(Path.DirectorySeparatorChar) + "/";
        string items = packed.Readme.ProjectReferences;
        Assert.Equal(2, items.Split("../Relucent/").Length - 1); // both paths are written relative to the clone beside the app
        XElement group = XElement.Parse(items.Replace("../Relucent/", clone, StringComparison.Ordinal));
        XElement generator = Assert.Single(group.Elements("ProjectReference"), e => ((string?)e.Attribute("Include"))?.EndsWith("Relucent.Generator.csproj", StringComparison.Ordinal) == true);
        Assert.Equal("Analyzer", (string?)generator.Attribute("OutputItemType"));
        Assert.Equal("false", (string?)generator.Attribute("ReferenceOutputAssembly"));
        if (!withGenerator) generator.Remove();

        // The project `dotnet new console` makes, with the README's item group.
        var project = new XElement("Project", new XAttribute("Sdk", "Microsoft.NET.Sdk"),
            new XElement("PropertyGroup",
                new XElement("OutputType", "Exe"),
                new XElement("TargetFramework", "net10.0"),
                new XElement("ImplicitUsings", "enable"),
                new XElement("Nullable", "enable")),
            group);
        project.Save(Path.Combine(folder, name + ".csproj"));
        return folder;
    }
}
