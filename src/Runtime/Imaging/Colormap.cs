using SixLabors.ImageSharp.PixelFormats;

namespace Relucent.Imaging
{
    /// <summary>
    /// A colormap: colours at positions in [0, 1], linearly interpolated in sRGB between them and rounded to bytes
    /// (half away from zero), so a value always gives the same colour.
    /// </summary>
    /// <remarks>
    /// <see cref="Hot"/> is the default for non-negative maps (<see cref="IsDiverging"/> false: 0 is black, the
    /// largest value white); <see cref="BlueWhiteRed"/> the default for signed maps (diverging: 0 is white at the middle,
    /// negative blue, positive red). Namespace <c>Relucent.Imaging</c>, as the runtime's Imaging folder.
    /// </remarks>
    public sealed class Colormap
    {
        private readonly double[] _positions;
        private readonly Rgb24[] _colors;

        private Colormap(string name, bool diverging, double[] positions, Rgb24[] colors)
        {
            Name = name;
            IsDiverging = diverging;
            _positions = positions;
            _colors = colors;
        }

        /// <summary>Black → red → yellow → white at 0, 3/8, 3/4, 1: sequential, for non-negative maps.</summary>
        public static Colormap Hot { get; } = FromStops("hot", false,
            (0, new Rgb24(0, 0, 0)), (0.375, new Rgb24(255, 0, 0)), (0.75, new Rgb24(255, 255, 0)), (1, new Rgb24(255, 255, 255)));

        /// <summary>Black → white: sequential.</summary>
        public static Colormap Gray { get; } = FromStops("gray", false, (0, new Rgb24(0, 0, 0)), (1, new Rgb24(255, 255, 255)));

        /// <summary>
        /// Blue (33, 102, 172) → white at 0.5 → red (178, 24, 43): diverging, for signed maps with zero at the middle
        /// (the end colours are ColorBrewer RdBu's).
        /// </summary>
        public static Colormap BlueWhiteRed { get; } = FromStops("blue-white-red", true,
            (0, new Rgb24(33, 102, 172)), (0.5, new Rgb24(255, 255, 255)), (1, new Rgb24(178, 24, 43)));

        /// <summary>The name given to the colormap.</summary>
        public string Name { get; }

        /// <summary>Whether 0.5 is the neutral colour for zero, with negative values below and positive above.</summary>
        public bool IsDiverging { get; }

        /// <summary>A colormap through <paramref name="stops"/>: positions strictly increasing from 0 to 1.</summary>
        public static Colormap FromStops(string name, bool diverging, params (double Position, Rgb24 Color)[] stops)
        {
            ArgumentNullException.ThrowIfNull(name);
            ArgumentNullException.ThrowIfNull(stops);
            if (stops.Length < 2 || stops[0].Position != 0 || stops[^1].Position != 1)
            {
                throw new ArgumentException("A colormap needs at least two stops, the first at 0 and the last at 1.", nameof(stops));
            }

            for (int i = 1; i < stops.Length; i++)
            {
                if (!(stops[i].Position > stops[i - 1].Position))
                {
                    throw new ArgumentException($"Stop positions must increase; stop {i} is at {stops[i].Position} after {stops[i - 1].Position}.", nameof(stops));
                }
            }

            return new Colormap(name, diverging, stops.Select(s => s.Position).ToArray(), stops.Select(s => s.Color).ToArray());
        }

        /// <summary>The colour at <paramref name="t"/>, clamped to [0, 1] (NaN gives the colour at 0).</summary>
        public Rgb24 Map(double t)
        {
            if (!(t > 0)) return _colors[0];
            if (t >= 1) return _colors[^1];
            int i = 1;
            while (_positions[i] < t) i++;
            double f = (t - _positions[i - 1]) / (_positions[i] - _positions[i - 1]);
            Rgb24 a = _colors[i - 1], b = _colors[i];
            return new Rgb24(Mix(a.R, b.R, f), Mix(a.G, b.G, f), Mix(a.B, b.B, f));
        }

        internal static byte Mix(byte a, byte b, double f) => ToByte(a + (b - a) * f);

        internal static byte ToByte(double value) => (byte)Math.Clamp(Math.Round(value, MidpointRounding.AwayFromZero), 0, 255);

        /// <summary>The name.</summary>
        public override string ToString() => Name;
    }
}
