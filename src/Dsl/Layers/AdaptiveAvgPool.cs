using System.Collections.Generic;
using Relucent.Model;

#if !RELUCENT_GENERATOR // the generator reads calls from source, through AdaptiveAvgPoolLayer.Kind
namespace Relucent
{
    public sealed partial class Network
    {
        /// <summary>
        /// Adds adaptive average pooling to <paramref name="size"/> × <paramref name="size"/>, as
        /// <c>nn.AdaptiveAvgPool2d((size, size))</c>: output row <c>i</c> averages input rows <c>⌊i·H/size⌋</c> to
        /// <c>⌈(i+1)·H/size⌉ − 1</c> (and so for columns), whatever the input's size, smaller than the output included.
        /// </summary>
        public Network AdaptiveAvgPool(int size, string? name = null) => Append(new AdaptiveAvgPoolLayer(size) { Name = name });
    }
}
#endif

namespace Relucent.Model
{
    /// <summary><c>.AdaptiveAvgPool(size)</c>: PyTorch <c>nn.AdaptiveAvgPool2d((size, size))</c> with PyTorch's bins.</summary>
    public sealed record AdaptiveAvgPoolLayer(int Size) : Layer
    {
        private static readonly Argument SizeArgument = new Argument("size");

        internal static readonly LayerCall Kind = new LayerCall("AdaptiveAvgPool", a => new AdaptiveAvgPoolLayer(a.Int(SizeArgument)) { Name = a.Name }, SizeArgument);

        internal override LayerCall Call => Kind;

        private protected override IEnumerable<string> ArgumentText()
        {
            yield return Format.Int(Size);
        }

        internal override LayerError? Check(Shape input, LayerPath at, out Shape output)
        {
            output = input;
            LayerError? error = LayerErrors.Positive(at, "AdaptiveAvgPool", SizeArgument, Size) ?? LayerErrors.NeedsImage(at, "AdaptiveAvgPool", input);
            if (error != null) return error;
            if (WindowArithmetic.Elements(input.Channels, Size, Size) < 0) return LayerErrors.TooLarge(at, $"AdaptiveAvgPool output [{input.Channels}, {Size}, {Size}]");
            output = Shape.Image(input.Channels, Size, Size);
            return null;
        }
    }
}
