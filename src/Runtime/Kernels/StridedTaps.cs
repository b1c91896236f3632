namespace Relucent.Kernels
{
    /// <summary>
    /// Which taps of a strided convolution reach an input position, for gathering its gradient without a division per value:
    /// input row <c>iy</c> is reached by the taps <c>ky</c> with <c>iy + pt − ky</c> a multiple of <c>s</c> (output row
    /// <c>(iy + pt − ky)/s</c>, when inside the output), and the input columns of phase <c>φ</c> (<c>ix = φ + s·j</c>) by the taps
    /// <c>kx ≡ φ + pl (mod s)</c>, at output column <c>j + (φ + pl − kx)/s</c>. Taps are listed in increasing order, so sums over
    /// them run in tap order.
    /// </summary>
    internal readonly unsafe struct StridedTaps
    {
        private readonly int* _columnCounts; // per phase
        private readonly int* _kx;           // per phase, k slots
        private readonly int* _shift;        // per phase, k slots
        private readonly int _k;
        private readonly int _s;
        private readonly int _padTop;

        /// <summary>The ints the lists need, in a buffer of at least this length.</summary>
        public static int Length(in ConvolutionGeometry g) => g.Stride * (1 + 2 * g.Kernel) + 2 * g.Kernel;

        public StridedTaps(in ConvolutionGeometry g, int* buffer)
        {
            _k = g.Kernel;
            _s = g.Stride;
            _padTop = g.PadTop;
            _columnCounts = buffer;
            _kx = buffer + _s;
            _shift = _kx + _s * _k;
            RowKy = _shift + _s * _k;
            RowOy = RowKy + _k;
            for (int phase = 0; phase < _s; phase++)
            {
                int n = 0;
                for (int kx = 0; kx < _k; kx++)
                {
                    int numerator = phase + g.PadLeft - kx;
                    if (numerator % _s != 0) continue; // exact division only: C#'s % keeps the sign
                    _kx[phase * _k + n] = kx;
                    _shift[phase * _k + n] = numerator / _s;
                    n++;
                }
                _columnCounts[phase] = n;
            }
        }

        /// <summary>The taps <c>ky</c> reaching the row last listed by <see cref="Rows"/>.</summary>
        public int* RowKy { get; }

        /// <summary>Their output rows.</summary>
        public int* RowOy { get; }

        /// <summary>Lists the taps reaching input row <paramref name="iy"/> (<see cref="RowKy"/>, <see cref="RowOy"/>) and returns how many.</summary>
        public int Rows(int iy, int outputHeight)
        {
            int n = 0;
            for (int ky = 0; ky < _k; ky++)
            {
                int numerator = iy + _padTop - ky;
                if (numerator < 0) break; // larger ky only lower it further
                if (numerator % _s != 0 || numerator / _s >= outputHeight) continue;
                RowKy[n] = ky;
                RowOy[n] = numerator / _s;
                n++;
            }
            return n;
        }

        /// <summary>The taps <c>kx</c> reaching the input columns of <paramref name="phase"/>, and their column shifts; returns how many.</summary>
        public int Columns(int phase, out int* kx, out int* shifts)
        {
            kx = _kx + phase * _k;
            shifts = _shift + phase * _k;
            return _columnCounts[phase];
        }
    }
}
