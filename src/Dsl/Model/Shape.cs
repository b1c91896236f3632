using System;

namespace Relucent.Model
{
    /// <summary>
    /// The shape of one example flowing through a network: a feature vector <c>[features]</c> or an
    /// image <c>[channels, height, width]</c> in PyTorch's NCHW order (the batch dimension is implicit).
    /// </summary>
    public readonly struct Shape : IEquatable<Shape>
    {
        private Shape(int rank, int channels, int height, int width)
        {
            Rank = rank;
            Channels = channels;
            Height = height;
            Width = width;
        }

        /// <summary>A feature vector of <paramref name="features"/> values.</summary>
        public static Shape Vector(int features) => new Shape(1, features, 1, 1);

        /// <summary>An image of <paramref name="channels"/> planes of <paramref name="height"/> × <paramref name="width"/>.</summary>
        public static Shape Image(int channels, int height, int width) => new Shape(3, channels, height, width);

        /// <summary>1 for a feature vector, 3 for an image.</summary>
        public int Rank { get; }

        /// <summary>The number of channels of an image, or the number of features of a vector.</summary>
        public int Channels { get; }

        /// <summary>The image height (1 for a vector).</summary>
        public int Height { get; }

        /// <summary>The image width (1 for a vector).</summary>
        public int Width { get; }

        /// <summary>Whether this is an image <c>[C, H, W]</c>.</summary>
        public bool IsImage => Rank == 3;

        /// <summary>The number of values, C·H·W for an image; saturates at <see cref="long.MaxValue"/> never, as sizes are checked.</summary>
        public long Size => (long)Channels * Height * Width;

        /// <summary>The dimensions, as PyTorch lists them for one example.</summary>
        public int[] Dimensions => IsImage ? new[] { Channels, Height, Width } : new[] { Channels };

        /// <inheritdoc />
        public bool Equals(Shape other) =>
            Rank == other.Rank && Channels == other.Channels && Height == other.Height && Width == other.Width;

        /// <inheritdoc />
        public override bool Equals(object? obj) => obj is Shape other && Equals(other);

        /// <inheritdoc />
        public override int GetHashCode() => unchecked((((Rank * 397) ^ Channels) * 397 ^ Height) * 397 ^ Width);

        /// <summary>Value equality.</summary>
        public static bool operator ==(Shape left, Shape right) => left.Equals(right);

        /// <summary>Value inequality.</summary>
        public static bool operator !=(Shape left, Shape right) => !left.Equals(right);

        /// <summary><c>[8]</c> or <c>[3, 32, 32]</c>, as PyTorch prints a shape.</summary>
        public override string ToString() => "[" + string.Join(", ", Dimensions) + "]";
    }
}
