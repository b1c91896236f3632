using System;
using System.Collections.Generic;
using System.Globalization;

namespace Relucent.Model
{
    /// <summary>
    /// One argument of a layer call, named as the DSL method's parameter: the shape rules name it in their errors (so
    /// the generator reports at that argument) and the generator reads it from source by this name. A test checks that
    /// every kind's arguments are exactly its DSL method's parameters.
    /// </summary>
    public sealed class Argument
    {
        /// <summary>An argument named <paramref name="name"/>, as the DSL method's parameter is.</summary>
        public Argument(string name) => Name = name;

        /// <summary>The parameter name: <c>kernel</c>.</summary>
        public string Name { get; }

        /// <summary><c>name</c>, which every layer call accepts.</summary>
        public static readonly Argument LayerName = new Argument("name");

        /// <inheritdoc />
        public override string ToString() => Name;
    }

    /// <summary>
    /// The constant values of one layer call, by argument, as the generator read them from source (defaults included).
    /// A layer kind builds its record from them with the same meaning its DSL method gives them.
    /// </summary>
    public sealed class LayerArguments
    {
        private readonly Dictionary<string, object?> _values;

        /// <summary>Values by parameter name: <see cref="int"/>, <see cref="double"/>, <see cref="bool"/>, <see cref="string"/>, <see cref="Padding"/>, a chain (<see cref="EquatableArray{T}"/> of layers) or null.</summary>
        public LayerArguments(Dictionary<string, object?> values) => _values = values;

        /// <summary>The value of an <see cref="int"/> argument.</summary>
        public int Int(Argument argument) => Convert.ToInt32(Value(argument), CultureInfo.InvariantCulture);

        /// <summary>The value of an <see cref="int"/>? argument, null when the call left it out.</summary>
        public int? OptionalInt(Argument argument) => Value(argument) is object value ? Convert.ToInt32(value, CultureInfo.InvariantCulture) : (int?)null;

        /// <summary>The value of a <see cref="double"/> argument.</summary>
        public double Double(Argument argument) => Convert.ToDouble(Value(argument), CultureInfo.InvariantCulture);

        /// <summary>The value of a <see cref="bool"/> argument.</summary>
        public bool Bool(Argument argument) => (bool)Value(argument)!;

        /// <summary>The value of a <see cref="Padding"/> argument (an <see cref="int"/> means every side).</summary>
        public Padding Padding(Argument argument) => Value(argument) switch
        {
            Padding padding => padding,
            null => default,
            object all => Convert.ToInt32(all, CultureInfo.InvariantCulture),
        };

        /// <summary>The value of an <see cref="LrpRule"/> argument (<c>rule: LrpRule.Gamma(0.25)</c>), or null.</summary>
        public LrpRule? Rule(Argument argument) => Value(argument) as LrpRule;

        /// <summary>The chain a lambda argument declares (<c>b =&gt; b.Conv2D(...)</c>), or null when the call left it out.</summary>
        public EquatableArray<Layer>? Chain(Argument argument) => Value(argument) as EquatableArray<Layer>?;

        /// <summary>The <c>name:</c> given, or null.</summary>
        public string? Name => _values.TryGetValue(Argument.LayerName.Name, out object? name) ? name as string : null;

        private object? Value(Argument argument) =>
            _values.TryGetValue(argument.Name, out object? value)
                ? value
                : throw new InvalidOperationException($"The call has no argument '{argument.Name}'.");
    }
}
