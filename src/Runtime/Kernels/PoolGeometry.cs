namespace Relucent.Kernels
{
    /// <summary>The constant sizes of one pooling layer (no padding; output sizes rounded down as PyTorch does).</summary>
    public readonly struct PoolGeometry
    {
        /// <summary>Describes pooling a <c>[channels, height, width]</c> input with a square window.</summary>
        public PoolGeometry(int channels, int height, int width, int kernel, int stride)
        {
            if (channels <= 0 || height <= 0 || width <= 0 || kernel <= 0 || stride <= 0 || kernel > height || kernel > width)
            {
                throw new ArgumentException($"Invalid pooling: input [{channels}, {height}, {width}], kernel {kernel}, stride {stride}.");
            }
            Channels = channels;
            Height = height;
            Width = width;
            Kernel = kernel;
            Stride = stride;
            OutputHeight = (height - kernel) / stride + 1;
            OutputWidth = (width - kernel) / stride + 1;
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
