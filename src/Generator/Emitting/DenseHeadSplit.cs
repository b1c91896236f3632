using System.Collections.Generic;
using System.Linq;
using Relucent.Model;

namespace Relucent.Generator.Emitting
{
    /// <summary>
    /// Where a network's dense head starts: its last top-level layers, when they are only dense layers, ReLUs, dropouts and
    /// a flatten and their weights are many (AlexNet's and VGG's classifiers: 58 M and 123 M). A batch then runs the layers
    /// before it (the trunk, <c>RunTrunk</c>) example by example and the head once for all its examples (the runtime's
    /// <c>DenseHead</c>), reading each weight from memory once per batch instead of twice per example. The class says where
    /// (<c>HeadStart</c>, <c>HeadInput</c>) and its map pass gains an entry at the head's input (<c>FromHeadInput</c>).
    /// </summary>
    internal static class DenseHeadSplit
    {
        /// <summary>
        /// The fewest weights a head must hold to be split off: 4 M (16 MB in float, beyond what a core's caches hold, so that
        /// every example's pass streams them from memory). Smaller heads stay in cache and gain nothing.
        /// </summary>
        public const long MinimumWeights = 4L << 20;

        /// <summary>The index of the head's first layer in <paramref name="layers"/> (the top-level chain), or −1 when the network has no such head.</summary>
        public static int Start(IReadOnlyList<PlannedLayer> layers)
        {
            int first = layers.Count;
            while (first > 0 && IsHeadKind(layers[first - 1].Layer)) first--;
            // The head starts at its first flatten or dense layer: a ReLU or dropout before it stays with the trunk, whose
            // kernels may apply it.
            while (first < layers.Count && !(layers[first].Layer is DenseLayer || layers[first].Layer is FlattenLayer)) first++;
            if (first == 0 || first == layers.Count) return -1;
            if (Weights(layers, first) < MinimumWeights) return -1;
            // The signal at the head's input must be stored: a trunk rectifier's rule applied by the head's first kernel would skip it.
            PlannedLayer head = layers[first];
            if (head.BackwardRectifier != null || head.MergedBackwardRectifier != null || layers[first - 1].BackwardFused || layers[first - 1].MergedBackwardFused) return -1;
            return first;
        }

        /// <summary>The weights of the dense layers from <paramref name="start"/> on.</summary>
        public static long Weights(IReadOnlyList<PlannedLayer> layers, int start) =>
            layers.Skip(start).Where(l => l.Layer is DenseLayer).Sum(l => l.Input.Size * ((DenseLayer)l.Layer).Units);

        /// <summary>The label a map pass starting at the head's input jumps to.</summary>
        public const string Label = "from_head_input";

        private static bool IsHeadKind(Layer layer) => layer is DenseLayer || layer is ReLULayer || layer is DropoutLayer || layer is FlattenLayer;
    }
}
