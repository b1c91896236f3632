namespace Relucent
{
    /// <summary>
    /// A network computed NaN or infinity from finite inputs and weights: an activation overflowed (typically a
    /// diverged network, whose finite weights are too large for the products of its layers). The result is refused
    /// rather than returned, since a map of NaN, or of zeros where NaN met a ReLU, would pass for an explanation.
    /// </summary>
    public sealed class NonFiniteResultException : ArithmeticException
    {
        /// <summary>Reports that <paramref name="what"/> (<c>the logits</c>, <c>the map</c>) held <paramref name="value"/> at <paramref name="index"/>.</summary>
        public NonFiniteResultException(string what, string value, int index)
            : base($"{what} hold {value} at index {index}, computed from finite inputs and weights: an activation overflowed its precision "
                + "(weights too large for the network's products, as after a diverged training run). Check the weights, or compute in double precision.")
        {
            What = what;
            Index = index;
        }

        /// <summary>What held the value: <c>the logits</c> or <c>the map</c>.</summary>
        public string What { get; }

        /// <summary>The position of the first non-finite value.</summary>
        public int Index { get; }
    }
}
