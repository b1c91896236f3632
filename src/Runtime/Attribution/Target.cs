using System.Numerics;

namespace Relucent.Attribution
{
    /// <summary>
    /// What an attribution explains: one output class (a one-hot seed, the raw logit, no softmax) or an arbitrary
    /// output-side signal (a seed vector <c>s</c>, explaining <c>sᵀ·f(x)</c>). An <c>int</c> converts to a class target,
    /// so <c>method.Attribute(x, 3)</c> reads as it should.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Namespaces of this feature follow the runtime's folders: <c>Relucent.Attribution</c> (targets, methods,
    /// post-processing), <c>Relucent.Imaging</c> (heatmaps as PNG) and <c>Relucent.Metrics</c> (faithfulness and sanity
    /// checks). The networks they work on implement <see cref="IExplainer{T}"/> in <c>Relucent</c>.
    /// </para>
    /// <para>
    /// For a batch of N inputs, pass one target per example (<see cref="Classes"/> builds them from class indices) or a
    /// single target shared by every example. <c>default(Target)</c> is not a target: using it throws.
    /// </para>
    /// </remarks>
    public readonly struct Target : IEquatable<Target>
    {
        // class + 1, so that default(Target) is recognisably unset; 0 when a seed is held. Unsigned, so that
        // int.MaxValue + 1 still fits (and is then refused as a class the network does not have).
        private readonly uint _classPlusOne;
        private readonly double[]? _seed;

        private Target(uint classPlusOne, double[]? seed)
        {
            _classPlusOne = classPlusOne;
            _seed = seed;
        }

        /// <summary>The logit of class <paramref name="index"/> (a one-hot seed).</summary>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is negative.</exception>
        public static Target Class(int index)
        {
            if (index < 0) throw new ArgumentOutOfRangeException(nameof(index), index, "A class index is zero or more.");
            return new Target((uint)index + 1, null);
        }

        /// <summary>The output-side signal <paramref name="seed"/> (copied), one value per network output: explains <c>seedᵀ·f(x)</c>.</summary>
        public static Target Seed(params double[] seed)
        {
            ArgumentNullException.ThrowIfNull(seed);
            if (seed.Length == 0) throw new ArgumentException("A seed has one value per network output; this one is empty.", nameof(seed));
            return new Target(0, (double[])seed.Clone());
        }

        /// <summary>The output-side signal <paramref name="seed"/> (copied to float64, exactly).</summary>
        public static Target Seed<T>(ReadOnlySpan<T> seed) where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (seed.IsEmpty) throw new ArgumentException("A seed has one value per network output; this one is empty.", nameof(seed));
            var values = new double[seed.Length];
            for (int i = 0; i < seed.Length; i++) values[i] = double.CreateTruncating(seed[i]);
            return new Target(0, values);
        }

        /// <summary>One class target per example of a batch.</summary>
        public static Target[] Classes(params int[] indices)
        {
            ArgumentNullException.ThrowIfNull(indices);
            var targets = new Target[indices.Length];
            for (int i = 0; i < indices.Length; i++) targets[i] = Class(indices[i]);
            return targets;
        }

        /// <summary>The class target <paramref name="index"/>.</summary>
        public static implicit operator Target(int index) => Class(index);

        /// <summary>Whether this targets one class (rather than a seed vector).</summary>
        public bool IsClass => _classPlusOne > 0;

        /// <summary>Whether this is <c>default(Target)</c>, which names nothing.</summary>
        public bool IsUnset => _classPlusOne == 0 && _seed is null;

        /// <summary>The class index.</summary>
        /// <exception cref="InvalidOperationException">This target is a seed vector.</exception>
        public int ClassIndex => IsClass ? (int)(_classPlusOne - 1) : throw new InvalidOperationException($"{this} is not a class target.");

        /// <summary>The seed values for a seed target, empty for a class target.</summary>
        public ReadOnlySpan<double> SeedValues => _seed;

        /// <summary>
        /// Writes the seed the backward pass starts from into <paramref name="seed"/> (one value per network output):
        /// one-hot for a class, the seed vector otherwise.
        /// </summary>
        /// <exception cref="ArgumentException">The class is not an output, the seed has the wrong length, or this target is unset.</exception>
        public void WriteSeed<T>(Span<T> seed) where T : unmanaged, IFloatingPointIeee754<T>
        {
            ThrowIfUnset();
            if (IsClass)
            {
                Guard.Target(ClassIndex, seed.Length);
                seed.Clear();
                seed[ClassIndex] = T.One;
                return;
            }

            if (_seed!.Length != seed.Length)
            {
                throw new ArgumentException($"The target's seed has {_seed.Length} values but the network has {seed.Length} outputs.", nameof(seed));
            }

            for (int i = 0; i < seed.Length; i++) seed[i] = T.CreateTruncating(_seed[i]);
        }

        /// <summary>
        /// The explained quantity read from a network output: the class logit, or <c>seedᵀ·output</c>, in float64.
        /// Integrated gradients' completeness and the faithfulness curves use it.
        /// </summary>
        public double Score<T>(ReadOnlySpan<T> output) where T : unmanaged, IFloatingPointIeee754<T>
        {
            ThrowIfUnset();
            if (IsClass)
            {
                Guard.Target(ClassIndex, output.Length);
                return double.CreateTruncating(output[ClassIndex]);
            }

            if (_seed!.Length != output.Length)
            {
                throw new ArgumentException($"The target's seed has {_seed.Length} values but the network has {output.Length} outputs.", nameof(output));
            }

            double sum = 0;
            for (int i = 0; i < output.Length; i++) sum += _seed[i] * double.CreateTruncating(output[i]);
            return sum;
        }

        internal void ThrowIfUnset()
        {
            if (IsUnset) throw new ArgumentException("default(Target) names nothing: use Target.Class(i), an int, or Target.Seed(...).", "target");
        }

        /// <inheritdoc />
        public bool Equals(Target other) =>
            _classPlusOne == other._classPlusOne &&
            (_seed is null ? other._seed is null : other._seed is not null && _seed.AsSpan().SequenceEqual(other._seed));

        /// <inheritdoc />
        public override bool Equals(object? obj) => obj is Target other && Equals(other);

        /// <inheritdoc />
        public override int GetHashCode() => _seed is null ? (int)_classPlusOne : HashCode.Combine(_seed.Length, _seed[0]);

        /// <summary>Value equality.</summary>
        public static bool operator ==(Target left, Target right) => left.Equals(right);

        /// <summary>Value inequality.</summary>
        public static bool operator !=(Target left, Target right) => !left.Equals(right);

        /// <summary><c>class 3</c>, <c>seed [0.5, -1]</c> or <c>unset</c>.</summary>
        public override string ToString() =>
            IsUnset ? "unset" : IsClass ? $"class {ClassIndex}" : "seed [" + string.Join(", ", _seed!.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))) + "]";
    }
}
