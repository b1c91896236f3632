using Relucent.Model;

#if !RELUCENT_GENERATOR // the generator reads calls from source, through ReLULayer.Kind
namespace Relucent
{
    public sealed partial class Network
    {
        /// <summary>Adds <c>z = max(x, 0)</c>, the layer whose backward the rules change.</summary>
        public Network ReLU(string? name = null) => Append(new ReLULayer { Name = name });
    }
}
#endif

namespace Relucent.Model
{
    /// <summary><c>.ReLU()</c>: <c>z = max(x, 0)</c>, PyTorch <c>nn.ReLU</c>; the layer whose backward the rules change.</summary>
    public sealed record ReLULayer : ElementwiseLayer
    {
        internal static readonly LayerCall Kind = new LayerCall("ReLU", a => new ReLULayer { Name = a.Name });

        internal override LayerCall Call => Kind;
    }
}
