using System.Collections.Generic;

namespace Relucent.Model
{
    /// <summary>
    /// A pooling layer over square windows: its call <c>Pool(kernel, stride: s, padding: p)</c> (stride defaults to the
    /// kernel, as <c>nn.MaxPool2d</c>'s does) and its shape rule (PyTorch's: output sizes rounded down, or up in ceil mode
    /// with the last window starting inside the input or its leading padding; each side padded by at most half the window).
    /// </summary>
    public abstract record PoolLayer(int Kernel, int Stride) : Layer
    {
        /// <summary>The stride a pooling call means: the one given, or the kernel when left out (PyTorch's default).</summary>
        public static int StrideFor(int kernel, int? stride) => stride ?? kernel;

        private protected static readonly Argument KernelArgument = new Argument("kernel");
        private protected static readonly Argument StrideArgument = new Argument("stride");
        private protected static readonly Argument PaddingArgument = new Argument("padding");
        private protected static readonly Argument CeilModeArgument = new Argument("ceilMode");

        /// <summary>The padding on each side (max pooling pads with −∞, which never wins; average pooling with zeros it counts).</summary>
        public Padding Padding { get; init; }

        /// <summary>Whether output sizes round up (PyTorch's <c>ceil_mode=True</c>).</summary>
        public bool CeilMode { get; init; }

        private protected override IEnumerable<string> ArgumentText()
        {
            yield return Format.Int(Kernel);
            if (Stride != Kernel) yield return "stride: " + Format.Int(Stride);
            if (!Padding.IsZero) yield return "padding: " + Padding;
            if (CeilMode) yield return "ceilMode: true";
        }

        internal override LayerError? Check(Shape input, LayerPath at, out Shape output)
        {
            output = input;
            string call = Call.Method;
            LayerError? error = LayerErrors.Positive(at, call, KernelArgument, Kernel)
                ?? LayerErrors.Positive(at, call, StrideArgument, Stride)
                ?? LayerErrors.NotNegative(at, call, PaddingArgument, Padding)
                ?? LayerErrors.NeedsImage(at, call, input);
            if (error != null) return error;
            int half = Kernel / 2;
            if (Padding.Top > half || Padding.Left > half || Padding.Bottom > half || Padding.Right > half)
            {
                return LayerErrors.Invalid(at, PaddingArgument, $"{call} padding {Padding} is more than half its kernel {Kernel}, as PyTorch refuses: a window could hold only padding");
            }
            long paddedHeight = (long)input.Height + Padding.Top + Padding.Bottom, paddedWidth = (long)input.Width + Padding.Left + Padding.Right;
            if (Kernel > paddedHeight || Kernel > paddedWidth)
            {
                string padded = Padding.IsZero ? "its input" : "its padded input";
                return LayerErrors.Mismatch(at, KernelArgument, $"{call} kernel {Kernel} is larger than {padded} {paddedHeight}×{paddedWidth}, so the output would be empty");
            }
            WindowArithmetic.TryOutputSize(input.Height, Kernel, Stride, Padding.Top, Padding.Bottom, CeilMode, out int height);
            WindowArithmetic.TryOutputSize(input.Width, Kernel, Stride, Padding.Left, Padding.Right, CeilMode, out int width);
            output = Shape.Image(input.Channels, height, width);
            return null;
        }
    }
}
