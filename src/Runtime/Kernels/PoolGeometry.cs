using Relucent.Model;

namespace Relucent.Kernels
{
    /// <summary>
    /// The constant sizes of one pooling layer: a square window moved by a stride over an input padded per side, output sizes
    /// rounded down, or up in ceil mode with PyTorch's rule (the last window must start inside the input or its leading
    /// padding). Max pooling treats the padding as −∞ (it never wins and no switch points into it); average pooling counts it
    /// in the divisor as <c>nn.AvgPool2d(count_include_pad=True)</c> does.
    /// </summary>
    public readonly struct PoolGeometry
    {
        /// <summary>Describes pooling a <c>[channels, height, width]</c> input with a square window, no padding, sizes rounded down.</summary>
        /// <exception cref="ArgumentException">As for <see cref="PoolGeometry(int, int, int, int, int, int, int, int, int, bool)"/>.</exception>
        public PoolGeometry(int channels, int height, int width, int kernel, int stride)
            : this(channels, height, width, kernel, stride, 0, 0, 0, 0, false)
        {
        }

        /// <summary>
        /// Describes pooling a <c>[channels, height, width]</c> input with a square window, <paramref name="padTop"/> rows of
        /// padding above, <paramref name="padLeft"/> columns on the left and so on, output sizes rounded up when
        /// <paramref name="ceilMode"/> is set.
        /// </summary>
        /// <exception cref="ArgumentException">An argument is out of range, a padding is not smaller than the window (a window
        /// could then hold no input value; PyTorch asks for at most half the window), the window is larger than the padded input,
        /// or the input would exceed <see cref="Limits.MaxElements"/> values (checked in <c>long</c>, before any kernel forms a pointer).</exception>
        public PoolGeometry(int channels, int height, int width, int kernel, int stride, int padTop, int padLeft, int padBottom, int padRight, bool ceilMode)
        {
            string padding = padTop == padLeft && padTop == padBottom && padTop == padRight ? $"padding {padTop}" : $"padding [{padTop}, {padLeft}, {padBottom}, {padRight}]";
            string what = $"Pooling of [{channels}, {height}, {width}] by {kernel}×{kernel}, stride {stride}, {padding}{(ceilMode ? ", ceil mode" : "")}";
            if (channels <= 0 || height <= 0 || width <= 0 || kernel <= 0 || stride <= 0 || padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0)
            {
                throw new ArgumentException($"Invalid pooling: input [{channels}, {height}, {width}], kernel {kernel}, stride {stride}, {padding}.");
            }
            if (padTop >= kernel || padLeft >= kernel || padBottom >= kernel || padRight >= kernel)
            {
                throw new ArgumentException($"{what}: each padding must be smaller than the window, or a window could hold no input value.");
            }
            if (!WindowArithmetic.TryOutputSize(height, kernel, stride, padTop, padBottom, ceilMode, out int outputHeight)
                || !WindowArithmetic.TryOutputSize(width, kernel, stride, padLeft, padRight, ceilMode, out int outputWidth))
            {
                throw new ArgumentException($"{what}: the window is larger than the padded input {(long)height + padTop + padBottom}×{(long)width + padLeft + padRight}.");
            }
            Check.Within(what, "input", (long)channels * height * width);
            Channels = channels;
            Height = height;
            Width = width;
            Kernel = kernel;
            Stride = stride;
            PadTop = padTop;
            PadLeft = padLeft;
            PadBottom = padBottom;
            PadRight = padRight;
            CeilMode = ceilMode;
            OutputHeight = outputHeight;
            OutputWidth = outputWidth;
        }

        /// <summary>Channels, unchanged by pooling.</summary>
        public int Channels { get; }

        /// <summary>Input height.</summary>
        public int Height { get; }

        /// <summary>Input width.</summary>
        public int Width { get; }

        /// <summary>Window side.</summary>
        public int Kernel { get; }

        /// <summary>Step between windows.</summary>
        public int Stride { get; }

        /// <summary>Padding rows above the input.</summary>
        public int PadTop { get; }

        /// <summary>Padding columns left of the input.</summary>
        public int PadLeft { get; }

        /// <summary>Padding rows below the input.</summary>
        public int PadBottom { get; }

        /// <summary>Padding columns right of the input.</summary>
        public int PadRight { get; }

        /// <summary>Whether output sizes are rounded up (PyTorch's <c>ceil_mode</c>).</summary>
        public bool CeilMode { get; }

        /// <summary>Output height.</summary>
        public int OutputHeight { get; }

        /// <summary>Output width.</summary>
        public int OutputWidth { get; }

        /// <summary>Values in one input example.</summary>
        public int InputSize => Channels * Height * Width;

        /// <summary>Values in one output example.</summary>
        public int OutputSize => Channels * OutputHeight * OutputWidth;

        /// <summary>Whether no padding and no ceil-mode window reaches outside the input: every window lies wholly inside it.</summary>
        internal bool Unpadded => PadTop == 0 && PadLeft == 0 && (OutputHeight - 1) * Stride + Kernel <= Height && (OutputWidth - 1) * Stride + Kernel <= Width;

        /// <summary>The input rows <c>[first, end)</c> of output row <paramref name="oy"/>'s window, clipped to the input.</summary>
        internal void Rows(int oy, out int first, out int end) => Clip(oy, PadTop, Height, out first, out end);

        /// <summary>The input columns <c>[first, end)</c> of output column <paramref name="ox"/>'s window, clipped to the input.</summary>
        internal void Columns(int ox, out int first, out int end) => Clip(ox, PadLeft, Width, out first, out end);

        private void Clip(int o, int pad, int size, out int first, out int end)
        {
            int start = o * Stride - pad;
            first = Math.Max(start, 0);
            end = Math.Min(start + Kernel, size);
        }
    }
}
