using System.Numerics;

namespace Relucent.Lrp
{
    /// <summary>
    /// The buffers an LRP rule works in: denominators and their quotients at a layer's output, modified inputs and transposed
    /// products at its input. One per workspace, sized for the network's largest layer, so a pass allocates nothing.
    /// </summary>
    public sealed class LrpScratch<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T[][] _outputs;
        private readonly T[][] _inputs;

        /// <summary>Buffers for layers reading at most <paramref name="inputs"/> values and writing at most <paramref name="outputs"/>.</summary>
        public LrpScratch(int inputs, int outputs)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(inputs);
            ArgumentOutOfRangeException.ThrowIfNegative(outputs);
            _outputs = new T[4][];
            for (int i = 0; i < _outputs.Length; i++) _outputs[i] = new T[outputs];
            _inputs = new T[6][];
            for (int i = 0; i < _inputs.Length; i++) _inputs[i] = new T[inputs];
        }

        /// <summary>Output-side buffer <paramref name="index"/> (0 to 3), its first <paramref name="length"/> values.</summary>
        public Span<T> Output(int index, int length) => _outputs[index].AsSpan(0, Fits(length, _outputs[index].Length));

        /// <summary>Input-side buffer <paramref name="index"/> (0 to 5), its first <paramref name="length"/> values.</summary>
        public Span<T> Input(int index, int length) => _inputs[index].AsSpan(0, Fits(length, _inputs[index].Length));

        private static int Fits(int length, int capacity) =>
            length <= capacity ? length : throw new ArgumentOutOfRangeException(nameof(length), length, $"The LRP scratch holds {capacity} values.");
    }
}
