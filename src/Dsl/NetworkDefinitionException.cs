using System;
using Relucent.Model;

namespace Relucent
{
    /// <summary>
    /// A network declared at run time that the generator would have rejected at compile time:
    /// a size out of range, a shape that does not fit, a duplicate parameter name.
    /// </summary>
    public sealed class NetworkDefinitionException : ArgumentException
    {
        /// <summary>Wraps <paramref name="error"/>, keeping it for callers that want its parts.</summary>
        public NetworkDefinitionException(LayerError error)
            : base(error.Message, error.Argument)
        {
            Error = error;
        }

        /// <summary>The mistake, with the faulty layer's path and the argument at fault.</summary>
        public LayerError Error { get; }

        /// <summary>The sentence alone, without <see cref="ArgumentException"/>'s parameter suffix.</summary>
        public override string Message => Error.Message;
    }
}
