using System;
using System.Collections.Generic;
using System.Linq;

namespace Relucent.Model
{
    /// <summary>
    /// Shape inference and validation for every layer, shared by the generator (compile-time diagnostics)
    /// and the run-time builder (exceptions), so both always agree. Output sizes round down, as PyTorch's do.
    /// </summary>
    public static class ShapeRules
    {
        /// <summary>The largest tensor a network may hold: <see cref="Limits.MaxElements"/>.</summary>
        public const long MaxElements = Limits.MaxElements;

        /// <summary>
        /// Infers the output shape of each layer of <paramref name="layers"/> from <paramref name="input"/>.
        /// Returns the first error found, or null with <paramref name="outputs"/> filled in.
        /// </summary>
        public static LayerError? Infer(Shape input, IReadOnlyList<Layer> layers, out Shape[] outputs) =>
            Infer(input, layers, Array.Empty<int>(), out outputs);

        /// <summary>Checks the network's input shape, <c>Net.Input(...)</c>'s arguments.</summary>
        public static LayerError? CheckInput(Shape input)
        {
            string[] names = input.IsImage ? new[] { "channels", "height", "width" } : new[] { "features" };
            int[] values = input.Dimensions;
            for (int i = 0; i < values.Length; i++)
            {
                if (values[i] <= 0)
                {
                    return Error(Array.Empty<int>(), names[i], LayerErrorKind.InvalidArgument,
                        $"Net.Input {names[i]} must be positive, got {values[i]}");
                }
            }
            return input.Size > MaxElements
                ? Error(Array.Empty<int>(), null, LayerErrorKind.TooLarge,
                    $"Net.Input {input} holds {input.Size} values, more than the {MaxElements} a tensor may hold")
                : null;
        }

        private static LayerError? Infer(Shape input, IReadOnlyList<Layer> layers, int[] prefix, out Shape[] outputs)
        {
            outputs = new Shape[layers.Count];
            Shape current = input;
            for (int i = 0; i < layers.Count; i++)
            {
                int[] path = prefix.Concat(new[] { i }).ToArray();
                LayerError? error = Check(layers[i], current, path, out current);
                if (error != null) return error;
                outputs[i] = current;
            }
            return null;
        }

        /// <summary>
        /// Checks one layer receiving <paramref name="input"/> at <paramref name="path"/> and gives its output shape.
        /// </summary>
        public static LayerError? Check(Layer layer, Shape input, IReadOnlyList<int> path, out Shape output)
        {
            output = input;
            int[] at = path.ToArray();
            string where = "layer " + string.Join(".", at);
            switch (layer)
            {
                case DenseLayer dense:
                    if (dense.Units <= 0) return Error(at, "units", LayerErrorKind.InvalidArgument, $"Dense units must be positive, got {dense.Units} ({where})");
                    if (input.IsImage) return Error(at, null, LayerErrorKind.ShapeMismatch, $"Dense needs a feature vector, but its input is the image {input}; insert .Flatten() before it ({where})");
                    if ((long)dense.Units * input.Size > MaxElements) return TooLarge(at, $"Dense weight [{dense.Units}, {input.Size}]", where);
                    output = Shape.Vector(dense.Units);
                    return null;

                case ReLULayer _:
                case TanhLayer _:
                case SigmoidLayer _:
                    return null;

                case DropoutLayer dropout:
                    return dropout.P >= 0 && dropout.P < 1
                        ? null
                        : Error(at, "p", LayerErrorKind.InvalidArgument, $"Dropout probability must be in [0, 1), got {Format.Number(dropout.P)} ({where})");

                case FlattenLayer _:
                    output = Shape.Vector((int)input.Size);
                    return null;

                case SoftmaxLayer _:
                    return input.IsImage
                        ? Error(at, null, LayerErrorKind.ShapeMismatch, $"Softmax needs a feature vector, but its input is the image {input}; insert .Flatten() before it ({where})")
                        : null;

                case BatchNormLayer norm:
                    return norm.Eps > 0
                        ? null
                        : Error(at, "eps", LayerErrorKind.InvalidArgument, $"BatchNorm eps must be positive, got {Format.Number(norm.Eps)} ({where})");

                case Conv2DLayer conv:
                    return CheckConvolution(conv, input, at, where, out output);

                case MaxPoolLayer max:
                    return CheckPool("MaxPool", max.Kernel, max.Stride, input, at, where, out output);

                case AvgPoolLayer avg:
                    return CheckPool("AvgPool", avg.Kernel, avg.Stride, input, at, where, out output);

                case ResidualLayer residual:
                    LayerError? inner = Infer(input, residual.Body, at, out Shape[] shapes);
                    if (inner != null) return inner;
                    Shape branchOutput = shapes.Length == 0 ? input : shapes[shapes.Length - 1];
                    return branchOutput == input
                        ? null
                        : Error(at, null, LayerErrorKind.ResidualShape, $"Residual branch turns {input} into {branchOutput}; f(x) + x needs both the same shape ({where})");

                default:
                    return Error(at, null, LayerErrorKind.ShapeMismatch, $"{layer.GetType().Name} is not a layer Relucent knows ({where})");
            }
        }

        private static LayerError? CheckConvolution(Conv2DLayer conv, Shape input, int[] at, string where, out Shape output)
        {
            output = input;
            if (conv.Filters <= 0) return Error(at, "filters", LayerErrorKind.InvalidArgument, $"Conv2D filters must be positive, got {conv.Filters} ({where})");
            if (conv.Kernel <= 0) return Error(at, "kernel", LayerErrorKind.InvalidArgument, $"Conv2D kernel must be positive, got {conv.Kernel} ({where})");
            if (conv.Stride <= 0) return Error(at, "stride", LayerErrorKind.InvalidArgument, $"Conv2D stride must be positive, got {conv.Stride} ({where})");
            if (conv.Padding < 0) return Error(at, "padding", LayerErrorKind.InvalidArgument, $"Conv2D padding must not be negative, got {conv.Padding} ({where})");
            if (!input.IsImage) return Error(at, null, LayerErrorKind.ShapeMismatch, $"Conv2D needs an image [C, H, W], but its input is the vector {input} ({where})");
            long paddedHeight = input.Height + 2L * conv.Padding;
            long paddedWidth = input.Width + 2L * conv.Padding;
            if (conv.Kernel > paddedHeight || conv.Kernel > paddedWidth)
            {
                return Error(at, "kernel", LayerErrorKind.ShapeMismatch, $"Conv2D kernel {conv.Kernel} is larger than its padded input {paddedHeight}×{paddedWidth} ({where})");
            }
            long weights = (long)conv.Filters * input.Channels * conv.Kernel * conv.Kernel;
            if (weights > MaxElements) return TooLarge(at, $"Conv2D weight [{conv.Filters}, {input.Channels}, {conv.Kernel}, {conv.Kernel}]", where);
            int height = (int)((paddedHeight - conv.Kernel) / conv.Stride + 1);
            int width = (int)((paddedWidth - conv.Kernel) / conv.Stride + 1);
            output = Shape.Image(conv.Filters, height, width);
            return output.Size > MaxElements ? TooLarge(at, $"Conv2D output {output}", where) : null;
        }

        private static LayerError? CheckPool(string call, int kernel, int stride, Shape input, int[] at, string where, out Shape output)
        {
            output = input;
            if (kernel <= 0) return Error(at, "kernel", LayerErrorKind.InvalidArgument, $"{call} kernel must be positive, got {kernel} ({where})");
            if (stride <= 0) return Error(at, "stride", LayerErrorKind.InvalidArgument, $"{call} stride must be positive, got {stride} ({where})");
            if (!input.IsImage) return Error(at, null, LayerErrorKind.ShapeMismatch, $"{call} needs an image [C, H, W], but its input is the vector {input} ({where})");
            if (kernel > input.Height || kernel > input.Width)
            {
                return Error(at, "kernel", LayerErrorKind.ShapeMismatch, $"{call} kernel {kernel} is larger than its input {input.Height}×{input.Width}, so the output would be empty ({where})");
            }
            output = Shape.Image(input.Channels, (input.Height - kernel) / stride + 1, (input.Width - kernel) / stride + 1);
            return null;
        }

        private static LayerError TooLarge(int[] at, string what, string where) =>
            Error(at, null, LayerErrorKind.TooLarge, $"{what} would hold more than the {MaxElements} values a tensor may hold ({where})");

        private static LayerError Error(int[] path, string? argument, LayerErrorKind kind, string message) =>
            new LayerError(new EquatableArray<int>(path), argument, kind, message);
    }
}
