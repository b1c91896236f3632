namespace Relucent.Model
{
    /// <summary>What kind of mistake a <see cref="LayerError"/> reports; each maps to one diagnostic ID.</summary>
    public enum LayerErrorKind
    {
        /// <summary>A size, stride, padding, kernel, probability or epsilon outside its allowed range.</summary>
        InvalidArgument,

        /// <summary>The layer cannot take the shape arriving at it (kernel larger than its input, Dense on an image...).</summary>
        ShapeMismatch,

        /// <summary>A block whose chains disagree in shape: a residual branch and its shortcut, or concatenated branches of different heights and widths.</summary>
        ResidualShape,

        /// <summary>A tensor too large to hold (more than <see cref="ShapeRules.MaxElements"/> values).</summary>
        TooLarge,

        /// <summary>Two parameters with the same name.</summary>
        DuplicateName,

        /// <summary>A network deeper or longer than <see cref="Limits"/> allows (blocks nested too deeply, too many layers).</summary>
        BeyondLimits,
    }

    /// <summary>
    /// A mistake in a declared network, found by <see cref="ShapeRules"/>: the generator reports it as a
    /// diagnostic at <see cref="Path"/>'s call (and <see cref="Argument"/>, when one argument is at fault),
    /// the run-time builder throws it.
    /// </summary>
    /// <param name="Path">Indices of the faulty layer: <c>[3]</c>, or <c>[2, 0, 1]</c> for the second layer of the first branch of block 2 (see <see cref="LayerPath"/>).</param>
    /// <param name="Argument">The DSL parameter whose value is wrong (<c>"kernel"</c>), or null when the call as a whole is.</param>
    /// <param name="Kind">The kind of mistake.</param>
    /// <param name="Message">A sentence naming the values involved.</param>
    public sealed record LayerError(EquatableArray<int> Path, string? Argument, LayerErrorKind Kind, string Message)
    {
        /// <summary>The edit that mends the declaration, when there is one an editor can make (a code fix offers it).</summary>
        public LayerFix Fix { get; init; }
    }

    /// <summary>An edit that mends a declaration a shape rule refused.</summary>
    public enum LayerFix
    {
        /// <summary>No mechanical fix.</summary>
        None,

        /// <summary>Insert <c>.Flatten()</c> before the call: it needs a feature vector and receives an image.</summary>
        InsertFlatten,
    }
}
