using System.IO.Compression;
using System.Xml.Linq;
using Relucent.Testing;
using Xunit.Abstractions;

namespace Relucent.Package.Tests;

/// <summary>
/// The one NuGet package <c>Relucent</c>, packed from the source tree by the README's command: its files, its nuspec and
/// its symbols. <see cref="ReadmeAppTests"/> and <see cref="ProjectReferenceTests"/> then use it as the README says.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class PackageTests(PackedFeed packed, ITestOutputHelper log)
{
    private readonly ITestOutputHelper _log = log;

    [Fact]
    public void The_package_carries_runtime_dsl_and_generator_and_the_symbols_of_both_assemblies()
    {
        _log.WriteLine($"{packed.PackResult.CommandLine}: {packed.PackResult.Elapsed.TotalSeconds:F1} s");
        string version = InspectPackage(packed.Nupkg, Repository.Root);
        Assert.Equal($"Relucent.{version}.nupkg", Path.GetFileName(packed.Nupkg));
        string snupkg = Path.ChangeExtension(packed.Nupkg, ".snupkg");
        Assert.True(File.Exists(snupkg), "No .snupkg beside " + Path.GetFileName(packed.Nupkg) + ".");
        InspectSymbols(snupkg);
    }

    /// <summary>(b) The package's files and nuspec. Returns the package version.</summary>
    private string InspectPackage(string nupkg, string repo)
    {
        using ZipArchive zip = ZipFile.OpenRead(nupkg);
        string[] entries = zip.Entries.Select(e => e.FullName).ToArray();
        _log.WriteLine(Path.GetFileName(nupkg) + ":\n  " + string.Join("\n  ", entries));
        string listing = "Package files:\n  " + string.Join("\n  ", entries);

        foreach (string expected in new[]
        {
            "lib/net10.0/Relucent.Runtime.dll",
            "lib/net10.0/Relucent.Runtime.xml",
            "lib/net10.0/Relucent.Dsl.dll",
            "lib/net10.0/Relucent.Dsl.xml",
            "analyzers/dotnet/cs/Relucent.Generator.dll",
            "analyzers/dotnet/cs/Relucent.CodeFixes.dll",
            "README.md",
        })
        {
            Assert.True(entries.Contains(expected), $"{expected} is missing from the package.\n{listing}");
        }

        // The generator runs inside the user's compiler: Roslyn must never be packed beside it.
        string[] roslyn = entries.Where(e => Path.GetFileName(e).StartsWith("Microsoft.CodeAnalysis", StringComparison.OrdinalIgnoreCase)).ToArray();
        Assert.True(roslyn.Length == 0, "Roslyn assemblies in the package: " + string.Join(", ", roslyn));
        // Only Relucent's own assemblies under analyzers/, all for C#.
        string[] foreign = entries
            .Where(e => e.StartsWith("analyzers/", StringComparison.Ordinal))
            .Where(e => !e.StartsWith("analyzers/dotnet/cs/Relucent.", StringComparison.Ordinal) || !e.EndsWith(".dll", StringComparison.Ordinal))
            .ToArray();
        Assert.True(foreign.Length == 0, "Unexpected files under analyzers/: " + string.Join(", ", foreign));

        // The package readme is the repository's README, as it is now.
        string rootReadme = Path.Combine(repo, "README.md");
        Assert.True(File.Exists(rootReadme), "The repository has no README.md at its root; the package readme is packed from it.");
        Assert.Equal(File.ReadAllBytes(rootReadme), ReadAll(zip.GetEntry("README.md")!));

        ZipArchiveEntry nuspecEntry = Assert.Single(zip.Entries, e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal) && !e.FullName.Contains('/'));
        XDocument nuspec;
        using (Stream stream = nuspecEntry.Open())
        {
            nuspec = XDocument.Load(stream);
        }
        _log.WriteLine(nuspec.ToString());
        string? Meta(string name) => nuspec.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value;

        Assert.Equal("Relucent", Meta("id"));
        Assert.Equal("README.md", Meta("readme"));
        Assert.Equal("MIT", Meta("license"));
        string[] dependencies = nuspec.Descendants()
            .Where(e => e.Name.LocalName == "dependency")
            .Select(e => (string?)e.Attribute("id") ?? "")
            .ToArray();
        foreach (string expected in new[] { "MathNet.Numerics", "System.Numerics.Tensors", "OnnxSharp", "SixLabors.ImageSharp" })
        {
            Assert.Contains(expected, dependencies);
        }
        Assert.DoesNotContain(dependencies, d => d.StartsWith("Relucent", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(dependencies, d => d.StartsWith("Microsoft.CodeAnalysis", StringComparison.OrdinalIgnoreCase));

        string? version = Meta("version");
        Assert.False(string.IsNullOrEmpty(version));
        return version!;
    }

    /// <summary>The symbol package holds the portable PDBs of both lib assemblies.</summary>
    private void InspectSymbols(string snupkg)
    {
        using ZipArchive zip = ZipFile.OpenRead(snupkg);
        string[] entries = zip.Entries.Select(e => e.FullName).ToArray();
        _log.WriteLine(Path.GetFileName(snupkg) + ":\n  " + string.Join("\n  ", entries));
        Assert.Contains("lib/net10.0/Relucent.Runtime.pdb", entries);
        Assert.Contains("lib/net10.0/Relucent.Dsl.pdb", entries);
    }

    private static byte[] ReadAll(ZipArchiveEntry entry)
    {
        using Stream stream = entry.Open();
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }
}
