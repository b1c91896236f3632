using Relucent.Model;

namespace Relucent.Kernels
{
    /// <summary>
    /// The constant sizes of one adaptive average pooling layer (<c>nn.AdaptiveAvgPool2d</c>): output row <c>i</c> averages the
    /// input rows <c>[⌊i·H/out⌋, ⌈(i+1)·H/out⌉)</c> (<see cref="WindowArithmetic.AdaptiveStart"/>, <see cref="WindowArithmetic.AdaptiveEnd"/>),
    /// columns alike: any input size, bins that overlap or repeat when the output is larger than the input.
    /// </summary>
    public readonly struct AdaptivePoolGeometry
    {
        /// <summary>Describes pooling a <c>[channels, height, width]</c> input to <c>[channels, outputHeight, outputWidth]</c>.</summary>
        /// <exception cref="ArgumentException">A size is not positive, or the input or output would exceed <see cref="Limits.MaxElements"/> values.</exception>
        public AdaptivePoolGeometry(int channels, int height, int width, int outputHeight, int outputWidth)
        {
            if (channels <= 0 || height <= 0 || width <= 0 || outputHeight <= 0 || outputWidth <= 0)
            {
                throw new ArgumentException($"Invalid adaptive pooling: input [{channels}, {height}, {width}] to {outputHeight}×{outputWidth}.");
            }
            string what = $"Adaptive average pooling of [{channels}, {height}, {width}] to {outputHeight}×{outputWidth}";
            Check.Within(what, "input", (long)channels * height * width);
            Check.Within(what, "output", (long)channels * outputHeight * outputWidth);
            Channels = channels;
            Height = height;
            Width = width;
            OutputHeight = outputHeight;
            OutputWidth = outputWidth;
        }

        /// <summary>Channels, unchanged by pooling.</summary>
        public int Channels { get; }

        /// <summary>Input height.</summary>
        public int Height { get; }

        /// <summary>Input width.</summary>
        public int Width { get; }

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
