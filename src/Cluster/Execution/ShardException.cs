namespace Relucent.Cluster
{
    /// <summary>
    /// A shard that cannot be explained: its input is missing, corrupt or of the wrong shape, or its targets are not
    /// classes of the network. The shard is marked failed with this message; the rest of the job goes on.
    /// </summary>
    public sealed class ShardException : Exception
    {
        /// <summary>A failure of the shard reading <paramref name="input"/>.</summary>
        public ShardException(string input, string message, Exception? innerException = null)
            : base($"{input}: {message}", innerException)
        {
            Input = input;
        }

        /// <summary>The input shard (file or folder) at fault.</summary>
        public string Input { get; }
    }
}
