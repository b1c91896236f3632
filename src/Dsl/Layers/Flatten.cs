using System.Collections.Generic;
using System.Linq;
using Relucent.Model;

#if !RELUCENT_GENERATOR // the generator reads calls from source, through FlattenLayer.Kind
namespace Relucent
{
    public sealed partial class Network
    {
        /// <summary>Reads an image as a vector in C·H·W order.</summary>
        public Network Flatten(string? name = null) => Append(new FlattenLayer { Name = name });
    }
}
#endif

namespace Relucent.Model
{
    /// <summary><c>.Flatten()</c>: an image read as a vector in C·H·W order, PyTorch <c>nn.Flatten</c>; no copy is made.</summary>
    public sealed record FlattenLayer : Layer
    {
        internal static readonly LayerCall Kind = new LayerCall("Flatten", a => new FlattenLayer { Name = a.Name });

        internal override LayerCall Call => Kind;

        private protected override IEnumerable<string> ArgumentText() => Enumerable.Empty<string>();

        internal override LayerError? Check(Shape input, LayerPath at, out Shape output)
        {
            output = Shape.Vector((int)input.Size); // sizes are at most Limits.MaxElements, so this fits
            return null;
        }
    }
}
