using Relucent.Model;

#if !RELUCENT_GENERATOR // the generator reads calls from source, through AvgPoolLayer.Kind
namespace Relucent
{
    public sealed partial class Network
    {
        /// <summary>Adds average pooling without padding; <paramref name="stride"/> defaults to <paramref name="kernel"/>.</summary>
        public Network AvgPool(int kernel, int? stride = null, string? name = null) => Append(new AvgPoolLayer(kernel, PoolLayer.StrideFor(kernel, stride)) { Name = name });
    }
}
#endif

namespace Relucent.Model
{
    /// <summary><c>.AvgPool(kernel, stride)</c>: PyTorch <c>nn.AvgPool2d</c> without padding.</summary>
    public sealed record AvgPoolLayer(int Kernel, int Stride) : PoolLayer(Kernel, Stride)
    {
        internal static readonly LayerCall Kind = new LayerCall(
            "AvgPool",
            a => new AvgPoolLayer(a.Int(KernelArgument), StrideFor(a.Int(KernelArgument), a.OptionalInt(StrideArgument))) { Name = a.Name },
            KernelArgument, StrideArgument);

        internal override LayerCall Call => Kind;
    }
}
