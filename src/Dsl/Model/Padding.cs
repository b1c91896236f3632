using System;
using System.Globalization;

namespace Relucent
{
    /// <summary>
    /// Zero padding around an image, per side. An <see cref="int"/> converts to the same padding on every side
    /// (<c>padding: 1</c>, as PyTorch's <c>padding=1</c>); <c>new Padding(top: 3, left: 3, bottom: 2, right: 2)</c> pads
    /// each side as ONNX's <c>pads = [3, 3, 2, 2]</c> does (graphs exported with "same" padding need it).
    /// </summary>
    public readonly struct Padding : IEquatable<Padding>
    {
        /// <summary>Padding of <paramref name="top"/> rows above, <paramref name="left"/> columns left, and so on.</summary>
        public Padding(int top, int left, int bottom, int right)
        {
            Top = top;
            Left = left;
            Bottom = bottom;
            Right = right;
        }

        /// <summary>The same padding on every side.</summary>
        public static implicit operator Padding(int all) => new Padding(all, all, all, all);

        /// <summary>Rows added above.</summary>
        public int Top { get; }

        /// <summary>Columns added on the left.</summary>
        public int Left { get; }

        /// <summary>Rows added below.</summary>
        public int Bottom { get; }

        /// <summary>Columns added on the right.</summary>
        public int Right { get; }

        /// <summary>Whether every side has the same padding, which an <see cref="int"/> can say.</summary>
        public bool IsUniform => Top == Left && Left == Bottom && Bottom == Right;

        /// <summary>Whether no side is padded.</summary>
        public bool IsZero => Top == 0 && Left == 0 && Bottom == 0 && Right == 0;

        /// <inheritdoc />
        public bool Equals(Padding other) => Top == other.Top && Left == other.Left && Bottom == other.Bottom && Right == other.Right;

        /// <inheritdoc />
        public override bool Equals(object? obj) => obj is Padding other && Equals(other);

        /// <inheritdoc />
        public override int GetHashCode() => unchecked(((Top * 397 ^ Left) * 397 ^ Bottom) * 397 ^ Right);

        /// <summary>Value equality.</summary>
        public static bool operator ==(Padding left, Padding right) => left.Equals(right);

        /// <summary>Value inequality.</summary>
        public static bool operator !=(Padding left, Padding right) => !left.Equals(right);

        /// <summary>The C# that declares it: <c>1</c>, or <c>new Padding(top: 3, left: 3, bottom: 2, right: 2)</c>.</summary>
        public override string ToString() => IsUniform
            ? Top.ToString(CultureInfo.InvariantCulture)
            : string.Format(CultureInfo.InvariantCulture, "new Padding(top: {0}, left: {1}, bottom: {2}, right: {3})", Top, Left, Bottom, Right);
    }
}
