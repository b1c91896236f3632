namespace Relucent
{
    /// <summary>
    /// Detects a second call entering an object that serves one call at a time (a workspace, an attribution method, a
    /// batch runner: each keeps one set of buffers). Sharing one between threads would silently mix two calls' values
    /// into wrong maps; with this guard the second call throws <see cref="InvalidOperationException"/> naming the object
    /// instead. The cost is one interlocked exchange per call and nothing allocated.
    /// </summary>
    /// <remarks>
    /// <code>
    /// using SingleCaller.Scope use = _inUse.Enter();   // throws if another call is inside
    /// ... the call ...
    /// </code>
    /// It detects overlap, not every misuse: two threads whose calls happen not to overlap are not told, and their
    /// results are right. A call that enters twice on one thread (reentrancy) is refused too.
    /// </remarks>
    public sealed class SingleCaller
    {
        private readonly string _name;
        private int _busy;

        /// <summary>A guard for the object described by <paramref name="name"/>, as messages name it: <c>LeNet.Workspace</c>.</summary>
        public SingleCaller(string name)
        {
            _name = name ?? throw new ArgumentNullException(nameof(name));
        }

        /// <summary>Whether a call is inside.</summary>
        public bool IsBusy => Volatile.Read(ref _busy) != 0;

        /// <summary>Marks a call as inside until the returned scope is disposed.</summary>
        /// <exception cref="InvalidOperationException">Another call is inside (another thread's, or this one's).</exception>
        public Scope Enter()
        {
            if (Interlocked.Exchange(ref _busy, 1) != 0)
            {
                throw new InvalidOperationException(
                    $"{_name} is already in use by another call (on another thread, or reentrantly). It keeps one set of buffers and serves one call "
                    + $"at a time, so sharing it would mix the calls' values into wrong results: give each thread its own {_name}.");
            }

            return new Scope(this);
        }

        /// <summary>The span of one call: disposing it lets the next call in.</summary>
        public readonly struct Scope : IDisposable
        {
            private readonly SingleCaller? _owner;

            internal Scope(SingleCaller owner) => _owner = owner;

            /// <summary>Ends the call.</summary>
            public void Dispose()
            {
                if (_owner != null) Volatile.Write(ref _owner._busy, 0);
            }
        }

        /// <summary>A type's name as C# writes it, for messages: <c>IntegratedGradients&lt;float&gt;</c>.</summary>
        internal static string NameOf(Type type)
        {
            if (!type.IsGenericType) return type.Name;
            string name = type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)];
            return name + "<" + string.Join(", ", type.GetGenericArguments().Select(t => t == typeof(float) ? "float" : t == typeof(double) ? "double" : NameOf(t))) + ">";
        }
    }
}
