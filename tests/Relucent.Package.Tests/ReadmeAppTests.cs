using System.Xml.Linq;
using Relucent.Testing;
using Xunit.Abstractions;

namespace Relucent.Package.Tests;

/// <summary>
/// The README's way in, with the package: the app it builds prints what it says, from this run's package; the generated
/// file is where it says; and the first mistakes a new user makes (a wrong declaration, the generator missing) fail
/// the build with an error that says what is wrong.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class ReadmeAppTests(PackedFeed packed, ITestOutputHelper log)
{
    [Fact]
    public void The_readme_app_prints_what_the_readme_says_from_this_runs_package()
    {
        ReadmeApp app = packed.App(log);
        ReadmeApp.AssertPrints(packed.Readme.Output, app.RunResult);

        // The package restored is the one packed here, from the README's feed, not a cached or remote one.
        string version = Path.GetFileNameWithoutExtension(packed.Nupkg)["Relucent.".Length..];
        string restored = Path.Combine(packed.Environment["NUGET_PACKAGES"], "relucent", version.ToLowerInvariant(), $"relucent.{version.ToLowerInvariant()}.nupkg");
        Assert.True(File.Exists(restored), $"Relucent {version} was not restored into the fresh packages folder.");
        Assert.True(File.ReadAllBytes(packed.Nupkg).AsSpan().SequenceEqual(File.ReadAllBytes(restored)), "The restored Relucent package is not the one this test packed.");
    }

    [Fact]
    public void The_generated_file_is_where_the_readme_says()
    {
        string copy = packed.App(log).Copy("GeneratedFileApp");
        // "add <EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles> to the <PropertyGroup> of MyApp.csproj"
        string project = Path.Combine(copy, "GeneratedFileApp.csproj");
        XDocument csproj = XDocument.Load(project);
        csproj.Root!.Element("PropertyGroup")!.Add(new XElement("EmitCompilerGeneratedFiles", "true"));
        csproj.Save(project);

        CommandResult build = packed.Step(log, "dotnet build", copy);
        Assert.True(build.Succeeded, build.Describe());
        string generated = Path.Combine(copy, packed.Readme.GeneratedFilePath);
        string found = string.Join("\n  ", Directory.GetFiles(Path.Combine(copy, "obj"), "*.g.cs", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(copy, f)));
        Assert.True(File.Exists(generated), $"The README says the generated file is {packed.Readme.GeneratedFilePath}; the build wrote:\n  {found}");
        Assert.Contains("partial class Tiny", File.ReadAllText(generated));
    }

    [Fact]
    public void A_wrong_declaration_fails_the_build_at_its_argument()
    {
        string copy = packed.App(log).Copy("MistakeApp");
        File.WriteAllText(Path.Combine(copy, "InvalidNetwork.cs"), """
            using Relucent;

            [Saliency]
            public partial class InvalidNet
            {
                static readonly Network Spec = Net.Input(4).Dense(0);
            }

            """);
        CommandResult build = packed.Step(log, "dotnet build", copy);
        Assert.False(build.Succeeded, "Dense(0) compiled; expected error RLC008.\n" + build.Describe());
        Assert.Contains("InvalidNetwork.cs(6,55): error RLC008", build.Output);
    }

    [Fact]
    public void When_the_packages_generator_does_not_run_the_first_generated_member_called_says_why()
    {
        // A compiler older than the Roslyn the generator was built against skips it (warning CS9057), and nothing is
        // generated. Removing the generator from the compiler's analyzers stands for that here: neither
        // ExcludeAssets="analyzers" nor RunAnalyzers=false keeps a package's source generator out of the build.
        string copy = packed.App(log).Copy("NoGeneratorApp");
        string project = Path.Combine(copy, "NoGeneratorApp.csproj");
        XDocument csproj = XDocument.Load(project);
        csproj.Root!.Add(new XElement("Target", new XAttribute("Name", "DropRelucentGenerator"), new XAttribute("BeforeTargets", "CoreCompile"),
            new XElement("ItemGroup",
                new XElement("Analyzer", new XAttribute("Remove", "@(Analyzer)"), new XAttribute("Condition", "'%(Filename)' == 'Relucent.Generator'")))));
        csproj.Save(project);

        CommandResult build = packed.Step(log, "dotnet build", copy);
        Assert.False(build.Succeeded, "The app compiled without the generator.\n" + build.Describe());
        Assert.Contains(packed.Readme.MissingGeneratorError, build.Output);
        Assert.DoesNotContain("error CS0117", build.Output);
    }
}
