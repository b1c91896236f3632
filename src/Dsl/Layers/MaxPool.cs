using Relucent.Model;

#if !RELUCENT_GENERATOR // the generator reads calls from source, through MaxPoolLayer.Kind
namespace Relucent
{
    public sealed partial class Network
    {
        /// <summary>
        /// Adds max pooling, as <c>nn.MaxPool2d</c>: <paramref name="stride"/> defaults to <paramref name="kernel"/>; the
        /// <paramref name="padding"/> (at most half the kernel on each side) never wins a window's maximum; with
        /// <paramref name="ceilMode"/> output sizes round up.
        /// </summary>
        public Network MaxPool(int kernel, int? stride = null, Padding padding = default, bool ceilMode = false, string? name = null) =>
            Append(new MaxPoolLayer(kernel, PoolLayer.StrideFor(kernel, stride)) { Padding = padding, CeilMode = ceilMode, Name = name });
    }
}
#endif

namespace Relucent.Model
{
    /// <summary><c>.MaxPool(kernel, stride, padding, ceilMode)</c>: PyTorch <c>nn.MaxPool2d</c>; the backward routes the signal through the forward switches (where each maximum was).</summary>
    public sealed record MaxPoolLayer(int Kernel, int Stride) : PoolLayer(Kernel, Stride)
    {
        internal static readonly LayerCall Kind = new LayerCall(
            "MaxPool",
            a => new MaxPoolLayer(a.Int(KernelArgument), StrideFor(a.Int(KernelArgument), a.OptionalInt(StrideArgument)))
            {
                Padding = a.Padding(PaddingArgument),
                CeilMode = a.Bool(CeilModeArgument),
                Name = a.Name,
            },
            KernelArgument, StrideArgument, PaddingArgument, CeilModeArgument);

        internal override LayerCall Call => Kind;
    }
}
