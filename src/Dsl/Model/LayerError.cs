namespace Relucent.Model
{
    /// <summary>What kind of mistake a <see cref="LayerError"/> reports; each maps to one diagnostic ID.</summary>
    public enum LayerErrorKind
    {
        /// <summary>A size, stride, padding, kernel, probability or epsilon outside its allowed range.</summary>
        InvalidArgument,

        /// <summary>The layer cannot take the shape arriving at it (kernel larger than its input, Dense on an image...).</summary>
        ShapeMismatch,

        /// <summary>A residual branch whose output shape differs from its input shape.</summary>
        ResidualShape,

        /// <summary>A tensor too large to hold (more than <see cref="ShapeRules.MaxElements"/> values).</summary>
        TooLarge,

        /// <summary>Two parameters with the same name.</summary>
        DuplicateName,
    }

    /// <summary>
    /// A mistake in a declared network, found by <see cref="ShapeRules"/>: the generator reports it as a
    /// diagnostic at <see cref="Path"/>'s call (and <see cref="Argument"/>, when one argument is at fault),
    /// the run-time builder throws it.
    /// </summary>
    /// <param name="Path">Indices of the faulty layer: <c>[3]</c>, or <c>[2, 1]</c> for the second layer inside residual block 2.</param>
    /// <param name="Argument">The DSL parameter whose value is wrong (<c>"kernel"</c>), or null when the call as a whole is.</param>
    /// <param name="Kind">The kind of mistake.</param>
    /// <param name="Message">A sentence naming the values involved.</param>
    public sealed record LayerError(EquatableArray<int> Path, string? Argument, LayerErrorKind Kind, string Message);
}
