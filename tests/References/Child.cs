using System.Diagnostics;

namespace Relucent.References;

/// <summary>
/// Runs this tool again in a child process, so a crash in libtorch (SIGFPE was seen in ResNet-50's backward through
/// TorchSharp 0.107) costs only that child's rows: its output is passed through, and a failure is printed as one
/// parseable line naming the signal.
/// </summary>
public static class Child
{
    public static (bool Ok, List<string> Lines) Run(string[] arguments, string failurePrefix)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(typeof(Child).Assembly.Location);
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var lines = new List<string>();
        var errors = new List<string>();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (lines) lines.Add(e.Data); Console.WriteLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null && !e.Data.Contains("NNPACK")) lock (errors) errors.Add(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.WaitForExit();
        if (process.ExitCode == 0) return (true, lines);
        // .NET reports a child killed by signal s as exit code 128 + s.
        int code = process.ExitCode;
        string why = code > 128 && code < 160 ? $"signal={code - 128} ({SignalName(code - 128)})" : $"exit={code}";
        string last = errors.LastOrDefault(l => l.Trim().Length > 0) ?? "";
        Console.WriteLine($"{failurePrefix} failed {why}{(last.Length > 0 ? " stderr=\"" + last.Trim().Replace("\"", "'") + "\"" : "")}");
        return (false, lines);
    }

    private static string SignalName(int s) => s switch {
        4 => "SIGILL", 6 => "SIGABRT", 7 => "SIGBUS", 8 => "SIGFPE", 9 => "SIGKILL", 11 => "SIGSEGV", 15 => "SIGTERM", _ => "signal " + s,
    };
}
