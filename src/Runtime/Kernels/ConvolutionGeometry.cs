using Relucent.Model;

namespace Relucent.Kernels
{
    /// <summary>
    /// The constant sizes of one convolution, computed once (the generated code builds it from constants)
    /// so the kernels need not re-derive output sizes on every call. A geometry that exists is one the kernels can run:
    /// its tensors and scratch buffers all fit within <see cref="Limits.MaxElements"/>, so their index arithmetic cannot
    /// overflow an <c>int</c>.
    /// </summary>
    public readonly struct ConvolutionGeometry
    {
        /// <summary>Describes a convolution of a <c>[channels, height, width]</c> input with <c>filters</c> square kernels.</summary>
        /// <exception cref="ArgumentException">An argument is out of range, the kernel is larger than the padded input, or a
        /// tensor or kernel scratch buffer of this layer would exceed <see cref="Limits.MaxElements"/> values (see
        /// <see cref="KernelScratch.Convolution"/>): checked here, in <c>long</c>, before any kernel forms a pointer.</exception>
        public ConvolutionGeometry(int channels, int height, int width, int filters, int kernel, int stride, int padding)
        {
            string what = $"Convolution of [{channels}, {height}, {width}] by {filters} filters of {kernel}×{kernel}, stride {stride}, padding {padding}";
            if (channels <= 0 || height <= 0 || width <= 0 || filters <= 0 || kernel <= 0 || stride <= 0 || padding < 0)
            {
                throw new ArgumentException($"Invalid convolution: input [{channels}, {height}, {width}], {filters} filters, kernel {kernel}, stride {stride}, padding {padding}.");
            }
            if (!WindowArithmetic.TryOutputSize(height, kernel, stride, padding, padding, false, out int outputHeight)
                || !WindowArithmetic.TryOutputSize(width, kernel, stride, padding, padding, false, out int outputWidth))
            {
                throw new ArgumentException($"{what}: the kernel is larger than the padded input {(long)height + 2L * padding}×{(long)width + 2L * padding}, or the output size does not fit in an int.");
            }
            Check.Within(what, "input", (long)channels * height * width);
            Check.Within(what, "output", (long)filters * outputHeight * outputWidth);
            Check.Within(what, "weight", (long)filters * channels * kernel * kernel);
            Check.Within(what, "kernel scratch buffer", KernelScratch.Convolution(channels, height, width, filters, kernel, stride, padding, padding, padding, padding, 1));
            Channels = channels;
            Height = height;
            Width = width;
            Filters = filters;
            Kernel = kernel;
            Stride = stride;
            Padding = padding;
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

        /// <summary>Zeros added on each side.</summary>
        public int Padding { get; }

        /// <summary>Output height, rounded down as PyTorch does.</summary>
        public int OutputHeight { get; }

        /// <summary>Output width, rounded down as PyTorch does.</summary>
        public int OutputWidth { get; }

        /// <summary>Values in one input example.</summary>
        public int InputSize => Channels * Height * Width;

        /// <summary>Values in one output example.</summary>
        public int OutputSize => Filters * OutputHeight * OutputWidth;

        /// <summary>Values in the weight.</summary>
        public int WeightSize => Filters * Channels * Kernel * Kernel;

        /// <summary>The output columns <c>[first, last)</c> whose tap <paramref name="kx"/> falls inside the input (not in the padding).</summary>
        public void ColumnRange(int kx, out int first, out int last)
        {
            // ox·s − p + kx ∈ [0, W)  ⇔  ox ≥ ⌈(p − kx) / s⌉  and  ox ≤ ⌊(W − 1 + p − kx) / s⌉
            int low = Padding - kx;
            first = low <= 0 ? 0 : (low + Stride - 1) / Stride;
            int high = Width - 1 + Padding - kx;
            last = high < 0 ? 0 : Math.Min(OutputWidth, high / Stride + 1);
            if (last < first) last = first;
        }
    }
}
