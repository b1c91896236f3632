using Relucent.Model;

#if !RELUCENT_GENERATOR // the generator reads calls from source, through ReLU6Layer.Kind
namespace Relucent
{
    public sealed partial class Network
    {
        /// <summary>
        /// Adds <c>z = min(max(x, 0), 6)</c>, as <c>nn.ReLU6</c>. The rules act at its rectifier and its clamp at 6 passes the
        /// true gradient: Saliency <c>1[0 &lt; x &lt; 6]·R</c>, DeconvNet <c>1[x &lt; 6]·max(R, 0)</c>, GuidedBackprop
        /// <c>1[0 &lt; x &lt; 6]·max(R, 0)</c>.
        /// </summary>
        public Network ReLU6(string? name = null) => Append(new ReLU6Layer { Name = name });
    }
}
#endif

namespace Relucent.Model
{
    /// <summary>
    /// <c>.ReLU6()</c>: <c>z = min(max(x, 0), 6)</c>, PyTorch <c>nn.ReLU6</c> (MobileNetV2's activation); like ReLU, a layer
    /// whose backward the rules change, at its rectifier only.
    /// </summary>
    public sealed record ReLU6Layer : ElementwiseLayer
    {
        internal static readonly LayerCall Kind = new LayerCall("ReLU6", a => new ReLU6Layer { Name = a.Name });

        internal override LayerCall Call => Kind;
    }
}
