namespace Relucent
{
    /// <summary>
    /// A file or stream that is not a valid safetensors file (or is a pickle-based PyTorch checkpoint, which Relucent
    /// never reads). The message names the offending tensor and values.
    /// </summary>
    public class SafeTensorsFormatException : FormatException
    {
        /// <summary>A format error with <paramref name="message"/>.</summary>
        public SafeTensorsFormatException(string message)
            : base(message)
        {
        }

        /// <summary>A format error with <paramref name="message"/> caused by <paramref name="innerException"/>.</summary>
        public SafeTensorsFormatException(string message, Exception? innerException)
            : base(message, innerException)
        {
        }

        /// <summary>A format error in the file at <paramref name="path"/>.</summary>
        public SafeTensorsFormatException(string message, string? path, Exception? innerException = null)
            : base(message, innerException)
        {
            Path = path;
        }

        /// <summary>The file the error is in, when reading from a path.</summary>
        public string? Path { get; }

        /// <summary>Whether the input is (or is named as) a pickle-based PyTorch checkpoint rather than safetensors.</summary>
        public bool IsPickleCheckpoint { get; init; }
    }
}
