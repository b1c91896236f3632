using System.Security.Cryptography;

namespace Relucent.Cluster.Output
{
    /// <summary>
    /// Files that are either absent or whole: written under a temporary name in the same directory, flushed to disk,
    /// then renamed over the final name (an atomic replace on POSIX and NTFS). A reader never sees half a file; two
    /// writers of the same bytes leave one file with those bytes, whichever renames last.
    /// </summary>
    internal static class AtomicFile
    {
        /// <summary>The suffix of files being written; never a result, removed when a job completes.</summary>
        public const string TemporarySuffix = ".tmp";

        public static void Write(string path, ReadOnlySpan<byte> bytes)
        {
            string temporary = $"{path}.{Guid.NewGuid():N}{TemporarySuffix}";
            try
            {
                using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                {
                    stream.Write(bytes);
                    stream.Flush(flushToDisk: true);
                }

                File.Move(temporary, path, overwrite: true);
            }
            finally
            {
                // Gone after a successful move; after a failure, a leftover would only waste space.
                if (File.Exists(temporary)) File.Delete(temporary);
            }
        }

        /// <summary>The SHA-256 of <paramref name="bytes"/>, lower-case hex.</summary>
        public static string Checksum(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

        /// <summary>The SHA-256 of the file at <paramref name="path"/>, or null when there is none.</summary>
        public static string? ChecksumOf(string path)
        {
            try
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
                return Convert.ToHexStringLower(SHA256.HashData(stream));
            }
            catch (FileNotFoundException)
            {
                return null;
            }
            catch (DirectoryNotFoundException)
            {
                return null;
            }
        }
    }
}
