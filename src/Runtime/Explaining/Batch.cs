using System.Globalization;
using System.Numerics;
using System.Runtime.ExceptionServices;

namespace Relucent
{
    /// <summary>
    /// Many examples through one network, spread over the cores: <c>N</c> inputs stored one after another
    /// (<c>N × InputSize</c> values) give <c>N</c> outputs or maps stored the same way. Every example is computed by
    /// the same single-example call with its own workspace, and the kernels are deterministic, so the results are
    /// identical bit for bit to calling <see cref="IExplainer{T}.Forward"/> or <see cref="IExplainer{T}.Explain"/> one
    /// example at a time, whatever the number of workers or the order they take examples in.
    /// </summary>
    /// <remarks>
    /// These static methods make a <see cref="BatchRunner{T}"/> per call (threads and workspaces included). To run
    /// many batches allocation-free, keep one <see cref="BatchRunner{T}"/> and call its methods instead.
    /// </remarks>
    public static class Batch
    {
        /// <summary>The outputs of <paramref name="inputs"/> (<c>N × InputSize</c>) into <paramref name="outputs"/> (<c>N × OutputSize</c>).</summary>
        /// <remarks><c>maxDegreeOfParallelism</c>: workers to use, the calling thread included; -1 for one per core.</remarks>
        /// <exception cref="ArgumentException">A length is not a whole number of examples, or the counts differ.</exception>
        public static void Forward<T>(IExplainer<T> net, ReadOnlySpan<T> inputs, Span<T> outputs, int maxDegreeOfParallelism = -1)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            int examples = BatchRunner<T>.CountForward(net, inputs, outputs);
            using var runner = new BatchRunner<T>(net, Math.Min(BatchRunner<T>.WorkerCount(maxDegreeOfParallelism), Math.Max(1, examples)));
            runner.Forward(inputs, outputs);
        }

        /// <summary>
        /// The maps of <paramref name="inputs"/> under <paramref name="rule"/>, each for its logit in
        /// <paramref name="targets"/> (one per example, one-hot seeds), into <paramref name="results"/> (<c>N × InputSize</c>).
        /// </summary>
        /// <remarks><c>maxDegreeOfParallelism</c>: workers to use, the calling thread included; -1 for one per core.</remarks>
        /// <exception cref="ArgumentException">A length is not a whole number of examples, or the counts differ.</exception>
        /// <exception cref="ArgumentOutOfRangeException">A target is not a class of the network.</exception>
        public static void Explain<T>(IExplainer<T> net, BackwardRule rule, ReadOnlySpan<T> inputs, ReadOnlySpan<int> targets, Span<T> results, int maxDegreeOfParallelism = -1)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            int examples = BatchRunner<T>.CountExplain(net, rule, inputs, targets, results);
            using var runner = new BatchRunner<T>(net, Math.Min(BatchRunner<T>.WorkerCount(maxDegreeOfParallelism), Math.Max(1, examples)));
            runner.Explain(rule, inputs, targets, results);
        }

        /// <summary>
        /// The maps of <paramref name="inputs"/> under <paramref name="rule"/>, each backpropagating its own output-side
        /// signal from <paramref name="seeds"/> (<c>N × OutputSize</c>), into <paramref name="results"/> (<c>N × InputSize</c>).
        /// </summary>
        /// <remarks><c>maxDegreeOfParallelism</c>: workers to use, the calling thread included; -1 for one per core.</remarks>
        /// <exception cref="ArgumentException">A length is not a whole number of examples, or the counts differ.</exception>
        public static void Explain<T>(IExplainer<T> net, BackwardRule rule, ReadOnlySpan<T> inputs, ReadOnlySpan<T> seeds, Span<T> results, int maxDegreeOfParallelism = -1)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            int examples = BatchRunner<T>.CountExplain(net, rule, inputs, seeds, results);
            using var runner = new BatchRunner<T>(net, Math.Min(BatchRunner<T>.WorkerCount(maxDegreeOfParallelism), Math.Max(1, examples)));
            runner.Explain(rule, inputs, seeds, results);
        }
    }

    /// <summary>
    /// A reusable batch engine for one network: a fixed set of worker threads (the calling thread is one of them),
    /// each with its own workspace and seed buffer, made once. After the first batch, running a batch allocates
    /// nothing. Examples are handed out one at a time from a shared counter, so a slow core never holds the batch
    /// up; since each example is one deterministic single-example call, which worker takes it does not change a bit.
    /// </summary>
    /// <remarks>One batch at a time: the methods are not reentrant and not thread-safe. Dispose to stop the threads.</remarks>
    public sealed unsafe class BatchRunner<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
    {
        private enum Job
        {
            Forward,
            ExplainTargets,
            ExplainSeeds,
        }

        private readonly IExplainer<T> _net;
        private readonly IWorkspace[] _workspaces;
        private readonly T[][] _seeds;
        private readonly Thread[] _threads;
        private readonly SemaphoreSlim[] _starts; // one per helper thread, so each wake-up reaches the thread meant
        private readonly CountdownEvent _finished;
        private readonly int _inputSize;
        private readonly int _outputSize;
        private bool _disposed;

        // The batch in progress: raw pointers into the caller's pinned spans, valid until the call returns.
        private Job _job;
        private BackwardRule _rule;
        private T* _inputs;
        private T* _seedsIn;
        private int* _targets;
        private T* _results;
        private int _examples;
        private int _next;
        private ExceptionDispatchInfo? _failure;

        /// <summary>Prepares <paramref name="workers"/> workers (the calling thread included; -1 for one per core) for <paramref name="net"/>.</summary>
        public BatchRunner(IExplainer<T> net, int workers = -1)
        {
            _net = net ?? throw new ArgumentNullException(nameof(net));
            if (workers == 0 || workers < -1)
            {
                throw new ArgumentOutOfRangeException(nameof(workers), workers, "Use a positive number of workers, or -1 for one per core.");
            }
            Workers = BatchRunner<T>.WorkerCount(workers);
            _inputSize = net.InputSize;
            _outputSize = net.OutputSize;
            _workspaces = new IWorkspace[Workers];
            _seeds = new T[Workers][];
            for (int i = 0; i < Workers; i++)
            {
                _workspaces[i] = net.CreateWorkspace();
                _seeds[i] = new T[_outputSize];
            }
            _finished = new CountdownEvent(1);
            _threads = new Thread[Workers - 1];
            _starts = new SemaphoreSlim[Workers - 1];
            for (int i = 0; i < _threads.Length; i++)
            {
                _starts[i] = new SemaphoreSlim(0);
                int worker = i + 1;
                _threads[i] = new Thread(() => WorkerLoop(worker))
                {
                    IsBackground = true,
                    Name = "Relucent batch worker " + worker.ToString(CultureInfo.InvariantCulture),
                };
                _threads[i].Start();
            }
        }

        /// <summary>The network this runner runs.</summary>
        public IExplainer<T> Network => _net;

        /// <summary>The number of workers, the calling thread included.</summary>
        public int Workers { get; }

        /// <summary>The outputs of <paramref name="inputs"/> (<c>N × InputSize</c>) into <paramref name="outputs"/> (<c>N × OutputSize</c>).</summary>
        /// <exception cref="ArgumentException">A length is not a whole number of examples, or the counts differ.</exception>
        public void Forward(ReadOnlySpan<T> inputs, Span<T> outputs)
        {
            int examples = CountForward(_net, inputs, outputs);
            fixed (T* pi = inputs, po = outputs)
            {
                Run(Job.Forward, default, pi, null, null, po, examples);
            }
        }

        /// <summary>The maps of <paramref name="inputs"/> under <paramref name="rule"/> for one target logit per example, into <paramref name="results"/>.</summary>
        /// <exception cref="ArgumentException">A length is not a whole number of examples, or the counts differ.</exception>
        /// <exception cref="ArgumentOutOfRangeException">A target is not a class of the network.</exception>
        public void Explain(BackwardRule rule, ReadOnlySpan<T> inputs, ReadOnlySpan<int> targets, Span<T> results)
        {
            int examples = CountExplain(_net, rule, inputs, targets, results);
            fixed (T* pi = inputs, pr = results)
            fixed (int* pt = targets)
            {
                Run(Job.ExplainTargets, rule, pi, null, pt, pr, examples);
            }
        }

        /// <summary>The maps of <paramref name="inputs"/> under <paramref name="rule"/>, one output-side seed per example (<c>N × OutputSize</c>), into <paramref name="results"/>.</summary>
        /// <exception cref="ArgumentException">A length is not a whole number of examples, or the counts differ.</exception>
        public void Explain(BackwardRule rule, ReadOnlySpan<T> inputs, ReadOnlySpan<T> seeds, Span<T> results)
        {
            int examples = CountExplain(_net, rule, inputs, seeds, results);
            fixed (T* pi = inputs, ps = seeds, pr = results)
            {
                Run(Job.ExplainSeeds, rule, pi, ps, null, pr, examples);
            }
        }

        /// <summary>Stops the worker threads.</summary>
        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            foreach (SemaphoreSlim start in _starts) start.Release();
            foreach (Thread thread in _threads) thread.Join();
            foreach (SemaphoreSlim start in _starts) start.Dispose();
            _finished.Dispose();
        }

        private void Run(Job job, BackwardRule rule, T* inputs, T* seeds, int* targets, T* results, int examples)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (examples == 0) return;
            _job = job;
            _rule = rule;
            _inputs = inputs;
            _seedsIn = seeds;
            _targets = targets;
            _results = results;
            _examples = examples;
            _next = 0;
            _failure = null;
            // Wake only as many helpers as there are examples left for them.
            int helpers = Math.Min(_threads.Length, examples - 1);
            if (helpers > 0)
            {
                _finished.Reset(helpers);
                for (int i = 0; i < helpers; i++) _starts[i].Release();
            }
            // A batch already has a worker per core: its examples' kernels run on their worker's thread alone.
            Relucent.Kernels.KernelParallelism.SuppressOnThisThread();
            try
            {
                Work(0);
            }
            finally
            {
                Relucent.Kernels.KernelParallelism.Restore();
            }
            if (helpers > 0) _finished.Wait();
            _inputs = _seedsIn = _results = null;
            _targets = null;
            _failure?.Throw();
        }

        private void WorkerLoop(int worker)
        {
            Relucent.Kernels.KernelParallelism.SuppressOnThisThread();
            while (true)
            {
                _starts[worker - 1].Wait();
                if (_disposed) return;
                Work(worker);
                _finished.Signal();
            }
        }

        private void Work(int worker)
        {
            IWorkspace workspace = _workspaces[worker];
            T[] seed = _seeds[worker];
            try
            {
                int i;
                while ((i = Interlocked.Increment(ref _next) - 1) < _examples)
                {
                    var input = new ReadOnlySpan<T>(_inputs + (long)i * _inputSize, _inputSize);
                    switch (_job)
                    {
                        case Job.Forward:
                            _net.Forward(input, new Span<T>(_results + (long)i * _outputSize, _outputSize), workspace);
                            break;
                        case Job.ExplainTargets:
                            Array.Clear(seed);
                            seed[_targets[i]] = T.One;
                            _net.Explain(_rule, input, seed, new Span<T>(_results + (long)i * _inputSize, _inputSize), workspace);
                            break;
                        default:
                            _net.Explain(_rule, input, new ReadOnlySpan<T>(_seedsIn + (long)i * _outputSize, _outputSize),
                                new Span<T>(_results + (long)i * _inputSize, _inputSize), workspace);
                            break;
                    }
                }
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null);
                Volatile.Write(ref _next, int.MaxValue / 2); // the others stop at their next example
            }
        }

        internal static int WorkerCount(int maxDegreeOfParallelism)
        {
            if (maxDegreeOfParallelism == 0 || maxDegreeOfParallelism < -1)
            {
                throw new ArgumentOutOfRangeException(nameof(maxDegreeOfParallelism), maxDegreeOfParallelism,
                    "Use a positive number of workers, or -1 for one per core.");
            }
            return maxDegreeOfParallelism == -1 ? Environment.ProcessorCount : maxDegreeOfParallelism;
        }

        internal static int CountForward(IExplainer<T> net, ReadOnlySpan<T> inputs, ReadOnlySpan<T> outputs)
        {
            ArgumentNullException.ThrowIfNull(net);
            int examples = Examples(inputs.Length, net.InputSize, nameof(inputs), "InputSize");
            ExpectLength(outputs.Length, examples, net.OutputSize, nameof(outputs), "OutputSize");
            return examples;
        }

        internal static int CountExplain(IExplainer<T> net, BackwardRule rule, ReadOnlySpan<T> inputs, ReadOnlySpan<int> targets, ReadOnlySpan<T> results)
        {
            ArgumentNullException.ThrowIfNull(net);
            CheckRule(net, rule);
            int examples = Examples(inputs.Length, net.InputSize, nameof(inputs), "InputSize");
            if (targets.Length != examples)
            {
                throw new ArgumentException(
                    $"targets has {targets.Length} values, expected {examples} (one per example: inputs holds {examples} examples of {net.InputSize} values).",
                    nameof(targets));
            }
            for (int i = 0; i < targets.Length; i++)
            {
                if ((uint)targets[i] >= (uint)net.OutputSize)
                {
                    throw new ArgumentOutOfRangeException(nameof(targets), targets[i],
                        $"targets[{i}] = {targets[i]} is not a class: the network has {net.OutputSize} classes (0 to {net.OutputSize - 1}).");
                }
            }
            ExpectLength(results.Length, examples, net.InputSize, nameof(results), "InputSize");
            return examples;
        }

        internal static int CountExplain(IExplainer<T> net, BackwardRule rule, ReadOnlySpan<T> inputs, ReadOnlySpan<T> seeds, ReadOnlySpan<T> results)
        {
            ArgumentNullException.ThrowIfNull(net);
            CheckRule(net, rule);
            int examples = Examples(inputs.Length, net.InputSize, nameof(inputs), "InputSize");
            ExpectLength(seeds.Length, examples, net.OutputSize, nameof(seeds), "OutputSize");
            ExpectLength(results.Length, examples, net.InputSize, nameof(results), "InputSize");
            return examples;
        }

        private static void CheckRule(IExplainer<T> net, BackwardRule rule)
        {
            IReadOnlyList<BackwardRule> rules = net.Rules;
            for (int i = 0; i < rules.Count; i++)
            {
                if (rules[i] == rule) return;
            }
            throw new ArgumentException($"The network has no {rule} rule; its rules are {string.Join(", ", rules)}.", nameof(rule));
        }

        private static int Examples(int length, int size, string name, string sizeName)
        {
            if (size <= 0 || length % size != 0)
            {
                throw new ArgumentException(
                    $"{name} has {length} values, expected a multiple of {sizeName} = {size} (N examples stored one after another).", name);
            }
            return length / size;
        }

        private static void ExpectLength(int length, int examples, int size, string name, string sizeName)
        {
            if (length != (long)examples * size)
            {
                throw new ArgumentException(
                    $"{name} has {length} values, expected {(long)examples * size} ({examples} examples × {sizeName} = {size}).", name);
            }
        }
    }
}
