using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace Relucent.Model
{
    /// <summary>
    /// A layer kind's DSL call: its method name, its arguments in the method's order, and how a record is built from
    /// the constants a call passes. The generator reads calls with it; the completeness test checks it against the
    /// DSL method.
    /// </summary>
    internal sealed class LayerCall
    {
        public LayerCall(string method, Func<LayerArguments, Layer> read, params Argument[] arguments)
        {
            Method = method;
            Read = read;
            Arguments = arguments;
        }

        /// <summary><c>Conv2D</c>.</summary>
        public string Method { get; }

        /// <summary>Every argument but <c>name:</c>, in the method's order.</summary>
        public IReadOnlyList<Argument> Arguments { get; }

        /// <summary>Builds the layer from a call's constants, as the DSL method does from its arguments.</summary>
        public Func<LayerArguments, Layer> Read { get; }

        /// <summary>The argument of that name, or null.</summary>
        public Argument? Find(string name) =>
            name == Argument.LayerName.Name ? Argument.LayerName : Arguments.FirstOrDefault(a => a.Name == name);

        /// <summary>
        /// Every layer kind's call, by method name: the static <c>Call</c> of each concrete <see cref="Layer"/> record, found
        /// once by reflection so that a new kind is its own file and nothing else.
        /// </summary>
        public static IReadOnlyDictionary<string, LayerCall> All => s_all.Value;

        private static readonly Lazy<Dictionary<string, LayerCall>> s_all = new Lazy<Dictionary<string, LayerCall>>(() =>
            typeof(Layer).GetTypeInfo().Assembly.GetTypes()
                .Where(t => t.GetTypeInfo().IsSubclassOf(typeof(Layer)) && !t.GetTypeInfo().IsAbstract)
                .Select(t => t.GetField("Kind", BindingFlags.Static | BindingFlags.NonPublic)?.GetValue(null) as LayerCall
                    ?? throw new InvalidOperationException($"{t.Name} declares no static LayerCall Kind."))
                .ToDictionary(c => c.Method, StringComparer.Ordinal));
    }
}
