namespace Relucent.Kernels
{
    /// <summary>
    /// What the register tiles (<see cref="Tiles"/>) do to each row of a product as they store it, when the product goes
    /// straight into a layer's output: add the row's bias (or +0, as a separate copy-out pass adds it), apply the rectifier
    /// that follows the layer, and store the row's last vector to <see cref="LastCount"/> lanes (the rows of the output are
    /// packed, so lanes past a row's end belong to the next row). <c>default</c> is inactive: stores as computed, whole vectors.
    /// </summary>
    internal readonly unsafe struct Epilogue<T> where T : unmanaged
    {
        public Epilogue(T* bias, Rectifier rectifier, int lastCount)
        {
            Bias = bias;
            Rectifier = rectifier;
            LastCount = lastCount;
            Active = true;
        }

        private Epilogue(T* bias, Rectifier rectifier, int lastCount, bool active)
        {
            Bias = bias;
            Rectifier = rectifier;
            LastCount = lastCount;
            Active = active;
        }

        /// <summary>Values stored as computed, each row's last vector to <paramref name="lastCount"/> lanes (0: whole vectors).</summary>
        public static Epilogue<T> Masked(int lastCount) => new(null, Rectifier.None, lastCount, false);

        /// <summary>Per-row bias, or null for +0.</summary>
        public T* Bias { get; }

        /// <summary>The rectifier after the bias.</summary>
        public Rectifier Rectifier { get; }

        /// <summary>Lanes of each row's last vector to store (0: whole vectors).</summary>
        public int LastCount { get; }

        /// <summary>Whether the bias and rectifier apply (inactive: values are stored as computed).</summary>
        public bool Active { get; }

        /// <summary>This epilogue for the rows from <paramref name="row"/> on.</summary>
        public Epilogue<T> ForRow(int row) => new(Bias == null ? null : Bias + row, Rectifier, LastCount, Active);
    }
}
