using Relucent.Testing;
using Xunit.Abstractions;

namespace Relucent.Package.Tests;

/// <summary>
/// The package packed once, by the README's own pack command, into a scratch folder outside the repository laid out
/// as the README lays it out: the feed and the apps side by side. Shared by the tests of the
/// <see cref="PackageCollection"/>, which run one after another (each is a few builds on a 2-core machine).
/// </summary>
public sealed class PackedFeed : IDisposable
{
    public static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(5);

    private readonly object _appLock = new();
    private ReadmeApp? _app;

    public PackedFeed()
    {
        Readme = ReadmeSteps.Read();
        Work = Path.Combine(Path.GetTempPath(), "relucent-package-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Work);
        if (Repository.IsUnder(Work, Repository.Root)) throw new InvalidOperationException($"The scratch folder {Work} must be outside the repository.");
        Feed = Path.Combine(Work, "relucent-feed");

        // The README's command, in the clone, with its feed folder (beside the clone) moved to the scratch folder.
        // --artifacts-path puts every obj/ and bin/ of this pack under the scratch folder too: nothing is written into
        // the repository, so a solution build or test run going on at the same time never shares a file with it.
        string command = Readme.Pack.Replace(" -o " + ReadmeSteps.FeedFolder, " -o " + Feed, StringComparison.Ordinal)
            + $" --artifacts-path {Artifacts} -nodeReuse:false -p:UseSharedCompilation=false";
        PackResult = Commands.Shell(command, Repository.Root, PackTimeout, Environment);
        if (!PackResult.Succeeded) throw new InvalidOperationException("The README's pack command failed.\n" + PackResult.Describe());

        string[] packages = Directory.GetFiles(Feed, "Relucent.*.nupkg");
        if (packages.Length != 1) throw new InvalidOperationException("Expected one Relucent .nupkg in the feed, found: " + string.Join(", ", Directory.GetFiles(Feed).Select(Path.GetFileName)));
        Nupkg = packages[0];
    }

    public ReadmeSteps Readme { get; }

    /// <summary>The scratch folder: stands for the folder holding the clone, the feed and the apps.</summary>
    public string Work { get; }

    /// <summary>The packed feed (the README's <c>../relucent-feed</c>).</summary>
    public string Feed { get; }

    /// <summary>The one package in it.</summary>
    public string Nupkg { get; }

    /// <summary>The pack command's result.</summary>
    public CommandResult PackResult { get; }

    /// <summary>Where builds of the repository's projects write (never into the repository).</summary>
    public string Artifacts => Path.Combine(Work, "artifacts");

    /// <summary>
    /// The variables of every command: a fresh global packages folder, so a Relucent of the same version cached by an
    /// earlier run is never used (the other packages come from NuGet's HTTP cache, as for any restore).
    /// </summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(Work, "packages") };

    /// <summary>The README's app, made on first use by following the README (<see cref="ReadmeApp.Make"/>).</summary>
    public ReadmeApp App(ITestOutputHelper log)
    {
        lock (_appLock)
        {
            return _app ??= ReadmeApp.Make(this, log);
        }
    }

    /// <summary>Runs a README step (a shell script) in <paramref name="folder"/>, logging how long it took.</summary>
    public CommandResult Step(ITestOutputHelper log, string script, string folder, TimeSpan? timeout = null)
    {
        CommandResult result = Commands.Shell(script, folder, timeout ?? BuildTimeout, Environment);
        log.WriteLine($"[{Path.GetRelativePath(Work, folder)}] {script.Trim().ReplaceLineEndings("; ")}: exit {result.ExitCode}, {result.Elapsed.TotalSeconds:F1} s");
        return result;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Work, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A build server or a slow virus scanner still holds a file: the folder is in the temporary directory.
        }
    }
}

/// <summary>The package tests: one pack, tests run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class PackageCollection : ICollectionFixture<PackedFeed>
{
    public const string Name = "the packed Relucent package";
}
