namespace Relucent.Testing;

/// <summary>The clone these tests run from, for tests that read its documents or run its projects as a user would.</summary>
public static class Repository
{
    /// <summary>The folder holding Dsl.sln, found by walking up from the test assembly.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The path of <paramref name="relative"/> (forward slashes) in the clone.</summary>
    public static string File(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>Whether <paramref name="path"/> lies inside <paramref name="folder"/>.</summary>
    public static bool IsUnder(string path, string folder)
    {
        string full = Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        string parent = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        return full.StartsWith(parent, StringComparison.Ordinal);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "Dsl.sln"))) return dir.FullName;
        }

        throw new InvalidOperationException("No Dsl.sln above " + AppContext.BaseDirectory);
    }
}
