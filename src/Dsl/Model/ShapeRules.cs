using System;
using System.Collections.Generic;
using System.Linq;

namespace Relucent.Model
{
    /// <summary>
    /// Shape inference and validation, shared by the generator (compile-time diagnostics) and the run-time builder
    /// (exceptions), so both always agree. Each layer kind states its own rule (<see cref="Layer"/>); this walks a chain,
    /// descends into blocks, and holds every network to <see cref="Limits"/>.
    /// </summary>
    public static class ShapeRules
    {
        /// <summary>The largest tensor a network may hold: <see cref="Limits.MaxElements"/>.</summary>
        public const long MaxElements = Limits.MaxElements;

        /// <summary>
        /// Infers the output shape of each top-level layer of <paramref name="layers"/> from <paramref name="input"/>.
        /// Returns the first error found, or null with <paramref name="outputs"/> filled in.
        /// </summary>
        public static LayerError? Infer(Shape input, IReadOnlyList<Layer> layers, out Shape[] outputs)
        {
            outputs = new Shape[layers.Count];
            LayerError? error = CheckLimits(layers);
            if (error != null) return error;
            Shape current = input;
            for (int i = 0; i < layers.Count; i++)
            {
                error = Check(layers[i], current, LayerPath.Top(i), out current);
                if (error != null) return error;
                outputs[i] = current;
            }
            return null;
        }

        /// <summary>Checks the network's input shape, <c>Net.Input(...)</c>'s arguments.</summary>
        public static LayerError? CheckInput(Shape input)
        {
            string[] names = input.IsImage ? new[] { "channels", "height", "width" } : new[] { "features" };
            int[] values = input.Dimensions;
            for (int i = 0; i < values.Length; i++)
            {
                if (values[i] <= 0)
                {
                    return new LayerError(EquatableArray<int>.Empty, names[i], LayerErrorKind.InvalidArgument,
                        $"Net.Input {names[i]} must be positive, got {Format.Int(values[i])}");
                }
            }
            return input.Size > MaxElements
                ? new LayerError(EquatableArray<int>.Empty, null, LayerErrorKind.TooLarge,
                    $"Net.Input {input} holds {input.Size} values, more than the {MaxElements} a tensor may hold")
                : null;
        }

        /// <summary>
        /// Checks one layer receiving <paramref name="input"/> at <paramref name="path"/> (indices from the top, as
        /// <see cref="LayerPath.Indices"/>) and gives its output shape; a block's chains are checked too.
        /// </summary>
        public static LayerError? Check(Layer layer, Shape input, IReadOnlyList<int> path, out Shape output) =>
            Check(layer, input, LayerPath.From(path), out output);

        /// <summary>Checks one layer at <paramref name="at"/>; a block deeper than <see cref="Limits.MaxNesting"/> is refused before its chains are read.</summary>
        public static LayerError? Check(Layer layer, Shape input, LayerPath at, out Shape output)
        {
            if (layer is null) throw new ArgumentNullException(nameof(layer));
            if (layer.Branches.Count > 0 && at.Depth >= Limits.MaxNesting)
            {
                output = input;
                return new LayerError(new EquatableArray<int>(at.Indices), null, LayerErrorKind.BeyondLimits,
                    $"{layer.Call.Method} blocks are nested more than {Limits.MaxNesting} deep {at.Where}");
            }
            return layer.Check(input, at, out output);
        }

        /// <summary>Infers the output of chain <paramref name="branch"/> (number <paramref name="index"/>) of the block at <paramref name="block"/>.</summary>
        internal static LayerError? InferBranch(Shape input, Branch branch, int index, LayerPath block, out Shape output)
        {
            output = input;
            for (int j = 0; j < branch.Layers.Count; j++)
            {
                LayerError? error = Check(branch.Layers[j], output, block.Inside(index, branch.Label, j), out output);
                if (error != null) return error;
            }
            return null;
        }

        /// <summary>
        /// Null when <paramref name="layers"/> holds at most <see cref="Limits.MaxLayers"/> layers (blocks' chains
        /// included) nested at most <see cref="Limits.MaxNesting"/> deep; counted without recursion, so no depth of
        /// nesting can exhaust the stack.
        /// </summary>
        public static LayerError? CheckLimits(IReadOnlyList<Layer> layers)
        {
            long count = 0;
            var pending = new Stack<(IReadOnlyList<Layer> Chain, int Depth)>();
            pending.Push((layers, 0));
            while (pending.Count > 0)
            {
                (IReadOnlyList<Layer> chain, int depth) = pending.Pop();
                count += chain.Count;
                if (count > Limits.MaxLayers)
                {
                    return new LayerError(EquatableArray<int>.Empty, null, LayerErrorKind.BeyondLimits,
                        $"The network holds more than {Limits.MaxLayers} layers, the most a network may hold");
                }
                foreach (Layer layer in chain)
                {
                    if (layer.Branches.Count == 0) continue;
                    if (depth >= Limits.MaxNesting)
                    {
                        return new LayerError(EquatableArray<int>.Empty, null, LayerErrorKind.BeyondLimits,
                            $"{layer.Call.Method} blocks are nested more than {Limits.MaxNesting} deep");
                    }
                    foreach (Branch branch in layer.Branches) pending.Push((branch.Layers, depth + 1));
                }
            }
            return null;
        }

        /// <summary>The number of layers in <paramref name="layer"/>: one, plus every layer of its chains.</summary>
        internal static int Count(Layer layer) => 1 + layer.Branches.Sum(b => b.Layers.Sum(Count));
    }
}
