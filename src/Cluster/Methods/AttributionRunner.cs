using Relucent.Attribution;

namespace Relucent.Cluster
{
    /// <summary>
    /// Runs an attribution method that keeps buffers per instance (integrated gradients, SmoothGrad) over a chunk, one
    /// instance per worker, as many workers as the silo's <see cref="BatchRunner{T}"/> has.
    /// </summary>
    /// <remarks>
    /// <see cref="BatchRunner{T}"/> runs single rule maps; these methods call the network many times per example through
    /// their own workspace, so each worker needs its own instance. Examples are taken from a shared counter; each is one
    /// deterministic <see cref="IAttribution{T}.Attribute"/> call, so which worker takes it changes no bit. Built once
    /// per job on a silo, so the instances' buffers are reused from chunk to chunk.
    /// </remarks>
    internal sealed class AttributionRunner : IMapRunner
    {
        private readonly IAttribution<float>[] _methods;
        private readonly int _size;

        public AttributionRunner(BatchRunner<float> batch, Func<IExplainer<float>, IAttribution<float>> create)
        {
            _methods = new IAttribution<float>[batch.Workers];
            for (int i = 0; i < _methods.Length; i++) _methods[i] = create(batch.Network);
            _size = batch.Network.InputSize;
            MapShape = batch.Network.Architecture.InputShape.Dimensions;
        }

        public IReadOnlyList<int> MapShape { get; }

        public unsafe void Run(ReadOnlySpan<float> inputs, ReadOnlySpan<int> targets, Span<float> maps)
        {
            int examples = targets.Length;
            if (inputs.Length != examples * _size || maps.Length != examples * _size)
            {
                throw new ArgumentException($"A chunk of {examples} examples needs {examples * _size} input and map values; got {inputs.Length} and {maps.Length}.");
            }

            int next = -1;
            int failed = int.MaxValue;
            Exception? failure = null;
            fixed (float* pi = inputs, pm = maps)
            fixed (int* pt = targets)
            {
                float* input = pi, map = pm;
                int* target = pt;
                Parallel.For(0, Math.Min(_methods.Length, examples), new ParallelOptions { MaxDegreeOfParallelism = _methods.Length }, w =>
                {
                    IAttribution<float> method = _methods[w];
                    int i;
                    while ((i = Interlocked.Increment(ref next)) < examples && Volatile.Read(ref failed) == int.MaxValue)
                    {
                        try
                        {
                            method.Attribute(new ReadOnlySpan<float>(input + (long)i * _size, _size), target[i], new Span<float>(map + (long)i * _size, _size));
                        }
                        catch (Exception e)
                        {
                            // The lowest failing example is reported, whatever the timing (as BatchRunner does).
                            lock (_methods)
                            {
                                if (i < failed)
                                {
                                    failed = i;
                                    failure = e;
                                }
                            }
                        }
                    }
                });
            }

            if (failure is not null)
            {
                throw new ArgumentException($"Example {failed} of the chunk: {failure.Message}", failure);
            }
        }

        public void Dispose()
        {
        }
    }
}
