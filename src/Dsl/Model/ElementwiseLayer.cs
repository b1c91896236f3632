using System.Collections.Generic;
using System.Linq;

namespace Relucent.Model
{
    /// <summary>
    /// A layer without arguments or parameters that keeps its input's shape (an activation): ReLU, Tanh, Sigmoid.
    /// Its call is its method name alone (with <c>name:</c>).
    /// </summary>
    public abstract record ElementwiseLayer : Layer
    {
        private protected ElementwiseLayer()
        {
        }

        private protected override IEnumerable<string> ArgumentText() => Enumerable.Empty<string>();

        internal override LayerError? Check(Shape input, LayerPath at, out Shape output)
        {
            output = input;
            return null;
        }
    }
}
