using System.Collections.Generic;
using System.Linq;
using Relucent.Model;

#if !RELUCENT_GENERATOR // the generator reads calls from source, through SoftmaxLayer.Kind
namespace Relucent
{
    public sealed partial class Network
    {
        /// <summary>Adds <c>s = e^x / Σ e^x</c> over the features.</summary>
        public Network Softmax(string? name = null) => Append(new SoftmaxLayer { Name = name });
    }
}
#endif

namespace Relucent.Model
{
    /// <summary><c>.Softmax()</c>: <c>s = e^x / Σ e^x</c> over the features, PyTorch <c>nn.Softmax(dim=1)</c>.</summary>
    public sealed record SoftmaxLayer : Layer
    {
        internal static readonly LayerCall Kind = new LayerCall("Softmax", a => new SoftmaxLayer { Name = a.Name });

        internal override LayerCall Call => Kind;

        private protected override IEnumerable<string> ArgumentText() => Enumerable.Empty<string>();

        internal override LayerError? Check(Shape input, LayerPath at, out Shape output)
        {
            output = input;
            return LayerErrors.NeedsVector(at, "Softmax", input);
        }
    }
}
