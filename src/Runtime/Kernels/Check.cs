using Relucent.Model;

namespace Relucent.Kernels
{
    /// <summary>Argument checks shared by the kernels: a wrong buffer length is a bug worth naming, never a silent overrun.</summary>
    internal static class Check
    {
        /// <summary>Throws unless <paramref name="span"/> holds exactly <paramref name="expected"/> values (a <c>long</c>, so no size wraps around).</summary>
        public static void Length<T>(ReadOnlySpan<T> span, long expected, string name)
        {
            if (span.Length != expected)
            {
                throw new ArgumentException($"{name} has {span.Length} values, expected {expected}.", name);
            }
        }

        /// <summary>Throws unless <paramref name="g"/> was made by its constructor (<c>default</c> describes no convolution).</summary>
        public static void Made(in ConvolutionGeometry g)
        {
            if (g.Kernel == 0) throw new ArgumentException("default(ConvolutionGeometry) describes no convolution; make one with its constructor.", nameof(g));
        }

        /// <summary>Throws unless <paramref name="g"/> was made by its constructor (<c>default</c> describes no pooling).</summary>
        public static void Made(in PoolGeometry g)
        {
            if (g.Kernel == 0) throw new ArgumentException("default(PoolGeometry) describes no pooling; make one with its constructor.", nameof(g));
        }

        /// <summary>Throws unless <paramref name="g"/> was made by its constructor (<c>default</c> describes no pooling).</summary>
        public static void Made(in AdaptivePoolGeometry g)
        {
            if (g.OutputHeight == 0) throw new ArgumentException("default(AdaptivePoolGeometry) describes no pooling; make one with its constructor.", nameof(g));
        }

        /// <summary>
        /// A dense layer's <paramref name="inputs"/> and <paramref name="outputs"/>, checked before any pointer is formed: both
        /// positive and the weight's <c>inputs · outputs</c> (computed in <c>long</c>) within <see cref="Limits.MaxElements"/>.
        /// </summary>
        public static void DenseSizes(int inputs, int outputs)
        {
            if (inputs <= 0 || outputs <= 0)
            {
                throw new ArgumentOutOfRangeException(inputs <= 0 ? nameof(inputs) : nameof(outputs), $"A dense layer needs positive sizes, got {inputs} inputs and {outputs} outputs.");
            }
            // The message is made only when the check fails: this runs on every call, which must not allocate.
            if ((long)inputs * outputs > Limits.MaxElements) Within($"Dense layer of {inputs} inputs and {outputs} outputs", "weight", (long)inputs * outputs);
        }

        /// <summary>
        /// Throws an <see cref="ArgumentException"/> naming the layer (<paramref name="layer"/>) and the buffer unless
        /// <c>0 ≤ values ≤ </c><see cref="Limits.MaxElements"/>: the one size limit of every kernel buffer, checked where a
        /// geometry is made, before any pointer is formed.
        /// </summary>
        public static void Within(string layer, string buffer, long values)
        {
            if (values < 0 || values > Limits.MaxElements)
            {
                string size = values == long.MaxValue || values < 0 ? "more values than a long can count" : $"{values} values";
                throw new ArgumentException($"{layer}: its {buffer} would hold {size}, more than the {Limits.MaxElements} a kernel buffer may hold (Relucent.Model.Limits.MaxElements).");
            }
        }
    }
}
