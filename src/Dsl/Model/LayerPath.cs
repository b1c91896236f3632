using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Relucent.Model
{
    /// <summary>
    /// Where a layer sits in a network: its indices from the top (<c>[3]</c>; inside block 2's branch 1, layer 0 is
    /// <c>[2, 1, 0]</c>) and the label messages and generated comments give it (<c>3</c>, <c>2.0</c>, <c>2.shortcut.0</c>).
    /// </summary>
    public readonly struct LayerPath
    {
        private LayerPath(int[] indices, string label)
        {
            Indices = indices;
            Label = label;
        }

        /// <summary>The top-level layer <paramref name="index"/>.</summary>
        public static LayerPath Top(int index) => new LayerPath(new[] { index }, Text(index));

        /// <summary>
        /// A path from bare indices, labelled without branch names (<c>2.1.0</c>); for callers outside a walk, such as
        /// an importer checking one layer at a time.
        /// </summary>
        public static LayerPath From(IReadOnlyList<int> indices) =>
            new LayerPath(indices.ToArray(), string.Join(".", indices.Select(Text)));

        /// <summary>Layer <paramref name="index"/> of branch <paramref name="branch"/> of the block at this path.</summary>
        public LayerPath Inside(int branch, string branchLabel, int index) =>
            new LayerPath(Indices.Concat(new[] { branch, index }).ToArray(), Label + "." + (branchLabel.Length > 0 ? branchLabel + "." : "") + Text(index));

        /// <summary>Indices from the top: a top-level index, then (branch, index) pairs for each enclosing block.</summary>
        public int[] Indices { get; }

        /// <summary><c>3</c>, <c>2.0</c>, <c>2.shortcut.0</c>.</summary>
        public string Label { get; }

        /// <summary>How many blocks enclose the layer (0 at the top).</summary>
        public int Depth => (Indices.Length - 1) / 2;

        /// <summary><c>(layer 2.0)</c>, the suffix every shape error carries.</summary>
        public string Where => "(layer " + Label + ")";

        /// <inheritdoc />
        public override string ToString() => Label;

        private static string Text(int index) => index.ToString(CultureInfo.InvariantCulture);
    }
}
