namespace Relucent.Model
{
    /// <summary>The sentences the shape rules use, so every kind words the same mistake the same way.</summary>
    internal static class LayerErrors
    {
        /// <summary>An argument outside its range: <c>Conv2D stride must be positive, got 0 (layer 0)</c>.</summary>
        public static LayerError Invalid(LayerPath at, Argument argument, string sentence) =>
            Create(at, argument, LayerErrorKind.InvalidArgument, sentence);

        /// <summary>A layer that cannot take the shape arriving at it, blamed on <paramref name="argument"/> or the whole call.</summary>
        public static LayerError Mismatch(LayerPath at, Argument? argument, string sentence) =>
            Create(at, argument, LayerErrorKind.ShapeMismatch, sentence);

        /// <summary>A tensor or kernel buffer beyond <see cref="Limits.MaxElements"/>.</summary>
        public static LayerError TooLarge(LayerPath at, string what) =>
            Create(at, null, LayerErrorKind.TooLarge, $"{what} would hold more than the {Limits.MaxElements} values a tensor may hold");

        /// <summary>Null when <paramref name="value"/> is positive, else the error for <c>{call} {argument} must be positive</c>.</summary>
        public static LayerError? Positive(LayerPath at, string call, Argument argument, int value) =>
            value > 0 ? null : Invalid(at, argument, $"{call} {argument.Name} must be positive, got {Format.Int(value)}");

        /// <summary>Null when every side of <paramref name="padding"/> is at least zero.</summary>
        public static LayerError? NotNegative(LayerPath at, string call, Argument argument, Padding padding) =>
            padding.Top >= 0 && padding.Left >= 0 && padding.Bottom >= 0 && padding.Right >= 0
                ? null
                : Invalid(at, argument, $"{call} padding must not be negative, got {padding}");

        /// <summary>Null when the layer's LRP <paramref name="rule"/> (if any) has valid parameters.</summary>
        public static LayerError? ValidRule(LayerPath at, Argument argument, LrpRule? rule) =>
            rule?.Problem() is string problem ? Invalid(at, argument, problem) : null;

        /// <summary>Null for an image, else the error for a layer that needs one.</summary>
        public static LayerError? NeedsImage(LayerPath at, string call, Shape input) =>
            input.IsImage ? null : Mismatch(at, null, $"{call} needs an image [C, H, W], but its input is the vector {input}");

        /// <summary>Null for a vector, else the error for a layer that needs one.</summary>
        public static LayerError? NeedsVector(LayerPath at, string call, Shape input) =>
            input.IsImage
                ? Mismatch(at, null, $"{call} needs a feature vector, but its input is the image {input}; insert .Flatten() before it") with { Fix = LayerFix.InsertFlatten }
                : null;

        private static LayerError Create(LayerPath at, Argument? argument, LayerErrorKind kind, string sentence) =>
            new LayerError(new EquatableArray<int>(at.Indices), argument?.Name, kind, sentence + " " + at.Where);
    }
}
