using System.Globalization;
using Onnx;

namespace Relucent
{
    /// <summary>
    /// Reads a tensor stored outside the ONNX file, following ONNX's own rule for where it may be: its
    /// <c>location</c> is a relative path that, once every symbolic link along it is resolved, names a regular file
    /// inside the model's folder. Anything else is refused before the file is opened, and the message says only what
    /// the model itself wrote, so a hostile model learns nothing about files outside its folder (whether they exist,
    /// their size). Files inside the folder are the model's own, so their sizes may be named.
    /// </summary>
    internal static class ExternalData
    {
        // Symbolic links followed while resolving one location, as the kernel's own limit (ELOOP after 40).
        private const int MaxLinks = 40;

        /// <summary>The <paramref name="byteCount"/> bytes of the external tensor <paramref name="name"/>.</summary>
        /// <exception cref="InvalidDataException">The location is missing, absolute, leaves the model's folder, is not a regular file, or is too short.</exception>
        /// <exception cref="NotSupportedException">The model was not read from a folder, so there is nowhere to look.</exception>
        public static byte[] Read(TensorProto t, string name, string? baseDirectory, long byteCount)
        {
            string? location = null, offsetText = null, lengthText = null;
            foreach (StringStringEntryProto entry in t.ExternalData)
            {
                switch (entry.Key)
                {
                    case "location": location = entry.Value; break;
                    case "offset": offsetText = entry.Value; break;
                    case "length": lengthText = entry.Value; break;
                }
            }

            if (string.IsNullOrEmpty(location)) throw new InvalidDataException($"ONNX tensor '{name}' is stored externally but names no location.");
            string shown = Quote(location);
            if (baseDirectory == null)
            {
                throw new NotSupportedException($"ONNX tensor '{name}' is stored in the external file {shown}; load the model with OnnxModel.Load(path) so the file can be found beside it.");
            }

            long offset = Number(offsetText, "offset", name);
            long length = Number(lengthText, "length", name);
            if (lengthText != null && length != byteCount)
            {
                throw new InvalidDataException($"ONNX tensor '{name}' declares {length} bytes of external data; its shape and type need {byteCount}.");
            }

            string file = Resolve(location, baseDirectory, name);

            // Refuse what cannot hold the bytes before opening: a FIFO, a socket or a device reports a length of 0
            // (opening a FIFO would wait for a writer forever), and a directory is no file at all.
            var info = new FileInfo(file);
            if (!info.Exists)
            {
                throw new InvalidDataException($"ONNX tensor '{name}' is stored in {shown} in the model's folder, which holds no such file.");
            }

            if (byteCount == 0) return Array.Empty<byte>();
            if (offset > info.Length - byteCount)
            {
                throw new InvalidDataException(
                    $"ONNX tensor '{name}' needs bytes {offset.ToString(CultureInfo.InvariantCulture)} to {(offset + byteCount).ToString(CultureInfo.InvariantCulture)} of {shown}, "
                    + $"which is {(info.Length == 0 ? "empty or not a regular file" : info.Length.ToString(CultureInfo.InvariantCulture) + " bytes long")}.");
            }

            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None);
            if (!stream.CanSeek || stream.Length - byteCount < offset)
            {
                throw new InvalidDataException($"ONNX tensor '{name}' is stored in {shown}, which changed while it was being read.");
            }

            stream.Position = offset;
            byte[] data = new byte[byteCount];
            stream.ReadExactly(data);
            return data;
        }

        /// <summary>
        /// The full path <paramref name="location"/> names under <paramref name="baseDirectory"/>, every symbolic link
        /// resolved, or an exception when it is absolute or ends outside the folder.
        /// </summary>
        internal static string Resolve(string location, string baseDirectory, string name)
        {
            string shown = Quote(location);
            if (location.Contains('\0', StringComparison.Ordinal) || Path.IsPathRooted(location) || location.StartsWith('/') || location.StartsWith('\\'))
            {
                throw new InvalidDataException($"ONNX tensor '{name}' is stored at {shown}, which is not a path relative to the model's folder; ONNX external data lies inside the model's folder.");
            }

            string folder = RealPath(Path.GetFullPath(baseDirectory), name, shown)
                ?? throw new InvalidDataException($"ONNX tensor '{name}' is stored in {shown}, but the model's folder cannot be resolved.");
            string? file = RealPath(Path.Join(folder, location), name, shown);
            string inside = Path.EndsInDirectorySeparator(folder) ? folder : folder + Path.DirectorySeparatorChar;
            if (file == null || !file.StartsWith(inside, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
            {
                throw new InvalidDataException($"ONNX tensor '{name}' is stored at {shown}, which leads outside the model's folder; ONNX external data lies inside the model's folder.");
            }

            return file;
        }

        /// <summary>
        /// <paramref name="path"/> (absolute) with <c>.</c>, <c>..</c> and every symbolic link along it resolved, one
        /// component at a time (a link to a folder halfway along counts, not only a link at the end); null after too
        /// many links. Components that do not exist are kept as written.
        /// </summary>
        private static string? RealPath(string path, string name, string shown)
        {
            string root = Path.GetPathRoot(path) ?? string.Empty;
            var pending = new Stack<string>(Split(path[root.Length..]).Reverse());
            string current = root;
            int links = 0;
            while (pending.Count > 0)
            {
                string part = pending.Pop();
                if (part is "" or ".") continue;
                if (part == "..")
                {
                    current = Path.GetDirectoryName(current) ?? root;
                    continue;
                }

                string next = Path.Join(current, part);
                string? target;
                try
                {
                    target = new FileInfo(next).LinkTarget;
                }
                catch (IOException)
                {
                    target = null;
                }
                catch (UnauthorizedAccessException)
                {
                    target = null;
                }

                if (target == null)
                {
                    current = next;
                    continue;
                }

                if (++links > MaxLinks) throw new InvalidDataException($"ONNX tensor '{name}' is stored at {shown}, whose symbolic links loop.");
                if (Path.IsPathRooted(target))
                {
                    string targetRoot = Path.GetPathRoot(target) ?? root;
                    current = targetRoot;
                    target = target[targetRoot.Length..];
                }

                foreach (string p in Split(target).Reverse()) pending.Push(p);
            }

            return current;
        }

        private static IEnumerable<string> Split(string path) => path.Split(new[] { '/', Path.DirectorySeparatorChar }, StringSplitOptions.None);

        private static long Number(string? text, string key, string name)
        {
            if (text == null) return 0;
            if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value))
            {
                throw new InvalidDataException($"ONNX tensor '{name}' has the external-data {key} '{Truncate(text)}', not a non-negative whole number.");
            }

            return value;
        }

        /// <summary>The location as the model wrote it, quoted and cut short: it is the attacker's text, not a path of ours.</summary>
        private static string Quote(string location) => "'" + Truncate(location) + "'";

        private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "…";
    }
}
