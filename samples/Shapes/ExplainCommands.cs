using System.Reflection;
using System.Text.RegularExpressions;

namespace Relucent.Samples.Shapes
{
    /// <summary>
    /// The samples/Explain commands that take what this run wrote, spelled so they run as printed in the folder the
    /// sample was started from: paths inside it relative to it, others absolute, quoted for a POSIX shell when needed.
    /// </summary>
    internal static partial class ExplainCommands
    {
        /// <summary><c>explain explain</c> of one input PNG, writing the map <paramref name="map"/>.</summary>
        public static string Explain(string input, string weights, string map) =>
            $"{Prefix()} explain {Shell(input)} --weights {Shell(weights)} --output {Shell(map)}";

        /// <summary><c>explain report</c> of every PNG in <paramref name="inputs"/> (a shell glob), writing <paramref name="html"/>.</summary>
        public static string Report(string inputs, string weights, string html) =>
            $"{Prefix()} report {Shell(inputs)}/*.png --weights {Shell(weights)} --output {Shell(html)}";

        private static string Prefix() => $"dotnet run --project {Shell(ExplainProject())} -c Release --";

        // samples/Explain of the clone this sample was built from (recorded at build time, Shapes.csproj).
        private static string ExplainProject() =>
            typeof(ExplainCommands).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "ExplainProject")?.Value
            ?? Path.Combine("samples", "Explain");

        // The path as typed in the current folder: relative when inside it, absolute otherwise; quoted when the shell would split or expand it.
        private static string Shell(string path)
        {
            string full = Path.GetFullPath(path);
            string here = Path.GetFullPath(Environment.CurrentDirectory).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
            string shown = full.StartsWith(here, StringComparison.Ordinal) ? Path.GetRelativePath(here, full) : full;
            return Plain().IsMatch(shown) ? shown : "'" + shown.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
        }

        [GeneratedRegex(@"^[A-Za-z0-9_./+,:@%=-]+$")]
        private static partial Regex Plain();
    }
}
