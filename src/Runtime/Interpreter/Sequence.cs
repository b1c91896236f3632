using System.Numerics;

namespace Relucent.Interpretation
{
    /// <summary>A chain of operations and the activations one forward pass through it left behind.</summary>
    internal sealed class Sequence<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Operation<T>[] _operations;

        public Sequence(Operation<T>[] operations, int inputSize)
        {
            _operations = operations;
            InputSize = inputSize;
            OutputSize = operations.Length == 0 ? inputSize : operations[operations.Length - 1].OutputSize;
        }

        public int InputSize { get; }

        public int OutputSize { get; }

        /// <summary>Runs every operation in order; the trace holds each activation (index 0 is the input) and each state.</summary>
        public Trace Forward(T[] x)
        {
            var activations = new T[_operations.Length + 1][];
            var states = new object?[_operations.Length];
            activations[0] = x;
            for (int i = 0; i < _operations.Length; i++)
            {
                activations[i + 1] = _operations[i].Forward(activations[i], out states[i]);
            }
            return new Trace(activations, states);
        }

        /// <summary>Passes <paramref name="r"/>, the signal at the chain's output, back through every operation to its input.</summary>
        public T[] Backward(T[] r, Trace trace, BackwardRule rule) => Backward(r, trace, rule, _operations.Length - 1, 0);

        /// <summary>The signal at the output of operation <paramref name="stop"/>, from <paramref name="r"/> at the chain's output: the operations above it alone.</summary>
        public T[] BackwardTo(T[] r, Trace trace, BackwardRule rule, int stop) => Backward(r, trace, rule, _operations.Length - 1, stop + 1);

        /// <summary>The signal at the chain's input, from <paramref name="r"/> at the output of operation <paramref name="start"/>: it and the operations below.</summary>
        public T[] BackwardFrom(T[] r, Trace trace, BackwardRule rule, int start) => Backward(r, trace, rule, start, 0);

        /// <summary>Operation <paramref name="index"/>.</summary>
        public Operation<T> this[int index] => _operations[index];

        private T[] Backward(T[] r, Trace trace, BackwardRule rule, int first, int last)
        {
            T[] signal = r;
            for (int i = first; i >= last; i--)
            {
                signal = _operations[i].Backward(signal, trace.Activations[i], trace.Activations[i + 1], trace.States[i], rule);
            }
            // No operation ran (an empty chain is the identity); hand back a copy so the caller may own the result.
            return ReferenceEquals(signal, r) ? (T[])r.Clone() : signal;
        }

        internal sealed class Trace
        {
            public Trace(T[][] activations, object?[] states)
            {
                Activations = activations;
                States = states;
            }

            public T[][] Activations { get; }

            public object?[] States { get; }

            public T[] Output => Activations[Activations.Length - 1];
        }
    }
}
