using Relucent.Model;

#if !RELUCENT_GENERATOR // the generator reads calls from source, through SigmoidLayer.Kind
namespace Relucent
{
    public sealed partial class Network
    {
        /// <summary>Adds <c>z = 1 / (1 + e^-x)</c>.</summary>
        public Network Sigmoid(string? name = null) => Append(new SigmoidLayer { Name = name });
    }
}
#endif

namespace Relucent.Model
{
    /// <summary><c>.Sigmoid()</c>: <c>z = 1 / (1 + e^-x)</c>, PyTorch <c>nn.Sigmoid</c>.</summary>
    public sealed record SigmoidLayer : ElementwiseLayer
    {
        internal static readonly LayerCall Kind = new LayerCall("Sigmoid", a => new SigmoidLayer { Name = a.Name });

        internal override LayerCall Call => Kind;
    }
}
