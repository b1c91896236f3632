namespace Relucent
{
    /// <summary>What is wrong with one parameter when binding a file's tensors to a network.</summary>
    public enum ParameterBindingProblemKind
    {
        /// <summary>The network expects a tensor the file does not have.</summary>
        Missing,

        /// <summary>The file has a tensor the network does not expect.</summary>
        Unexpected,

        /// <summary>The tensor's shape differs from the parameter's.</summary>
        ShapeMismatch,

        /// <summary>The tensor holds integers where the network expects floating-point values.</summary>
        DTypeMismatch,

        /// <summary>Two file tensors map to the same network name through <see cref="ParameterBindingOptions.NameMap"/>.</summary>
        DuplicateName,

        /// <summary>
        /// The tensor holds a NaN or an infinity (e.g. <c>7.weight: holds NaN at [3, 12]</c>, the position as a C-order
        /// index), or a float64 value too large for the float32 network it is loaded into. Such a weight would turn
        /// every map it touches into NaN, or into a plausible-looking wrong map.
        /// </summary>
        NonFinite,

        /// <summary>
        /// The tensor holds a value its parameter cannot take: a negative running variance
        /// (<c>1.running_var: holds -0.5 at [2]</c>), which would make its BatchNorm's output NaN everywhere.
        /// </summary>
        OutOfRange,
    }

    /// <summary>One problem found while binding, with the (network) name it concerns and a one-line message.</summary>
    /// <param name="Kind">What kind of problem.</param>
    /// <param name="Name">The parameter or tensor name it concerns.</param>
    /// <param name="Message">The text, e.g. <c>fc1.weight: expected [120, 400], file has [120, 256]</c>.</param>
    public sealed record ParameterBindingProblem(ParameterBindingProblemKind Kind, string Name, string Message)
    {
        /// <summary>The <see cref="Message"/>.</summary>
        public override string ToString() => Message;
    }

    /// <summary>
    /// The tensors of a file do not match the parameters a network expects. <see cref="Problems"/> lists every
    /// problem found (all parameters are checked before this is thrown); the message lists them one per line, and, when
    /// some are unexpected tensors, says that PyTorch's <c>num_batches_tracked</c> counters are never among them.
    /// </summary>
    public class ParameterBindingException : Exception
    {
        /// <summary>An error listing <paramref name="problems"/>.</summary>
        public ParameterBindingException(IReadOnlyList<ParameterBindingProblem> problems)
            : this(problems, hint: null)
        {
        }

        /// <summary>An error listing <paramref name="problems"/>, with a <paramref name="hint"/> at their head (when not null) saying what would fix most of them.</summary>
        public ParameterBindingException(IReadOnlyList<ParameterBindingProblem> problems, string? hint)
            : base(Describe(problems, hint))
        {
            Problems = problems.ToArray();
            Hint = hint;
        }

        /// <summary>Every problem, in the order of the expected parameters, then unexpected tensors.</summary>
        public IReadOnlyList<ParameterBindingProblem> Problems { get; }

        /// <summary>
        /// What would fix most of the <see cref="Problems"/> at once, when the binder sees it: for a state_dict whose
        /// names all carry a prefix, the <see cref="ParameterBindingOptions.StripPrefix"/> that removes it. Null otherwise.
        /// </summary>
        public string? Hint { get; }

        /// <summary>The problems' messages.</summary>
        public IReadOnlyList<string> Messages => Problems.Select(p => p.Message).ToArray();

        private static string Describe(IReadOnlyList<ParameterBindingProblem> problems, string? hint)
        {
            ArgumentNullException.ThrowIfNull(problems);
            string count = problems.Count == 1 ? "1 problem" : $"{problems.Count} problems";
            const int Shown = 20; // a file of a million stray tensors still gives a message one can read
            string more = problems.Count > Shown ? $"{Environment.NewLine}  … and {problems.Count - Shown} more (see Problems)" : string.Empty;
            string head = hint is null ? string.Empty : Environment.NewLine + "Hint: " + hint;
            // What binding already leaves out, said where the tensors it reports are listed.
            string extras = problems.Any(p => p.Kind == ParameterBindingProblemKind.Unexpected)
                ? Environment.NewLine + "(PyTorch's BatchNorm counters, *.num_batches_tracked, are always ignored; "
                    + "ParameterBindingOptions.IgnoreUnexpected ignores every other tensor the network does not have.)"
                : string.Empty;
            return $"The weights do not fit the network ({count}):" + head + string.Concat(problems.Take(Shown).Select(p => Environment.NewLine + "  " + p.Message)) + more + extras;
        }
    }

    /// <summary>How <see cref="ParameterBinder"/> matches file tensors to network parameters.</summary>
    public sealed class ParameterBindingOptions
    {
        /// <summary>
        /// Ignore tensors the network does not expect instead of reporting them. PyTorch's BatchNorm step counters
        /// (<c>*.num_batches_tracked</c>, I64 scalars that <c>state_dict()</c> holds beside <c>running_mean</c> and
        /// <c>running_var</c>) are always ignored, so a torchvision state_dict binds without this option.
        /// </summary>
        public bool IgnoreUnexpected { get; init; }

        /// <summary>
        /// Renames file tensors to network parameter names before matching, e.g. <c>"features.0.weight"</c> →
        /// <c>"conv1.weight"</c>. Tensors not in the map keep their names.
        /// </summary>
        public IReadOnlyDictionary<string, string>? NameMap { get; init; }

        /// <summary>
        /// Removes this prefix from every file tensor name that starts with it, before matching: <c>"features."</c>
        /// binds <c>features.0.weight</c> to <c>0.weight</c>, <c>"module."</c> undoes DataParallel (as PyTorch's
        /// <c>consume_prefix_in_state_dict_if_present</c> does). A name in <see cref="NameMap"/> is renamed by the map instead.
        /// </summary>
        public string? StripPrefix { get; init; }
    }
}
