namespace Relucent
{
    /// <summary>
    /// A named parameter's data as a file holds it: an element type, a C-order shape and little-endian bytes.
    /// Conversions to the network's precision happen on request, so a float64 file loads exactly into a
    /// double-precision network and rounds once into a float32 one.
    /// </summary>
    public sealed class Tensor
    {
        /// <summary>A tensor over raw little-endian <paramref name="data"/>. STUB: implemented by the weights work.</summary>
        public Tensor(DType dtype, int[] shape, byte[] data) => throw new NotImplementedException();

        /// <summary>The element type.</summary>
        public DType DType => throw new NotImplementedException();

        /// <summary>The C-order shape.</summary>
        public IReadOnlyList<int> Shape => throw new NotImplementedException();

        /// <summary>A float32 tensor.</summary>
        public static Tensor FromSingle(float[] values, params int[] shape) => throw new NotImplementedException();

        /// <summary>A float64 tensor.</summary>
        public static Tensor FromDouble(double[] values, params int[] shape) => throw new NotImplementedException();

        /// <summary>The values converted to float32, C-order.</summary>
        public float[] ToSingle() => throw new NotImplementedException();

        /// <summary>The values converted to float64, C-order.</summary>
        public double[] ToDouble() => throw new NotImplementedException();

        /// <summary>Integer tensors (I64/I32) as long.</summary>
        public long[] ToInt64() => throw new NotImplementedException();

        /// <summary><see cref="ToSingle"/> or <see cref="ToDouble"/>, by <typeparamref name="T"/>.</summary>
        public T[] ToArray<T>() => throw new NotImplementedException();
    }
}
