namespace Relucent
{
    /// <summary>Reads and writes the safetensors format (PyTorch / Hugging Face).</summary>
    public static class SafeTensors
    {
        /// <summary>Reads every tensor of the file at <paramref name="path"/>.</summary>
        public static SafeTensorsFile Read(string path) => throw new NotImplementedException();

        /// <summary>Reads every tensor from <paramref name="stream"/>.</summary>
        public static SafeTensorsFile Read(Stream stream) => throw new NotImplementedException();

        /// <summary>Writes <paramref name="tensors"/> (sorted by name) with optional string metadata.</summary>
        public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null) => throw new NotImplementedException();
    }

    /// <summary>The tensors of one safetensors file by name, and its <c>__metadata__</c>.</summary>
    public sealed class SafeTensorsFile : Dictionary<string, Tensor>
    {
        /// <summary>The file's <c>__metadata__</c> strings (empty when absent).</summary>
        public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
    }
}
