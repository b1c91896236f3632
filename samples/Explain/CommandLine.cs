namespace Relucent.Explain
{
    /// <summary>
    /// One command's arguments split into positional values and options (<c>--name value</c> or <c>--name=value</c>),
    /// so every command reads its arguments the same way. Parsing stops at <c>--help</c> or at the first malformed option.
    /// </summary>
    internal sealed record CommandLine(IReadOnlyList<string> Positional, IReadOnlyList<(string Name, string Value)> Options, bool Help, string? Error)
    {
        public static CommandLine Parse(string[] args)
        {
            var positional = new List<string>();
            var options = new List<(string, string)>();
            for (int i = 0; i < args.Length; i++)
            {
                string arg = args[i];
                if (arg is "--help" or "-h") return new CommandLine(positional, options, Help: true, Error: null);
                if (!arg.StartsWith("--", StringComparison.Ordinal))
                {
                    positional.Add(arg);
                    continue;
                }
                int equals = arg.IndexOf('=', StringComparison.Ordinal);
                if (equals > 0) options.Add((arg[..equals], arg[(equals + 1)..]));
                else if (i + 1 < args.Length) options.Add((arg, args[++i]));
                else return new CommandLine(positional, options, Help: false, Error: $"the option {arg} needs a value.");
            }
            return new CommandLine(positional, options, Help: false, Error: null);
        }
    }
}
