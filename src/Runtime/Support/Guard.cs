namespace Relucent
{
    /// <summary>
    /// Argument checks the generated code runs before any work, so a wrong call fails with a message naming
    /// the argument, the expected value and the actual one, never with a crash or a plausible wrong map.
    /// </summary>
    public static class Guard
    {
        /// <summary>Throws unless <paramref name="values"/> holds exactly <paramref name="expected"/> values (a tensor of <paramref name="shape"/>).</summary>
        public static void Length<T>(ReadOnlySpan<T> values, int expected, string argument, string shape)
        {
            if (values.Length != expected)
            {
                throw new ArgumentException($"{argument} has {values.Length} values, expected {expected} (shape {shape}).", argument);
            }
        }

        /// <summary>
        /// Throws unless <paramref name="values"/> holds exactly the values of one tensor of <paramref name="shape"/>; the shape
        /// is formatted only for the message, so a call that passes allocates nothing.
        /// </summary>
        public static void Length<T>(ReadOnlySpan<T> values, Relucent.Model.Shape shape, string argument)
        {
            if (values.Length != shape.Size)
            {
                throw new ArgumentException($"{argument} has {values.Length} values, expected {shape.Size} (shape {shape}).", argument);
            }
        }

        /// <summary>Throws unless a matrix of <paramref name="actualRows"/> × <paramref name="actualColumns"/> is <paramref name="rows"/> × <paramref name="columns"/>.</summary>
        public static void MatrixSize(int actualRows, int actualColumns, int rows, int columns, string argument)
        {
            if (actualRows != rows || actualColumns != columns)
            {
                throw new ArgumentException($"{argument} is {actualRows}×{actualColumns}, expected {rows}×{columns} (height × width of the single-channel input).", argument);
            }
        }

        /// <summary>
        /// Throws unless every value is finite: a NaN or an infinity in an input would flow through every layer and
        /// come out as a map of NaN, or worse, a plausible map built around it. One pass over the values.
        /// </summary>
        public static void Finite<T>(ReadOnlySpan<T> values, string argument) where T : System.Numerics.IFloatingPointIeee754<T> =>
            Finite(values, argument, " (A caller that has already checked may set workspace.CheckFinite = false to skip this scan.)");

        /// <summary>As <see cref="Finite{T}(ReadOnlySpan{T}, string)"/>, ending the message with <paramref name="hint"/> (empty for none).</summary>
        public static void Finite<T>(ReadOnlySpan<T> values, string argument, string hint) where T : System.Numerics.IFloatingPointIeee754<T>
        {
            for (int i = 0; i < values.Length; i++)
            {
                if (!T.IsFinite(values[i]))
                {
                    throw new ArgumentException(
                        $"{argument} holds {(T.IsNaN(values[i]) ? "NaN" : values[i] > T.Zero ? "+infinity" : "-infinity")} at index {i}; expected finite values.{hint}", argument);
                }
            }
        }

        /// <summary>
        /// Throws <see cref="NonFiniteResultException"/> unless every value of a result (<paramref name="what"/>:
        /// <c>the logits</c>, <c>the map</c>) computed from finite inputs is finite: one pass, run after the forward pass
        /// over the logits and after the backward pass over the map, so an overflow inside the network is reported
        /// instead of returned as a map of NaN, or of zeros where NaN met a ReLU.
        /// </summary>
        public static void FiniteResult<T>(ReadOnlySpan<T> values, string what) where T : System.Numerics.IFloatingPointIeee754<T>
        {
            for (int i = 0; i < values.Length; i++)
            {
                if (!T.IsFinite(values[i]))
                {
                    throw new NonFiniteResultException(what, T.IsNaN(values[i]) ? "NaN" : values[i] > T.Zero ? "+infinity" : "-infinity", i);
                }
            }
        }

        /// <summary>
        /// As <see cref="FiniteResult{T}(ReadOnlySpan{T}, string)"/> with <c>what</c> = <paramref name="what"/> +
        /// <paramref name="name"/>, joined only when a value is not finite (nothing is allocated on the way that passes).
        /// </summary>
        public static void FiniteResult<T>(ReadOnlySpan<T> values, string what, string name) where T : System.Numerics.IFloatingPointIeee754<T>
        {
            for (int i = 0; i < values.Length; i++)
            {
                if (!T.IsFinite(values[i])) FiniteResult(values, what + name);
            }
        }

        /// <summary>Throws unless a list of buffers holds exactly <paramref name="expected"/> entries (one per parameter).</summary>
        public static void Count(int actual, int expected, string argument)
        {
            if (actual != expected)
            {
                throw new ArgumentException($"{argument} has {actual} buffers, expected {expected} (one per parameter; use CreateGradients()).", argument);
            }
        }

        /// <summary>Throws unless <paramref name="target"/> names one of the <paramref name="classes"/> outputs.</summary>
        public static void Target(int target, int classes, string argument = "target")
        {
            if ((uint)target >= (uint)classes)
            {
                throw new ArgumentOutOfRangeException(argument, target, $"{argument} is {target}, but the network has {classes} outputs (0 to {classes - 1}).");
            }
        }
    }
}
