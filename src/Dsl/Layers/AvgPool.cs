using Relucent.Model;

#if !RELUCENT_GENERATOR // the generator reads calls from source, through AvgPoolLayer.Kind
namespace Relucent
{
    public sealed partial class Network
    {
        /// <summary>
        /// Adds average pooling, as <c>nn.AvgPool2d</c> with <c>count_include_pad=True</c>: <paramref name="stride"/> defaults to
        /// <paramref name="kernel"/>; the <paramref name="padding"/> (at most half the kernel on each side) is zeros that count
        /// in each window's mean.
        /// </summary>
        public Network AvgPool(int kernel, int? stride = null, Padding padding = default, string? name = null) =>
            Append(new AvgPoolLayer(kernel, PoolLayer.StrideFor(kernel, stride)) { Padding = padding, Name = name });
    }
}
#endif

namespace Relucent.Model
{
    /// <summary><c>.AvgPool(kernel, stride, padding)</c>: PyTorch <c>nn.AvgPool2d</c> with <c>count_include_pad=True</c>.</summary>
    public sealed record AvgPoolLayer(int Kernel, int Stride) : PoolLayer(Kernel, Stride)
    {
        internal static readonly LayerCall Kind = new LayerCall(
            "AvgPool",
            a => new AvgPoolLayer(a.Int(KernelArgument), StrideFor(a.Int(KernelArgument), a.OptionalInt(StrideArgument))) { Padding = a.Padding(PaddingArgument), Name = a.Name },
            KernelArgument, StrideArgument, PaddingArgument);

        internal override LayerCall Call => Kind;
    }
}
