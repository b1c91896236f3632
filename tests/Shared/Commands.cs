using System.Diagnostics;
using System.Text;

namespace Relucent.Testing;

/// <summary>What one command did: its exit code, its interleaved output and how long it took.</summary>
public sealed record CommandResult(string CommandLine, int ExitCode, string Output, TimeSpan Elapsed)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>The lines of the output, trimmed, without empty ones.</summary>
    public string[] Lines => Output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The command, its exit code and its output (the last 20,000 characters), for a failure message.</summary>
    public string Describe()
    {
        const int Keep = 20_000;
        string output = Output.Length <= Keep ? Output : "[...]\n" + Output[^Keep..];
        return $"`{CommandLine}` exited with {ExitCode} after {Elapsed.TotalSeconds:F0} s:\n{output}";
    }
}

/// <summary>
/// Runs the <c>dotnet</c> CLI, a shell script or another program as a user would, from a clean environment: no MSBuild
/// or VSTest variables inherited from the test host, no node reuse and no compiler server, so nothing outlives the
/// command or holds its output open. A command that runs past its timeout is killed with its whole process tree.
/// Compiled into each test project that runs commands (a linked file).
/// </summary>
public static class Commands
{
    /// <summary>Runs <c>dotnet</c> with <paramref name="arguments"/> in <paramref name="workingDirectory"/>.</summary>
    public static CommandResult DotNet(string workingDirectory, TimeSpan timeout, params string[] arguments) =>
        Run(DotNetPath(), arguments, workingDirectory, timeout);

    /// <summary>
    /// Runs <paramref name="script"/> with <c>bash -eu -o pipefail</c> in <paramref name="workingDirectory"/>, the
    /// <c>dotnet</c> running these tests first on its PATH; <paramref name="environment"/> adds or replaces variables.
    /// </summary>
    public static CommandResult Shell(string script, string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var variables = new Dictionary<string, string>(environment ?? new Dictionary<string, string>());
        string dotnet = DotNetPath();
        string path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
        if (Path.IsPathRooted(dotnet)) path = Path.GetDirectoryName(dotnet) + Path.PathSeparator + path;
        variables.TryAdd("PATH", path);
        return Run("bash", ["-eu", "-o", "pipefail", "-c", script], workingDirectory, timeout, variables, display: script);
    }

    /// <summary>Runs <paramref name="fileName"/> with <paramref name="arguments"/>; <paramref name="environment"/> adds or replaces variables.</summary>
    public static CommandResult Run(
        string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null, string? display = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The test host runs under MSBuild/VSTest variables (MSBuildExtensionsPath, MSBuildSDKsPath, VSTEST_*...)
        // that must not leak into an independent build.
        foreach (string key in start.Environment.Keys.ToList())
        {
            if (key.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
                || key.Equals("DOTNET_HOST_PATH", StringComparison.OrdinalIgnoreCase))
            {
                start.Environment.Remove(key);
            }
        }
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["UseSharedCompilation"] = "false";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        foreach ((string key, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        string commandLine = display ?? Path.GetFileName(fileName) + " " + string.Join(" ", start.ArgumentList);
        var output = new StringBuilder();
        var stdoutClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stderrClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stopwatch = Stopwatch.StartNew();

        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(e.Data, stdoutClosed);
        process.ErrorDataReceived += (_, e) => Append(e.Data, stderrClosed);
        process.Start();
        process.StandardInput.Close(); // no command may wait for an answer
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        if (!process.WaitForExit(timeout))
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It ended between the timeout and the kill.
            }
            process.WaitForExit(TimeSpan.FromSeconds(30));
            lock (output)
            {
                return new CommandResult(commandLine, -1, output + $"\n[killed: still running after {timeout.TotalSeconds:F0} s]", stopwatch.Elapsed);
            }
        }

        // The process has exited; give the readers a bounded time to drain what it wrote.
        Task.WaitAll(new Task[] { stdoutClosed.Task, stderrClosed.Task }, TimeSpan.FromSeconds(30));
        lock (output)
        {
            return new CommandResult(commandLine, process.ExitCode, output.ToString(), stopwatch.Elapsed);
        }

        void Append(string? line, TaskCompletionSource closed)
        {
            if (line is null)
            {
                closed.TrySetResult();
                return;
            }
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    /// <summary>The <c>dotnet</c> host running these tests (so the same SDK install), else the one on PATH.</summary>
    public static string DotNetPath()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }
        string? processPath = Environment.ProcessPath;
        if (processPath is not null && Path.GetFileNameWithoutExtension(processPath).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return processPath;
        }
        return "dotnet";
    }
}
