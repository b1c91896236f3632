namespace Relucent.Cluster
{
    /// <summary>Where an input shard's examples come from.</summary>
    public enum InputKind
    {
        /// <summary>A safetensors file holding the examples as one tensor <c>[N, C, H, W]</c> (or <c>[N, features]</c>).</summary>
        SafeTensors,

        /// <summary>A folder of images (PNG, JPEG, BMP, GIF), one example each, in ordinal file-name order.</summary>
        ImageFolder,
    }

    /// <summary>One input shard of a job: a safetensors file or a folder of images; one work shard, one output file.</summary>
    [GenerateSerializer, Immutable, Alias("Relucent.Cluster.InputShard")]
    public sealed record InputShard
    {
        /// <summary>The file or folder, as every silo sees it.</summary>
        [Id(0)] public required string Path { get; init; }

        /// <summary>What <see cref="Path"/> holds.</summary>
        [Id(1)] public InputKind Kind { get; init; }

        /// <summary>For a safetensors shard, the tensor holding the examples (<c>inputs</c> by default).</summary>
        [Id(2)] public string Tensor { get; init; } = "inputs";

        /// <summary>A safetensors file whose tensor <paramref name="tensor"/> holds the examples.</summary>
        public static InputShard SafeTensors(string path, string tensor = "inputs") =>
            new() { Path = path, Kind = InputKind.SafeTensors, Tensor = tensor };

        /// <summary>
        /// A folder of images: each is decoded to the network's input, C·H·W with values in [0, 1] (grey for one
        /// channel, RGB for three); an image of another size is an error, never resized.
        /// </summary>
        public static InputShard ImageFolder(string path) => new() { Path = path, Kind = InputKind.ImageFolder };

        /// <summary><c>safetensors data/part-3.safetensors [inputs]</c> or <c>images data/cats</c>.</summary>
        public string Describe() => Kind == InputKind.SafeTensors ? $"safetensors {Path} [{Tensor}]" : $"images {Path}";
    }
}
