using Relucent.Model;

namespace Relucent.Kernels
{
    /// <summary>The constant sizes of one pooling layer (no padding; output sizes rounded down as PyTorch does).</summary>
    public readonly struct PoolGeometry
    {
        /// <summary>Describes pooling a <c>[channels, height, width]</c> input with a square window.</summary>
        /// <exception cref="ArgumentException">An argument is out of range, the window is larger than the input, or the input
        /// would exceed <see cref="Limits.MaxElements"/> values (checked in <c>long</c>, before any kernel forms a pointer).</exception>
        public PoolGeometry(int channels, int height, int width, int kernel, int stride)
        {
            if (channels <= 0 || height <= 0 || width <= 0 || kernel <= 0 || stride <= 0 || kernel > height || kernel > width)
            {
                throw new ArgumentException($"Invalid pooling: input [{channels}, {height}, {width}], kernel {kernel}, stride {stride}.");
            }
            Check.Within($"Pooling of [{channels}, {height}, {width}] by {kernel}×{kernel}, stride {stride}", "input", (long)channels * height * width);
            Channels = channels;
            Height = height;
            Width = width;
            Kernel = kernel;
            Stride = stride;
            WindowArithmetic.TryOutputSize(height, kernel, stride, 0, 0, false, out int outputHeight);
            WindowArithmetic.TryOutputSize(width, kernel, stride, 0, 0, false, out int outputWidth);
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

        /// <summary>Output height.</summary>
        public int OutputHeight { get; }

        /// <summary>Output width.</summary>
        public int OutputWidth { get; }

        /// <summary>Values in one input example.</summary>
        public int InputSize => Channels * Height * Width;

        /// <summary>Values in one output example.</summary>
        public int OutputSize => Channels * OutputHeight * OutputWidth;
    }
}
