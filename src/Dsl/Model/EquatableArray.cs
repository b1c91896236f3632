using System;
using System.Collections;
using System.Collections.Generic;

namespace Relucent.Model
{
    /// <summary>
    /// An immutable array compared by its elements. The layer model is value-equal data so that the
    /// source generator's incremental pipeline can tell an unchanged network from a changed one.
    /// </summary>
    public readonly struct EquatableArray<T> : IEquatable<EquatableArray<T>>, IReadOnlyList<T>
    {
        private readonly T[]? _items;

        /// <summary>Copies <paramref name="items"/>; later changes to the source do not show.</summary>
        public EquatableArray(IEnumerable<T> items) => _items = new List<T>(items).ToArray();

        private EquatableArray(T[] items) => _items = items;

        /// <summary>Wraps <paramref name="items"/> without a copy; the caller never changes it afterwards.</summary>
        internal static EquatableArray<T> Wrap(T[] items) => new EquatableArray<T>(items);

        /// <summary>An empty array.</summary>
        public static EquatableArray<T> Empty => default;

        /// <inheritdoc />
        public int Count => _items?.Length ?? 0;

        /// <inheritdoc />
        public T this[int index] => (_items ?? Array.Empty<T>())[index];

        /// <inheritdoc />
        public bool Equals(EquatableArray<T> other)
        {
            if (Count != other.Count) return false;
            for (int i = 0; i < Count; i++)
            {
                if (!EqualityComparer<T>.Default.Equals(this[i], other[i])) return false;
            }
            return true;
        }

        /// <inheritdoc />
        public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

        /// <inheritdoc />
        public override int GetHashCode()
        {
            unchecked
            {
                int hash = 17;
                for (int i = 0; i < Count; i++) hash = hash * 31 + (this[i]?.GetHashCode() ?? 0);
                return hash;
            }
        }

        /// <summary>Element-wise equality.</summary>
        public static bool operator ==(EquatableArray<T> left, EquatableArray<T> right) => left.Equals(right);

        /// <summary>Element-wise inequality.</summary>
        public static bool operator !=(EquatableArray<T> left, EquatableArray<T> right) => !left.Equals(right);

        /// <inheritdoc />
        public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)(_items ?? Array.Empty<T>())).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        /// <summary>The elements joined by ", ", for messages.</summary>
        public override string ToString() => string.Join(", ", this);
    }
}
