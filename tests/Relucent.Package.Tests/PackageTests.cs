using System.IO.Compression;
using System.Xml.Linq;
using Xunit.Abstractions;

namespace Relucent.Package.Tests;

/// <summary>
/// The one NuGet package <c>Relucent</c>: packed from the source tree, inspected, then used by an application that
/// has nothing but the package (STYLE/DESIGN practice 12: restore the packed .nupkg from a local folder and build a
/// consumer against it).
/// </summary>
public sealed class PackageTests : IDisposable
{
    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan RestoreTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    private readonly ITestOutputHelper _log;
    private readonly string _work;

    public PackageTests(ITestOutputHelper log)
    {
        _log = log;
        _work = Path.Combine(Path.GetTempPath(), "relucent-package-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_work);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.WriteLine($"Could not delete {_work}: {e.Message}");
        }
    }

    [Fact]
    public void The_packed_package_carries_runtime_dsl_and_generator_and_a_consumer_outside_the_repository_builds_and_runs_against_it()
    {
        string repo = RepositoryRoot();
        Assert.False(IsUnder(_work, repo), $"The scratch folder {_work} must be outside the repository {repo}.");

        // (a) Pack. --artifacts-path puts every obj/ and bin/ of this pack (restore outputs included) under the
        // scratch folder: nothing is written into the repository, so a solution build or test run going on at
        // the same time (dotnet test Dsl.sln) never shares a file with it.
        string feed = Path.Combine(_work, "feed");
        CommandResult pack = Step(DotNetCli.Run(repo, PackTimeout,
            "pack", Path.Combine(repo, "src", "Runtime", "Relucent.Runtime.csproj"),
            "-c", "Release",
            "-o", feed,
            "--artifacts-path", Path.Combine(_work, "artifacts"),
            "-nodeReuse:false", "-p:UseSharedCompilation=false"));
        Assert.True(pack.Succeeded, pack.Describe());

        string[] packages = Directory.GetFiles(feed, "Relucent.*.nupkg");
        Assert.True(packages.Length == 1, "Expected one Relucent .nupkg in the feed, found: " + string.Join(", ", Directory.GetFiles(feed).Select(Path.GetFileName)));
        string nupkg = packages[0];
        string version = InspectPackage(nupkg, repo);
        Assert.True(File.Exists(Path.ChangeExtension(nupkg, ".snupkg")), "No .snupkg beside " + Path.GetFileName(nupkg) + ".");
        InspectSymbols(Path.ChangeExtension(nupkg, ".snupkg"));

        // (c) A consumer that has only the package.
        string consumer = Path.Combine(_work, "consumer");
        string packagesFolder = Path.Combine(_work, "packages");
        ConsumerProject.Write(consumer, feed, packagesFolder, version);

        CommandResult restore = Step(DotNetCli.Run(consumer, RestoreTimeout, "restore", "-nodeReuse:false"));
        Assert.True(restore.Succeeded, restore.Describe());
        AssertRestoredFromFeed(packagesFolder, nupkg, version);

        CommandResult build = Step(DotNetCli.Run(consumer, BuildTimeout,
            "build", "--no-restore", "-c", "Release", "-nodeReuse:false", "-p:UseSharedCompilation=false"));
        Assert.True(build.Succeeded, build.Describe());

        CommandResult run = Step(DotNetCli.Run(consumer, RunTimeout, "run", "--no-build", "-c", "Release"));
        Assert.True(run.Succeeded, run.Describe());
        string[] lines = run.Output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        void Expect(string line) => Assert.True(lines.Contains(line), $"Expected the line \"{line}\" in the consumer's output.\n{run.Describe()}");
        Expect("Forward [1,0,0,5]");
        Expect("Saliency [-2,0,0,8]");
        Expect("DeconvNet [0,0,4,8]");
        Expect("GuidedBackprop [0,0,0,8]");
        Expect("Dense.Forward [16]");
        Expect("Dense.Saliency [0,3,3]");
        Expect("Dense.DeconvNet [2,1,3]");
        Expect("Dsl assembly: Relucent.Dsl");
        Expect("Runtime assembly: Relucent.Runtime");

        // The generator's compile-time diagnostics reach a package consumer.
        ConsumerProject.WriteInvalidNetwork(consumer);
        CommandResult invalid = Step(DotNetCli.Run(consumer, BuildTimeout,
            "build", "--no-restore", "-c", "Release", "-nodeReuse:false", "-p:UseSharedCompilation=false"));
        Assert.False(invalid.Succeeded, "Dense(0) compiled; expected error RLC008.\n" + invalid.Describe());
        Assert.True(invalid.Output.Contains("error RLC008", StringComparison.Ordinal), "Expected error RLC008 in the build output.\n" + invalid.Describe());
        Assert.Contains("InvalidNetwork.cs", invalid.Output);
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
        Assert.Equal($"Relucent.{version}.nupkg", Path.GetFileName(nupkg));
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

    /// <summary>The consumer got this run's package from this run's feed, not a cached or remote one.</summary>
    private static void AssertRestoredFromFeed(string packagesFolder, string nupkg, string version)
    {
        string restored = Path.Combine(packagesFolder, "relucent", version.ToLowerInvariant());
        string copy = Path.Combine(restored, $"relucent.{version.ToLowerInvariant()}.nupkg");
        Assert.True(File.Exists(copy), $"Relucent {version} was not restored into {packagesFolder}.");
        Assert.True(File.ReadAllBytes(nupkg).AsSpan().SequenceEqual(File.ReadAllBytes(copy)),
            "The restored Relucent package is not the one this test packed.");
    }

    private CommandResult Step(CommandResult result)
    {
        _log.WriteLine($"{result.CommandLine}: exit {result.ExitCode}, {result.Elapsed.TotalSeconds:F1} s");
        return result;
    }

    private static byte[] ReadAll(ZipArchiveEntry entry)
    {
        using Stream stream = entry.Open();
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    /// <summary>The folder holding Dsl.sln, found by walking up from the test assembly.</summary>
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Dsl.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("No Dsl.sln above " + AppContext.BaseDirectory);
    }

    private static bool IsUnder(string path, string root)
    {
        string full = Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        string parent = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        return full.StartsWith(parent, StringComparison.Ordinal);
    }
}
