using Relucent.Model;

#if !RELUCENT_GENERATOR // the generator reads calls from source, through TanhLayer.Kind
namespace Relucent
{
    public sealed partial class Network
    {
        /// <summary>Adds <c>z = tanh(x)</c>.</summary>
        public Network Tanh(string? name = null) => Append(new TanhLayer { Name = name });
    }
}
#endif

namespace Relucent.Model
{
    /// <summary><c>.Tanh()</c>: <c>z = tanh(x)</c>, PyTorch <c>nn.Tanh</c>.</summary>
    public sealed record TanhLayer : ElementwiseLayer
    {
        internal static readonly LayerCall Kind = new LayerCall("Tanh", a => new TanhLayer { Name = a.Name });

        internal override LayerCall Call => Kind;
    }
}
