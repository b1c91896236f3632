using System.Buffers.Binary;
using System.Globalization;

namespace Relucent
{
    /// <summary>
    /// Matches named tensors to the parameters a network expects, checking every name and shape before
    /// anything is returned, and converts them to the network's precision (C-order arrays, expected order).
    /// </summary>
    public static class ParameterBinder
    {
        private const string BatchCounter = "num_batches_tracked";

        // Edit distances are computed for at most this many (missing, candidate) pairs; beyond it only names
        // that end with one another are suggested, so a wholly mismatched large model still fails fast.
        private const int MaxDistancePairs = 250_000;

        /// <summary>The arrays of <paramref name="expected"/>, in that order, from <paramref name="source"/>.</summary>
        /// <exception cref="ParameterBindingException">Any tensor is missing, unexpected, of another shape, integer, or holds a NaN or an infinity (or, for a float32 network, a float64 value beyond float32's range).</exception>
        /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
        public static T[][] Bind<T>(IReadOnlyDictionary<string, Tensor> source, IReadOnlyList<ParameterShape> expected) =>
            Bind<T>(source, expected, options: null);

        /// <summary>
        /// The arrays of <paramref name="expected"/>, in that order, from <paramref name="source"/>, renaming file
        /// tensors by <see cref="ParameterBindingOptions.NameMap"/> and optionally ignoring unexpected ones.
        /// </summary>
        /// <exception cref="ParameterBindingException">Any tensor is missing, unexpected, of another shape, integer, or holds a NaN or an infinity (or, for a float32 network, a float64 value beyond float32's range).</exception>
        /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
        public static T[][] Bind<T>(IReadOnlyDictionary<string, Tensor> source, IReadOnlyList<ParameterShape> expected, ParameterBindingOptions? options) =>
            Bind<T>(source, expected, options, release: null);

        /// <summary>
        /// Reads the safetensors file at <paramref name="safetensorsPath"/> and binds it as <see cref="Bind{T}(IReadOnlyDictionary{string, Tensor}, IReadOnlyList{ParameterShape}, ParameterBindingOptions?)"/>
        /// does, letting go of each tensor's bytes once its values are made, so that a large file is not held twice over
        /// (VGG-11-BN's 531 MB as bytes and as values): what a generated class's <c>Load(path)</c> calls.
        /// </summary>
        /// <exception cref="FileNotFoundException">No file at <paramref name="safetensorsPath"/>.</exception>
        /// <exception cref="SafeTensorsFormatException">The file is not a valid safetensors file.</exception>
        /// <exception cref="ParameterBindingException">As <see cref="Bind{T}(IReadOnlyDictionary{string, Tensor}, IReadOnlyList{ParameterShape}, ParameterBindingOptions?)"/>.</exception>
        public static T[][] BindFile<T>(string safetensorsPath, IReadOnlyList<ParameterShape> expected, ParameterBindingOptions? options = null)
        {
            SafeTensorsFile file = SafeTensors.Read(safetensorsPath);
            T[][] values = Bind<T>(file, expected, options, release: file);
            LoadGarbage.Released(new FileInfo(safetensorsPath).Length, returnToSystem: false); // the network's constructor returns it all
            return values;
        }

        // With release (the file read for this call alone), its tensors are dropped once matched and each one's bytes
        // become garbage as soon as they are converted.
        private static T[][] Bind<T>(IReadOnlyDictionary<string, Tensor> source, IReadOnlyList<ParameterShape> expected, ParameterBindingOptions? options,
            SafeTensorsFile? release)
        {
            ArgumentNullException.ThrowIfNull(source);
            ArgumentNullException.ThrowIfNull(expected);
            if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
            {
                throw new NotSupportedException(
                    $"ParameterBinder.Bind<{typeof(T).FullName}>: networks hold float (System.Single) or double (System.Double) parameters.");
            }

            Tensor[] tensors = Match(source, expected, options ?? new ParameterBindingOptions());
            release?.Clear();
            var result = new T[tensors.Length][];
            List<ParameterBindingProblem>? overflows = null;
            for (int i = 0; i < tensors.Length; i++)
            {
                result[i] = tensors[i].ToArray<T>();

                // Finite float64 values beyond float32's range round to infinity in a float32 network.
                if (typeof(T) == typeof(float) && tensors[i].DType == DType.F64 && FirstInfinity((float[])(object)result[i]) is int at)
                {
                    double value = tensors[i].ToDouble()[at];
                    (overflows ??= []).Add(new(
                        ParameterBindingProblemKind.NonFinite,
                        expected[i].Name,
                        $"{expected[i].Name}: holds {value.ToString("R", CultureInfo.InvariantCulture)} at {MultiIndex(at, tensors[i].Shape)}, "
                        + "beyond the float32 range: it would become infinity in this float32 network"));
                }

                if (release is not null) tensors[i] = null!;
            }

            if (overflows is not null) throw new ParameterBindingException(overflows);
            return result;
        }

        /// <summary>
        /// Checks <paramref name="source"/> against <paramref name="expected"/> without converting anything: every
        /// problem <see cref="Bind{T}(IReadOnlyDictionary{string, Tensor}, IReadOnlyList{ParameterShape}, ParameterBindingOptions?)"/> would report (all but a float64 value beyond the float32 range, which only converting to float32 finds).
        /// </summary>
        public static IReadOnlyList<ParameterBindingProblem> Check(
            IReadOnlyDictionary<string, Tensor> source, IReadOnlyList<ParameterShape> expected, ParameterBindingOptions? options = null)
        {
            ArgumentNullException.ThrowIfNull(source);
            ArgumentNullException.ThrowIfNull(expected);
            try
            {
                Match(source, expected, options ?? new ParameterBindingOptions());
                return [];
            }
            catch (ParameterBindingException e)
            {
                return e.Problems;
            }
        }

        private static Tensor[] Match(IReadOnlyDictionary<string, Tensor> source, IReadOnlyList<ParameterShape> expected, ParameterBindingOptions options)
        {
            var problems = new List<ParameterBindingProblem>();
            IReadOnlyDictionary<string, string> map = options.NameMap ?? new Dictionary<string, string>();

            var expectedNames = new HashSet<string>(StringComparer.Ordinal);
            foreach (ParameterShape p in expected)
            {
                if (p is null) throw new ArgumentException("The expected parameters contain null.", nameof(expected));
                if (!expectedNames.Add(p.Name)) throw new ArgumentException($"The network expects '{p.Name}' twice.", nameof(expected));
            }

            // The file's tensors under their network names (NameMap applied), in ordinal order for stable messages.
            var byNetworkName = new Dictionary<string, (string FileName, Tensor Tensor)>(StringComparer.Ordinal);
            foreach (string fileName in source.Keys.OrderBy(k => k, StringComparer.Ordinal))
            {
                Tensor tensor = source[fileName] ?? throw new ArgumentException($"Tensor '{fileName}' is null.", nameof(source));
                string networkName = map.TryGetValue(fileName, out string? mapped) && mapped is not null ? mapped : Unprefixed(fileName, options.StripPrefix);
                if (byNetworkName.TryGetValue(networkName, out var other))
                {
                    problems.Add(new(
                        ParameterBindingProblemKind.DuplicateName,
                        networkName,
                        $"'{other.FileName}' and '{fileName}' both bind to '{networkName}' (check NameMap)."));
                    continue;
                }

                byNetworkName.Add(networkName, (fileName, tensor));
            }

            // File tensors no expected parameter takes: the unexpected ones, and the suggestions for missing ones.
            List<string> unmatched = byNetworkName
                .Where(kv => !expectedNames.Contains(kv.Key) && !IsBatchCounter(kv.Key) && !IsBatchCounter(kv.Value.FileName))
                .Select(kv => kv.Value.FileName)
                .ToList();
            int missingCount = expected.Count(p => !byNetworkName.ContainsKey(p.Name));
            bool useDistance = (long)missingCount * unmatched.Count <= MaxDistancePairs;

            var bound = new Tensor[expected.Count];
            for (int i = 0; i < expected.Count; i++)
            {
                ParameterShape p = expected[i];
                if (!byNetworkName.TryGetValue(p.Name, out var found))
                {
                    problems.Add(new(ParameterBindingProblemKind.Missing, p.Name, MissingMessage(p, unmatched, map, source, useDistance)));
                    continue;
                }

                Tensor tensor = found.Tensor;
                string from = found.FileName == p.Name ? string.Empty : $" (file tensor '{found.FileName}')";
                if (!tensor.DType.IsFloatingPoint())
                {
                    problems.Add(new(
                        ParameterBindingProblemKind.DTypeMismatch,
                        p.Name,
                        $"{p.Name}: expected floating-point values, file has {tensor.DType.Name()} (integers){from}"));
                }

                if (!tensor.Shape.SequenceEqual(p.Dimensions))
                {
                    problems.Add(new(
                        ParameterBindingProblemKind.ShapeMismatch,
                        p.Name,
                        $"{p.Name}: expected {Tensor.FormatShape(p.Dimensions)}, file has {Tensor.FormatShape(tensor.Shape)}{from}"));
                }
                else if (tensor.DType.IsFloatingPoint() && NonFinite(tensor) is { } bad)
                {
                    problems.Add(new(ParameterBindingProblemKind.NonFinite, p.Name, NonFiniteMessage(p.Name, tensor.Shape, bad, from)));
                }
                else if (p.NonNegative && tensor.DType.IsFloatingPoint() && FirstNegative(tensor) is long negative)
                {
                    double value = tensor.ToDouble()[negative];
                    problems.Add(new(
                        ParameterBindingProblemKind.OutOfRange,
                        p.Name,
                        $"{p.Name}: holds {value.ToString("R", CultureInfo.InvariantCulture)} at {MultiIndex(negative, tensor.Shape)}; it must not be negative "
                        + $"(a variance below zero makes its layer's output NaN){from}"));
                }

                bound[i] = tensor;
            }

            if (!options.IgnoreUnexpected)
            {
                foreach (var (networkName, (fileName, tensor)) in byNetworkName)
                {
                    if (expectedNames.Contains(networkName) || IsBatchCounter(networkName) || IsBatchCounter(fileName)) continue;
                    string renamed = networkName == fileName ? string.Empty : $" (renamed to '{networkName}')";
                    problems.Add(new(
                        ParameterBindingProblemKind.Unexpected,
                        fileName,
                        $"unexpected '{fileName}' {tensor}{renamed}: the network has no such parameter"));
                }
            }

            if (problems.Count > 0)
            {
                string[] missing = expected.Where(p => !byNetworkName.ContainsKey(p.Name)).Select(p => p.Name).ToArray();
                throw new ParameterBindingException(problems, PrefixHint.For(missing, unmatched));
            }

            return bound;
        }

        /// <summary><paramref name="fileName"/> without <paramref name="prefix"/> when it starts with it (and is longer).</summary>
        private static string Unprefixed(string fileName, string? prefix) =>
            !string.IsNullOrEmpty(prefix) && fileName.Length > prefix.Length && fileName.StartsWith(prefix, StringComparison.Ordinal)
                ? fileName[prefix.Length..]
                : fileName;

        /// <summary>The first NaN or infinity of a floating-point tensor, read in its own precision, and how many it holds; null when every value is finite.</summary>
        internal static (long Index, string What, long Count)? NonFinite(Tensor tensor)
        {
            ReadOnlySpan<byte> b = tensor.Bytes;
            long first = -1, count = 0;
            string what = string.Empty;
            int size = tensor.DType.ElementSize();
            for (int i = 0, n = b.Length / size; i < n; i++)
            {
                // Non-finite: every exponent bit set; NaN when the fraction is non-zero as well. Sign in the top bit.
                (bool nonFinite, bool nan, bool negative) = tensor.DType switch
                {
                    DType.F32 => Classify(BinaryPrimitives.ReadUInt32LittleEndian(b[(i * 4)..]), 0x7F80_0000u, 0x007F_FFFFu, 0x8000_0000u),
                    DType.F64 => Classify(BinaryPrimitives.ReadUInt64LittleEndian(b[(i * 8)..]), 0x7FF0_0000_0000_0000ul, 0x000F_FFFF_FFFF_FFFFul, 0x8000_0000_0000_0000ul),
                    DType.F16 => Classify(BinaryPrimitives.ReadUInt16LittleEndian(b[(i * 2)..]), 0x7C00u, 0x03FFu, 0x8000u),
                    DType.BF16 => Classify(BinaryPrimitives.ReadUInt16LittleEndian(b[(i * 2)..]), 0x7F80u, 0x007Fu, 0x8000u),
                    _ => (false, false, false),
                };
                if (!nonFinite) continue;
                if (count++ == 0)
                {
                    first = i;
                    what = nan ? "NaN" : negative ? "-infinity" : "+infinity";
                }
            }

            return count == 0 ? null : (first, what, count);
        }

        /// <summary>The index of the first value below zero of a finite floating-point tensor (−0 is not below zero), or null.</summary>
        internal static long? FirstNegative(Tensor tensor)
        {
            ReadOnlySpan<byte> b = tensor.Bytes;
            int size = tensor.DType.ElementSize();
            for (int i = 0, n = b.Length / size; i < n; i++)
            {
                bool negative = tensor.DType switch
                {
                    DType.F32 => BinaryPrimitives.ReadUInt32LittleEndian(b[(i * 4)..]) is uint v && (v & 0x8000_0000u) != 0 && (v & 0x7FFF_FFFFu) != 0,
                    DType.F64 => BinaryPrimitives.ReadUInt64LittleEndian(b[(i * 8)..]) is ulong v && (v & 0x8000_0000_0000_0000ul) != 0 && (v & 0x7FFF_FFFF_FFFF_FFFFul) != 0,
                    DType.F16 or DType.BF16 => BinaryPrimitives.ReadUInt16LittleEndian(b[(i * 2)..]) is ushort v && (v & 0x8000) != 0 && (v & 0x7FFF) != 0,
                    _ => false,
                };
                if (negative) return i;
            }

            return null;
        }

        private static (bool NonFinite, bool NaN, bool Negative) Classify(ulong bits, ulong exponent, ulong fraction, ulong sign) =>
            ((bits & exponent) == exponent, (bits & exponent) == exponent && (bits & fraction) != 0, (bits & sign) != 0);

        private static string NonFiniteMessage(string name, IReadOnlyList<int> shape, (long Index, string What, long Count) bad, string from)
        {
            string more = bad.Count == 1 ? string.Empty : $" ({bad.Count} non-finite values in all)";
            return $"{name}: holds {bad.What} at {MultiIndex(bad.Index, shape)}{more}{from}";
        }

        private static int? FirstInfinity(float[] values)
        {
            for (int i = 0; i < values.Length; i++)
            {
                if (float.IsInfinity(values[i])) return i;
            }

            return null;
        }

        /// <summary>The C-order position of flat index <paramref name="flat"/> in <paramref name="shape"/>, as <c>[3, 12]</c>.</summary>
        internal static string MultiIndex(long flat, IReadOnlyList<int> shape)
        {
            var index = new long[shape.Count];
            for (int d = shape.Count - 1; d >= 0; d--)
            {
                index[d] = flat % shape[d];
                flat /= shape[d];
            }

            return "[" + string.Join(", ", index.Select(i => i.ToString(CultureInfo.InvariantCulture))) + "]";
        }

        /// <summary>PyTorch's BatchNorm step counter, <c>"3.num_batches_tracked"</c>: not a parameter, never needed.</summary>
        private static bool IsBatchCounter(string name) =>
            name == BatchCounter || name.EndsWith("." + BatchCounter, StringComparison.Ordinal);

        private static string MissingMessage(
            ParameterShape p, List<string> candidates, IReadOnlyDictionary<string, string> map, IReadOnlyDictionary<string, Tensor> source, bool useDistance)
        {
            List<string> similar = Similar(p.Name, candidates, useDistance);
            string found = similar.Count > 0
                ? "the file has " + string.Join(", ", similar.Select(s => $"'{s}'"))
                : source.Count == 0 ? "the file has no tensors" : "the file has no similar name";
            string tail = $" (expected {Tensor.FormatShape(p.Dimensions)})";
            string? mappedFrom = map.Where(kv => kv.Value == p.Name && !source.ContainsKey(kv.Key)).Select(kv => kv.Key).FirstOrDefault();
            if (mappedFrom is not null) tail += $" (NameMap maps '{mappedFrom}' to it, but the file has no '{mappedFrom}')";
            return $"missing '{p.Name}'; {found}{tail}";
        }

        /// <summary>Up to 3 names like <paramref name="name"/>: ones that end with it (or it with them) first, then by edit distance.</summary>
        internal static List<string> Similar(string name, IEnumerable<string> candidates, bool useDistance = true)
        {
            var scored = new List<(int Rank, int Distance, string Name)>();
            foreach (string c in candidates)
            {
                if (c.EndsWith("." + name, StringComparison.Ordinal) || name.EndsWith("." + c, StringComparison.Ordinal))
                {
                    scored.Add((0, Math.Abs(c.Length - name.Length), c));
                    continue;
                }

                if (!useDistance) continue;
                int limit = Math.Max(2, Math.Max(name.Length, c.Length) / 3);
                int d = EditDistance(name, c, limit);
                if (d <= limit) scored.Add((1, d, c));
            }

            return scored
                .OrderBy(s => s.Rank).ThenBy(s => s.Distance).ThenBy(s => s.Name, StringComparer.Ordinal)
                .Take(3)
                .Select(s => s.Name)
                .ToList();
        }

        /// <summary>Levenshtein distance of <paramref name="a"/> and <paramref name="b"/>, or <paramref name="limit"/> + 1 once it exceeds the limit.</summary>
        internal static int EditDistance(string a, string b, int limit)
        {
            if (Math.Abs(a.Length - b.Length) > limit) return limit + 1;
            var previous = new int[b.Length + 1];
            var current = new int[b.Length + 1];
            for (int j = 0; j <= b.Length; j++) previous[j] = j;
            for (int i = 1; i <= a.Length; i++)
            {
                current[0] = i;
                int rowMin = current[0];
                for (int j = 1; j <= b.Length; j++)
                {
                    int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                    current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                    rowMin = Math.Min(rowMin, current[j]);
                }

                if (rowMin > limit) return limit + 1;
                (previous, current) = (current, previous);
            }

            return Math.Min(previous[b.Length], limit + 1);
        }
    }
}
