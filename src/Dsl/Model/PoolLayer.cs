using System.Collections.Generic;

namespace Relucent.Model
{
    /// <summary>
    /// A pooling layer over square windows: its call <c>Pool(kernel, stride: s)</c> (stride defaults to the kernel, as
    /// <c>nn.MaxPool2d</c>'s does) and its shape rule (output sizes rounded down, as PyTorch's).
    /// </summary>
    public abstract record PoolLayer(int Kernel, int Stride) : Layer
    {
        /// <summary>The stride a pooling call means: the one given, or the kernel when left out (PyTorch's default).</summary>
        public static int StrideFor(int kernel, int? stride) => stride ?? kernel;

        private protected static readonly Argument KernelArgument = new Argument("kernel");
        private protected static readonly Argument StrideArgument = new Argument("stride");

        private protected override IEnumerable<string> ArgumentText()
        {
            yield return Format.Int(Kernel);
            if (Stride != Kernel) yield return "stride: " + Format.Int(Stride);
        }

        internal override LayerError? Check(Shape input, LayerPath at, out Shape output)
        {
            output = input;
            string call = Call.Method;
            LayerError? error = LayerErrors.Positive(at, call, KernelArgument, Kernel)
                ?? LayerErrors.Positive(at, call, StrideArgument, Stride)
                ?? LayerErrors.NeedsImage(at, call, input);
            if (error != null) return error;
            if (Kernel > input.Height || Kernel > input.Width)
            {
                return LayerErrors.Mismatch(at, KernelArgument, $"{call} kernel {Kernel} is larger than its input {input.Height}×{input.Width}, so the output would be empty");
            }
            WindowArithmetic.TryOutputSize(input.Height, Kernel, Stride, 0, 0, ceilMode: false, out int height);
            WindowArithmetic.TryOutputSize(input.Width, Kernel, Stride, 0, 0, ceilMode: false, out int width);
            output = Shape.Image(input.Channels, height, width);
            return null;
        }
    }
}
