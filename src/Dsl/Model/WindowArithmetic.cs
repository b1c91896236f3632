namespace Relucent.Model
{
    /// <summary>
    /// The output-size arithmetic of sliding windows (convolution, pooling) and of adaptive pooling's bins, written once:
    /// the shape rules, the kernels' geometry structs and the generator all call it, so they cannot disagree. Every
    /// computation is done in <c>long</c> and checked, so no input wraps around to a small or negative size.
    /// </summary>
    public static class WindowArithmetic
    {
        /// <summary>
        /// PyTorch's output size of a window of <paramref name="kernel"/> moved by <paramref name="stride"/> over
        /// <paramref name="input"/> values padded by <paramref name="padBefore"/> and <paramref name="padAfter"/>:
        /// <c>⌊(input + padBefore + padAfter − kernel) / stride⌋ + 1</c>, or with <paramref name="ceilMode"/> the ceiling,
        /// less one when the last window would start past the input and its leading padding (PyTorch's ceil-mode rule).
        /// </summary>
        /// <returns>False when an argument is out of range (kernel or stride not positive, padding negative), the window
        /// is larger than the padded input, or the result exceeds <see cref="int.MaxValue"/>.</returns>
        public static bool TryOutputSize(int input, int kernel, int stride, int padBefore, int padAfter, bool ceilMode, out int output)
        {
            output = 0;
            if (input <= 0 || kernel <= 0 || stride <= 0 || padBefore < 0 || padAfter < 0) return false;
            long padded = (long)input + padBefore + padAfter;
            if (kernel > padded) return false;
            long span = padded - kernel;
            long count = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
            // The last window must start inside the input or its leading padding.
            if (ceilMode && (count - 1) * stride >= (long)input + padBefore) count--;
            if (count <= 0 || count > int.MaxValue) return false;
            output = (int)count;
            return true;
        }

        /// <summary>The padded extent <c>input + padBefore + padAfter</c>, or −1 when it exceeds <see cref="int.MaxValue"/>.</summary>
        public static long Padded(int input, int padBefore, int padAfter)
        {
            long padded = (long)input + padBefore + padAfter;
            return padded > int.MaxValue ? -1 : padded;
        }

        /// <summary>The first input index of adaptive pooling's bin <paramref name="index"/>: <c>⌊index·input/output⌋</c>, as PyTorch.</summary>
        public static int AdaptiveStart(int index, int input, int output) => (int)((long)index * input / output);

        /// <summary>One past the last input index of adaptive pooling's bin <paramref name="index"/>: <c>⌈(index + 1)·input/output⌉</c>, as PyTorch.</summary>
        public static int AdaptiveEnd(int index, int input, int output) => (int)(((long)(index + 1) * input + output - 1) / output);

        /// <summary>The product of <paramref name="factors"/>, or −1 when it exceeds <see cref="Limits.MaxElements"/> (or one is negative).</summary>
        public static long Elements(params long[] factors)
        {
            long product = 1;
            foreach (long f in factors)
            {
                if (f < 0) return -1;
                if (f == 0) return 0;
                if (product > Limits.MaxElements / f) return -1;
                product *= f;
            }
            return product;
        }
    }
}
