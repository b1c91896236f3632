namespace Relucent
{
    /// <summary>
    /// The first place where a declared network and an ONNX graph disagree, with both sides:
    /// <c>layer 3: the network declares Conv2D(8, kernel: 3), the ONNX graph has Conv 'node_5' with 16 filters and kernel 5</c>.
    /// </summary>
    /// <param name="Location"><c>"input"</c>, or the layer's index as in layer errors: <c>"3"</c>, <c>"2.1"</c> inside a residual branch.</param>
    /// <param name="Declared">What the network declares there: <c>Conv2D(8, kernel: 3)</c>, or that it has no more layers.</param>
    /// <param name="Onnx">What the ONNX graph has there: <c>Conv 'node_5' with 16 filters and kernel 5</c>, or that it has no more layers.</param>
    public sealed record OnnxMismatch(string Location, string Declared, string Onnx)
    {
        /// <summary>The whole sentence, as <see cref="OnnxMismatchException"/> reports it.</summary>
        public string Message => (Location == "input" ? "input" : "layer " + Location) + ": " + Declared + ", " + Onnx;

        /// <inheritdoc />
        public override string ToString() => Message;
    }

    /// <summary>A declared network does not match an ONNX graph; <see cref="Mismatch"/> says where, with both sides.</summary>
    public sealed class OnnxMismatchException : Exception
    {
        /// <summary>Reports <paramref name="mismatch"/>.</summary>
        public OnnxMismatchException(OnnxMismatch mismatch)
            : base("The declared network does not match the ONNX graph: " + (mismatch ?? throw new ArgumentNullException(nameof(mismatch))).Message + ".")
        {
            Mismatch = mismatch;
        }

        /// <summary>Where and how the two differ first.</summary>
        public OnnxMismatch Mismatch { get; }
    }
}
