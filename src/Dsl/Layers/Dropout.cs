using System.Collections.Generic;
using Relucent.Model;

#if !RELUCENT_GENERATOR // the generator reads calls from source, through DropoutLayer.Kind
namespace Relucent
{
    public sealed partial class Network
    {
        /// <summary>Adds dropout with probability <paramref name="p"/>: the identity when explaining (eval mode).</summary>
        public Network Dropout(double p, string? name = null) => Append(new DropoutLayer(p) { Name = name });
    }
}
#endif

namespace Relucent.Model
{
    /// <summary><c>.Dropout(p)</c>: the identity, as PyTorch's <c>nn.Dropout</c> in eval mode; no copy is made.</summary>
    public sealed record DropoutLayer(double P) : Layer
    {
        private static readonly Argument PArgument = new Argument("p");

        internal static readonly LayerCall Kind = new LayerCall("Dropout", a => new DropoutLayer(a.Double(PArgument)) { Name = a.Name }, PArgument);

        internal override LayerCall Call => Kind;

        private protected override IEnumerable<string> ArgumentText()
        {
            yield return Format.Number(P);
        }

        internal override LayerError? Check(Shape input, LayerPath at, out Shape output)
        {
            output = input;
            return P >= 0 && P < 1 ? null : LayerErrors.Invalid(at, PArgument, $"Dropout probability must be in [0, 1), got {Format.Number(P)}");
        }
    }
}
