using Relucent.Model;

#if !RELUCENT_GENERATOR // the generator reads calls from source, through MaxPoolLayer.Kind
namespace Relucent
{
    public sealed partial class Network
    {
        /// <summary>Adds max pooling; <paramref name="stride"/> defaults to <paramref name="kernel"/>, as <c>nn.MaxPool2d</c>.</summary>
        public Network MaxPool(int kernel, int? stride = null, string? name = null) => Append(new MaxPoolLayer(kernel, PoolLayer.StrideFor(kernel, stride)) { Name = name });
    }
}
#endif

namespace Relucent.Model
{
    /// <summary><c>.MaxPool(kernel, stride)</c>: PyTorch <c>nn.MaxPool2d</c>; the backward routes the signal through the forward switches (where each maximum was).</summary>
    public sealed record MaxPoolLayer(int Kernel, int Stride) : PoolLayer(Kernel, Stride)
    {
        internal static readonly LayerCall Kind = new LayerCall(
            "MaxPool",
            a => new MaxPoolLayer(a.Int(KernelArgument), StrideFor(a.Int(KernelArgument), a.OptionalInt(StrideArgument))) { Name = a.Name },
            KernelArgument, StrideArgument);

        internal override LayerCall Call => Kind;
    }
}
