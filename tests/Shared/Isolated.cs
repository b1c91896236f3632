using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using Xunit;

namespace Relucent.Testing;

/// <summary>
/// Runs one attack in a child process, so that the failure being tested for (a crash: SIGSEGV, a stack overflow, an
/// abort on a worker thread, a hang, memory exhaustion) fails the test instead of killing the test host. The child is
/// this test assembly itself, started with <c>dotnet exec</c>: its <see cref="Main"/> (the project sets
/// <c>GenerateProgramFile</c> to false) calls the named static method and reports what it returned or threw.
/// </summary>
/// <remarks>
/// The child's managed heap is capped (<c>DOTNET_GCHeapHardLimit</c>, 2 GiB unless told otherwise), so an attack that
/// amplifies memory ends in <see cref="OutOfMemoryException"/> rather than in the machine's swap. Compiled into each
/// test project that runs attacks (a linked file).
/// </remarks>
public static class Isolated
{
    private const string Flag = "--isolated";
    private const string Returned = "@@returned@@";
    private const string Threw = "@@threw@@";

    /// <summary>How one attack ended in its child process.</summary>
    /// <param name="ExitCode">The child's exit code: 0 when it reported an outcome; 134 for an abort (a stack overflow, an unhandled exception on another thread), 139 for SIGSEGV.</param>
    /// <param name="TimedOut">Whether the child was killed at the time limit.</param>
    /// <param name="Result">What the method returned, when it returned.</param>
    /// <param name="ExceptionType">The full name of the exception it threw, when it threw.</param>
    /// <param name="Message">The exception's message, when it threw.</param>
    /// <param name="Error">The child's standard error (the runtime's crash report, when it crashed).</param>
    public sealed record Outcome(int ExitCode, bool TimedOut, string? Result, string? ExceptionType, string? Message, string Error)
    {
        /// <summary>Whether the child ended by itself and reported an outcome (returned or threw).</summary>
        public bool Completed => !TimedOut && ExitCode == 0 && (Result != null || ExceptionType != null);

        /// <summary>One line for assertion messages.</summary>
        public override string ToString() =>
            TimedOut ? "the child process hung (killed at the time limit)"
            : ExitCode != 0 ? $"the child process crashed with exit code {ExitCode}: {Tail(Error)}"
            : ExceptionType != null ? $"threw {ExceptionType}: {Message}"
            : $"returned {Result}";
    }

    /// <summary>
    /// Runs <paramref name="attack"/> (a static method of this assembly, not a lambda) with <paramref name="args"/> in a
    /// child process and returns how it ended; fails the test if the method cannot be named.
    /// </summary>
    public static Outcome Run(Func<string[], string> attack, params string[] args) => Run(attack, TimeSpan.FromSeconds(120), 2L << 30, args);

    /// <summary>As <see cref="Run(Func{string[], string}, string[])"/> with a time limit and a managed-heap limit in bytes.</summary>
    public static Outcome Run(Func<string[], string> attack, TimeSpan limit, long heapBytes, params string[] args)
    {
        MethodInfo method = attack.Method;
        if (!method.IsStatic || method.IsDefined(typeof(CompilerGeneratedAttribute)) || method.DeclaringType?.IsDefined(typeof(CompilerGeneratedAttribute)) == true)
        {
            throw new ArgumentException("An isolated attack is a named static method, so that the child process can find it.", nameof(attack));
        }

        string assembly = method.DeclaringType!.Assembly.Location;
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
        };
        foreach (string a in new[] { "exec", assembly, Flag, method.DeclaringType.FullName!, method.Name }.Concat(args)) start.ArgumentList.Add(a);
        start.Environment["DOTNET_GCHeapHardLimit"] = "0x" + heapBytes.ToString("X");
        start.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        start.Environment["DOTNET_EnableCrashReport"] = "0";

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = new StringBuilder();
        var error = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data != null) lock (output) output.Append(e.Data).Append('\n'); };
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (error) error.Append(e.Data).Append('\n'); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        bool exited = process.WaitForExit(limit);
        if (!exited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return new Outcome(-1, true, null, null, null, error.ToString());
        }

        process.WaitForExit(); // drains the redirected streams
        string text = output.ToString();
        string? result = null, type = null, message = null;
        int r = text.IndexOf(Returned, StringComparison.Ordinal), t = text.IndexOf(Threw, StringComparison.Ordinal);
        if (r >= 0)
        {
            result = text[(r + Returned.Length)..].TrimEnd('\n');
        }
        else if (t >= 0)
        {
            string rest = text[(t + Threw.Length)..];
            int newline = rest.IndexOf('\n');
            type = newline < 0 ? rest : rest[..newline];
            message = newline < 0 ? string.Empty : rest[(newline + 1)..].TrimEnd('\n');
        }

        return new Outcome(process.ExitCode, false, result, type, message, error.ToString());
    }

    /// <summary>
    /// Runs <paramref name="attack"/> in a child process and asserts that it threw an exception of type
    /// <typeparamref name="TException"/> (or a subclass) rather than crashing, hanging or succeeding; returns the message.
    /// </summary>
    public static string Refuses<TException>(Func<string[], string> attack, params string[] args) where TException : Exception
    {
        Outcome outcome = Run(attack, args);
        Assert.True(outcome.Completed, outcome.ToString());
        Assert.True(outcome.ExceptionType != null, $"expected {typeof(TException).Name}, but the attack {outcome}");
        Type? thrown = typeof(TException).Assembly.GetType(outcome.ExceptionType!) ?? Type.GetType(outcome.ExceptionType!) ?? FindType(outcome.ExceptionType!);
        Assert.True(thrown != null && typeof(TException).IsAssignableFrom(thrown), $"expected {typeof(TException).Name}, but the attack {outcome}");
        return outcome.Message!;
    }

    /// <summary>Runs <paramref name="attack"/> in a child process and asserts that it returned; returns what it returned.</summary>
    public static string Completes(Func<string[], string> attack, params string[] args)
    {
        Outcome outcome = Run(attack, args);
        Assert.True(outcome.Completed && outcome.Result != null, $"expected the attack to complete, but it {outcome}");
        return outcome.Result!;
    }

    /// <summary>The child's entry point: <c>--isolated Type Method args…</c>. Exits 0 having printed the outcome.</summary>
    public static int Main(string[] args)
    {
        if (args.Length < 3 || args[0] != Flag)
        {
            Console.Error.WriteLine($"This is a test assembly; it runs one attack as {Flag} <type> <method> [args].");
            return 2;
        }

        Type type = Assembly.GetExecutingAssembly().GetType(args[1], throwOnError: true)!;
        MethodInfo method = type.GetMethod(args[2], BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new MissingMethodException(args[1], args[2]);
        try
        {
            object? value = method.Invoke(null, new object[] { args[3..] });
            Console.Out.Write(Returned + value + "\n");
        }
        catch (TargetInvocationException e) when (e.InnerException != null)
        {
            Console.Out.Write(Threw + e.InnerException.GetType().FullName + "\n" + e.InnerException.Message + "\n");
        }

        Console.Out.Flush();
        return 0;
    }

    private static Type? FindType(string name) =>
        AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(name)).FirstOrDefault(t => t != null);

    private static string Tail(string text) => text.Length <= 2000 ? text : "…" + text[^2000..];
}
