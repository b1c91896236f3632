using Relucent.Model;

namespace Relucent.Kernels
{
    /// <summary>
    /// The constant sizes of one convolution, computed once (the generated code builds it from constants) so the kernels need
    /// not re-derive output sizes on every call. PyTorch's and ONNX's <c>Conv2d</c>: cross-correlation with a square kernel,
    /// zero padding that may differ on each side, and <see cref="Groups"/> that split the channels and filters into
    /// independent convolutions (the weight is <c>[filters, channels / groups, k, k]</c>; depthwise when groups equals the
    /// channels). A geometry that exists is one the kernels can run: its tensors and scratch buffers all fit within
    /// <see cref="Limits.MaxElements"/>, so their index arithmetic cannot overflow an <c>int</c>.
    /// </summary>
    public readonly struct ConvolutionGeometry
    {
        /// <summary>Describes a convolution of a <c>[channels, height, width]</c> input with <c>filters</c> square kernels, the same padding on every side.</summary>
        /// <exception cref="ArgumentException">As for <see cref="ConvolutionGeometry(int, int, int, int, int, int, int, int, int, int, int)"/>.</exception>
        public ConvolutionGeometry(int channels, int height, int width, int filters, int kernel, int stride, int padding)
            : this(channels, height, width, filters, kernel, stride, padding, padding, padding, padding, 1)
        {
        }

        /// <summary>
        /// Describes a convolution of a <c>[channels, height, width]</c> input with <c>filters</c> square kernels, padded by
        /// <paramref name="padTop"/> rows above, <paramref name="padLeft"/> columns on the left and so on, in
        /// <paramref name="groups"/> groups (which must divide both the channels and the filters).
        /// </summary>
        /// <exception cref="ArgumentException">An argument is out of range, the groups do not divide the channels and filters,
        /// the kernel is larger than the padded input, or a tensor or kernel scratch buffer of this layer would exceed
        /// <see cref="Limits.MaxElements"/> values (see <see cref="KernelScratch.Convolution"/>): checked here, in <c>long</c>,
        /// before any kernel forms a pointer.</exception>
        public ConvolutionGeometry(int channels, int height, int width, int filters, int kernel, int stride,
            int padTop, int padLeft, int padBottom, int padRight, int groups)
        {
            string padding = padTop == padLeft && padTop == padBottom && padTop == padRight ? $"padding {padTop}" : $"padding [{padTop}, {padLeft}, {padBottom}, {padRight}]";
            string what = $"Convolution of [{channels}, {height}, {width}] by {filters} filters of {kernel}×{kernel}, stride {stride}, {padding}"
                + (groups == 1 ? "" : $", {groups} groups");
            if (channels <= 0 || height <= 0 || width <= 0 || filters <= 0 || kernel <= 0 || stride <= 0 || groups <= 0
                || padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0)
            {
                throw new ArgumentException($"Invalid convolution: input [{channels}, {height}, {width}], {filters} filters, kernel {kernel}, stride {stride}, {padding}, {groups} groups.");
            }
            if (channels % groups != 0 || filters % groups != 0)
            {
                throw new ArgumentException($"{what}: the groups must divide both the channels and the filters.");
            }
            if (!WindowArithmetic.TryOutputSize(height, kernel, stride, padTop, padBottom, false, out int outputHeight)
                || !WindowArithmetic.TryOutputSize(width, kernel, stride, padLeft, padRight, false, out int outputWidth))
            {
                throw new ArgumentException($"{what}: the kernel is larger than the padded input {(long)height + padTop + padBottom}×{(long)width + padLeft + padRight}, or the output size does not fit in an int.");
            }
            Check.Within(what, "input", (long)channels * height * width);
            Check.Within(what, "output", (long)filters * outputHeight * outputWidth);
            Check.Within(what, "weight", (long)filters * (channels / groups) * kernel * kernel);
            Check.Within(what, "kernel scratch buffer", KernelScratch.Convolution(channels, height, width, filters, kernel, stride, padTop, padLeft, padBottom, padRight, groups));
            Channels = channels;
            Height = height;
            Width = width;
            Filters = filters;
            Kernel = kernel;
            Stride = stride;
            PadTop = padTop;
            PadLeft = padLeft;
            PadBottom = padBottom;
            PadRight = padRight;
            Groups = groups;
            OutputHeight = outputHeight;
            OutputWidth = outputWidth;
        }

        /// <summary>Input channels.</summary>
        public int Channels { get; }

        /// <summary>Input height.</summary>
        public int Height { get; }

        /// <summary>Input width.</summary>
        public int Width { get; }

        /// <summary>Output channels.</summary>
        public int Filters { get; }

        /// <summary>Kernel side.</summary>
        public int Kernel { get; }

        /// <summary>Step between windows.</summary>
        public int Stride { get; }

        /// <summary>Zero rows added above the input.</summary>
        public int PadTop { get; }

        /// <summary>Zero columns added left of the input.</summary>
        public int PadLeft { get; }

        /// <summary>Zero rows added below the input.</summary>
        public int PadBottom { get; }

        /// <summary>Zero columns added right of the input.</summary>
        public int PadRight { get; }

        /// <summary>Zeros added on each side, when all four sides are padded alike.</summary>
        /// <exception cref="InvalidOperationException">The padding differs between sides (read <see cref="PadTop"/> and the others).</exception>
        public int Padding => PadTop == PadLeft && PadTop == PadBottom && PadTop == PadRight
            ? PadTop
            : throw new InvalidOperationException($"This convolution is padded [{PadTop}, {PadLeft}, {PadBottom}, {PadRight}] (top, left, bottom, right), not alike on every side.");

        /// <summary>Groups: filter <c>f</c> sees only the channels of its group, <c>[g·C/G, (g+1)·C/G)</c> with <c>g = f / (F/G)</c>.</summary>
        public int Groups { get; }

        /// <summary>Input channels per group, <c>C / G</c>: the weight's second dimension.</summary>
        public int GroupChannels => Channels / Groups;

        /// <summary>Filters per group, <c>F / G</c>.</summary>
        public int GroupFilters => Filters / Groups;

        /// <summary>Whether each filter sees one channel of its own (groups equal to the channels and the filters): a depthwise convolution.</summary>
        public bool IsDepthwise => Groups == Channels && Groups == Filters;

        /// <summary>Output height, rounded down as PyTorch does.</summary>
        public int OutputHeight { get; }

        /// <summary>Output width, rounded down as PyTorch does.</summary>
        public int OutputWidth { get; }

        /// <summary>Values in one input example.</summary>
        public int InputSize => Channels * Height * Width;

        /// <summary>Values in one output example.</summary>
        public int OutputSize => Filters * OutputHeight * OutputWidth;

        /// <summary>Values in the weight, <c>F · (C/G) · k · k</c>.</summary>
        public int WeightSize => Filters * GroupChannels * Kernel * Kernel;

        /// <summary>The output columns <c>[first, last)</c> whose tap <paramref name="kx"/> falls inside the input (not in the padding).</summary>
        public void ColumnRange(int kx, out int first, out int last) => Range(kx, PadLeft, Width, OutputWidth, out first, out last);

        /// <summary>The output rows <c>[first, last)</c> whose tap <paramref name="ky"/> falls inside the input (not in the padding).</summary>
        public void RowRange(int ky, out int first, out int last) => Range(ky, PadTop, Height, OutputHeight, out first, out last);

        private void Range(int tap, int pad, int size, int outputs, out int first, out int last)
        {
            // o·s − pad + tap ∈ [0, size)  ⇔  o ≥ ⌈(pad − tap) / s⌉  and  o ≤ ⌊(size − 1 + pad − tap) / s⌋
            int low = pad - tap;
            first = low <= 0 ? 0 : (low + Stride - 1) / Stride;
            int high = size - 1 + pad - tap;
            last = high < 0 ? 0 : Math.Min(outputs, high / Stride + 1);
            if (last < first) last = first;
        }
    }
}
