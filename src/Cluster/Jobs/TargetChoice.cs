namespace Relucent.Cluster
{
    /// <summary>Which logit each map of a job explains.</summary>
    [GenerateSerializer, Immutable, Alias("Relucent.Cluster.TargetChoice")]
    public sealed record TargetChoice
    {
        private TargetChoice(int fixedClass, string? tensor)
        {
            Class = fixedClass;
            Tensor = tensor;
        }

        /// <summary>The fixed class, or -1.</summary>
        [Id(0)] public int Class { get; init; }

        /// <summary>The integer tensor of the input shard holding one class per example, or null.</summary>
        [Id(1)] public string? Tensor { get; init; }

        /// <summary>The class the network predicts for each input (the arg-max logit, lowest index on a tie).</summary>
        public static TargetChoice Predicted { get; } = new(-1, null);

        /// <summary>The same class for every input.</summary>
        public static TargetChoice Fixed(int index) =>
            index >= 0 ? new(index, null) : throw new ArgumentOutOfRangeException(nameof(index), index, "A class index is zero or more.");

        /// <summary>One class per example, from the integer tensor <paramref name="tensor"/> of each safetensors input shard (its labels).</summary>
        public static TargetChoice FromShard(string tensor = "targets") =>
            !string.IsNullOrWhiteSpace(tensor) ? new(-1, tensor) : throw new ArgumentException("Name the tensor that holds the classes.", nameof(tensor));

        /// <summary><c>predicted</c>, <c>class 3</c> or <c>tensor targets</c>.</summary>
        public string Describe() => Tensor is not null ? $"tensor {Tensor}" : Class >= 0 ? $"class {Class}" : "predicted";
    }
}
