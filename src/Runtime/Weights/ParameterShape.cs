namespace Relucent
{
    /// <summary>A parameter a network expects: its <c>state_dict</c> name and its PyTorch (C-order) shape.</summary>
    /// <remarks>Equality compares the dimensions element by element.</remarks>
    public sealed record ParameterShape(string Name, params int[] Dimensions)
    {
        /// <summary>The <c>state_dict</c> name, <c>"0.weight"</c>.</summary>
        public string Name { get; init; } = Name ?? throw new ArgumentNullException(nameof(Name));

        /// <summary>The shape as PyTorch stores it, C-order.</summary>
        public int[] Dimensions { get; init; } = Dimensions ?? throw new ArgumentNullException(nameof(Dimensions));

        /// <summary>
        /// Whether every value must be zero or more: true for a BatchNorm's <c>running_var</c>, whose negative values would
        /// make the layer's output NaN everywhere. Loading refuses a negative value by name
        /// (<see cref="ParameterBindingProblemKind.OutOfRange"/>).
        /// </summary>
        public bool NonNegative { get; init; }

        /// <summary>The number of values: the product of <see cref="Dimensions"/> (1 for a scalar).</summary>
        public long ElementCount
        {
            get
            {
                long count = 1;
                foreach (int d in Dimensions) count *= d;
                return count;
            }
        }

        /// <summary>Whether <paramref name="other"/> has the same name, dimensions and constraint.</summary>
        public bool Equals(ParameterShape? other) =>
            other is not null && Name == other.Name && Dimensions.AsSpan().SequenceEqual(other.Dimensions) && NonNegative == other.NonNegative;

        /// <inheritdoc/>
        public override int GetHashCode()
        {
            var hash = default(HashCode);
            hash.Add(Name, StringComparer.Ordinal);
            foreach (int d in Dimensions) hash.Add(d);
            hash.Add(NonNegative);
            return hash.ToHashCode();
        }

        /// <summary><c>fc1.weight [120, 400]</c>.</summary>
        public override string ToString() => $"{Name} {Tensor.FormatShape(Dimensions)}{(NonNegative ? " (≥ 0)" : "")}";
    }
}
