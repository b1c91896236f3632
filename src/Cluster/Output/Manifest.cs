using System.Text.Json;

namespace Relucent.Cluster.Output
{
    /// <summary>
    /// <c>manifest.json</c> in a job's output directory: which shards are done, in which file, with how many maps and
    /// the file's SHA-256, and which failed and why. Written whole (see <see cref="AtomicFile"/>) by the job's grain after
    /// every change; a resubmitted job trusts an entry only when its file still has that checksum.
    /// </summary>
    public sealed record Manifest
    {
        /// <summary>The manifest's file name.</summary>
        public const string FileName = "manifest.json";

        private static readonly JsonSerializerOptions Options = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

        /// <summary>The job's name.</summary>
        public required string Job { get; init; }

        /// <summary>What the results depend on, hashed: a manifest of another fingerprint is never resumed from.</summary>
        public required string Fingerprint { get; init; }

        /// <summary>The network class.</summary>
        public required string Network { get; init; }

        /// <summary>The method and its settings.</summary>
        public required string Method { get; init; }

        /// <summary>How the classes were chosen.</summary>
        public required string Targets { get; init; }

        /// <summary>The number of shards in the job.</summary>
        public required int Shards { get; init; }

        /// <summary>The finished shards, by shard index.</summary>
        public required IReadOnlyList<ManifestEntry> Done { get; init; }

        /// <summary>The shards that failed, with the error.</summary>
        public required IReadOnlyList<ManifestFailure> Failed { get; init; }

        /// <summary>The manifest in <paramref name="directory"/>, or null when there is none.</summary>
        /// <exception cref="InvalidDataException">A manifest that is not valid JSON of this form.</exception>
        public static Manifest? Read(string directory)
        {
            string path = Path.Combine(directory, FileName);
            if (!File.Exists(path)) return null;
            try
            {
                return JsonSerializer.Deserialize<Manifest>(File.ReadAllBytes(path), Options)
                    ?? throw new InvalidDataException($"{path} holds null, not a manifest.");
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path} is not a readable manifest: {e.Message}", e);
            }
        }

        /// <summary>Writes the manifest into <paramref name="directory"/>, replacing the old one whole.</summary>
        public void Write(string directory) => AtomicFile.Write(Path.Combine(directory, FileName), JsonSerializer.SerializeToUtf8Bytes(this, Options));
    }

    /// <summary>A finished shard: its input, its file (relative to the output directory), its map count and the file's SHA-256.</summary>
    public sealed record ManifestEntry(int Shard, string Input, string File, int Examples, string Sha256);

    /// <summary>A failed shard: its input and the error.</summary>
    public sealed record ManifestFailure(int Shard, string Input, string Error);
}
