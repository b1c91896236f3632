namespace Relucent
{
    /// <summary>
    /// Spots the commonest binding failure of a PyTorch state_dict saved from a wrapper module: every name carries
    /// one extra prefix (<c>features.0.weight</c> for <c>0.weight</c>, <c>module.</c> from DataParallel), which gives
    /// one missing and one unexpected tensor per parameter, and says once which option removes it.
    /// </summary>
    internal static class PrefixHint
    {
        /// <summary>
        /// The hint for <paramref name="missing"/> network names when more than half of them are in
        /// <paramref name="fileNames"/> under one prefix ending in a dot; null otherwise.
        /// </summary>
        public static string? For(IReadOnlyCollection<string> missing, IEnumerable<string> fileNames)
        {
            if (missing.Count == 0) return null;
            var wanted = new HashSet<string>(missing, StringComparer.Ordinal);

            // For each prefix ending in a dot, the missing names found under it (one example kept for the message).
            var found = new Dictionary<string, (int Count, string Example)>(StringComparer.Ordinal);
            foreach (string file in fileNames)
            {
                for (int dot = file.IndexOf('.'); dot >= 0 && dot < file.Length - 1; dot = file.IndexOf('.', dot + 1))
                {
                    string rest = file[(dot + 1)..];
                    if (!wanted.Contains(rest)) continue;
                    string prefix = file[..(dot + 1)];
                    found[prefix] = found.TryGetValue(prefix, out var seen) ? (seen.Count + 1, seen.Example) : (1, rest);
                }
            }

            if (found.Count == 0) return null;
            var (best, (count, example)) = found
                .OrderByDescending(kv => kv.Value.Count).ThenBy(kv => kv.Key.Length).ThenBy(kv => kv.Key, StringComparer.Ordinal)
                .First();
            if (2 * count <= missing.Count) return null;

            string which = count == missing.Count ? "every missing parameter is" : $"{count} of the {missing.Count} missing parameters are";
            return $"{which} in the file under the prefix '{best}' ('{best}{example}' for '{example}'): "
                + $"bind with new ParameterBindingOptions {{ StripPrefix = \"{best}\" }}, passed to Load(path, options) or FromTensors(tensors, options).";
        }
    }
}
