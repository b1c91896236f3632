namespace Relucent.Cluster.Execution
{
    /// <summary>The examples of one input shard, as the network takes them (<c>N × InputSize</c> float32), and their classes when the shard holds them.</summary>
    internal sealed class ShardInputs
    {
        private ShardInputs(float[] values, int count, int[]? classes)
        {
            Values = values;
            Count = count;
            Classes = classes;
        }

        public float[] Values { get; }

        public int Count { get; }

        public int[]? Classes { get; }

        /// <summary>Reads <paramref name="shard"/> for <paramref name="network"/>; <paramref name="classTensor"/> names its labels, if any are wanted.</summary>
        /// <exception cref="ShardException">Missing, corrupt or of the wrong shape, with what was expected.</exception>
        public static ShardInputs Read(InputShard shard, IExplainer<float> network, string? classTensor)
        {
            if (shard.Kind == InputKind.ImageFolder)
            {
                if (classTensor is not null) throw new ShardException(shard.Path, $"an image folder holds no '{classTensor}' tensor of classes; use predicted or fixed targets.");
                (float[] pixels, int images) = ImageFolder.Read(shard.Path, network.Architecture.InputShape);
                return new ShardInputs(pixels, images, null);
            }

            SafeTensorsFile file;
            try
            {
                file = SafeTensors.Read(shard.Path);
            }
            catch (Exception e) when (e is SafeTensorsFormatException or IOException or UnauthorizedAccessException)
            {
                throw new ShardException(shard.Path, $"not a readable safetensors file: {e.Message}", e);
            }

            if (!file.TryGetValue(shard.Tensor, out Tensor? tensor))
            {
                throw new ShardException(shard.Path, $"has no tensor '{shard.Tensor}'; it holds {string.Join(", ", file.Keys.Order(StringComparer.Ordinal))}.");
            }

            int[] expected = network.Architecture.InputShape.Dimensions;
            IReadOnlyList<int> shape = tensor.Shape;
            bool matches = shape.Count == expected.Length + 1 && shape.Skip(1).SequenceEqual(expected) && tensor.DType.IsFloatingPoint();
            if (!matches)
            {
                throw new ShardException(shard.Path, $"tensor '{shard.Tensor}' is {tensor}; expected a floating-point [N, {string.Join(", ", expected)}] (N examples of the network's input).");
            }

            int count = shape[0];
            int[]? classes = classTensor is null ? null : ReadClasses(shard.Path, file, classTensor, count);
            return new ShardInputs(tensor.ToSingle(), count, classes);
        }

        private static int[] ReadClasses(string path, SafeTensorsFile file, string name, int count)
        {
            if (!file.TryGetValue(name, out Tensor? tensor))
            {
                throw new ShardException(path, $"has no tensor '{name}' of classes; it holds {string.Join(", ", file.Keys.Order(StringComparer.Ordinal))}.");
            }

            if (tensor.DType is not (DType.I64 or DType.I32) || tensor.Rank != 1 || tensor.Shape[0] != count)
            {
                throw new ShardException(path, $"tensor '{name}' is {tensor}; expected integer classes [{count}], one per example.");
            }

            long[] values = tensor.ToInt64();
            var classes = new int[count];
            for (int i = 0; i < count; i++) classes[i] = values[i] is >= 0 and <= int.MaxValue ? (int)values[i] : -1;
            return classes;
        }
    }
}
