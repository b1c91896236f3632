using System.Diagnostics;
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
    /// many batches allocation-free, or to skip the NaN scan (<see cref="BatchRunner{T}.CheckFinite"/>), keep one
    /// <see cref="BatchRunner{T}"/> and call its methods instead. An example its single call refuses (NaN or infinity
    /// in its input or seed) fails the batch naming the example, as <see cref="BatchRunner{T}"/> describes.
    /// </remarks>
    public static class Batch
    {
        /// <summary>The outputs of <paramref name="inputs"/> (<c>N × InputSize</c>) into <paramref name="outputs"/> (<c>N × OutputSize</c>).</summary>
        /// <remarks><c>maxDegreeOfParallelism</c>: workers to use, the calling thread included; -1 for one per core.</remarks>
        /// <exception cref="ArgumentException">
        /// A length is not a whole number of examples, or the counts differ; or an example holds NaN or infinity
        /// (<c>inputs[17]: holds NaN at [0, 3, 5]</c>, the lowest such example).
        /// </exception>
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
        /// <exception cref="ArgumentException">
        /// A length is not a whole number of examples, or the counts differ; or an example holds NaN or infinity
        /// (<c>inputs[17]: holds NaN at [0, 3, 5]</c>, the lowest such example).
        /// </exception>
        /// <exception cref="ArgumentOutOfRangeException">A target is not a class of the network (<c>targets[i]</c>, checked before any example).</exception>
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
        /// <exception cref="ArgumentException">
        /// A length is not a whole number of examples, or the counts differ; or an example's input or seed holds NaN or
        /// infinity (<c>seeds[4]: holds NaN at [2]</c>, the lowest such example).
        /// </exception>
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
    /// <remarks>
    /// <para>
    /// One batch at a time: a call while another runs (from another thread, or reentrantly) throws
    /// <see cref="InvalidOperationException"/> rather than corrupting the batch in progress; give each thread its own
    /// runner. Dispose to stop the threads.
    /// </para>
    /// <para>
    /// When the single call of an example throws, the batch stops handing out examples and the call throws once
    /// every worker has stopped. An <see cref="ArgumentException"/> (NaN or infinity in an input or seed, for a
    /// generated network) becomes an <see cref="ArgumentException"/> naming the batch argument and the example,
    /// <c>inputs[17]: holds NaN at [0, 3, 5]</c>, with <see cref="ArgumentException.ParamName"/> <c>inputs</c> (or
    /// <c>seeds</c>, …) and the single call's exception as <see cref="Exception.InnerException"/>. Any other exception
    /// (a fault inside a custom <see cref="IExplainer{T}"/>) is rethrown unchanged. If several examples fail, the one
    /// reported is always the lowest-numbered failing example, whatever the number of workers: examples are handed
    /// out in order, so every example before a failed one has been run when the batch stops. The results of the other
    /// examples of a failed batch are unspecified (some are written, some not).
    /// </para>
    /// <para>
    /// A generated network with a dense head (its last layers only dense layers, ReLUs, dropouts and a flatten, holding 4 M
    /// weights or more: AlexNet's and VGG's classifiers) runs its maps group by group: each example's trunk on the workers,
    /// the head once for the group (its weights read once rather than twice per example, its products shared by one thread per
    /// worker up to one per core), the trunks' backward passes on the workers. Each example still gets its single call's bits.
    /// The runner then keeps a workspace per example of a group: up to 16, together at most 2 GB (VGG-11-BN: 10 of 198 MB); a network whose workspaces are too large for groups of 8
    /// runs whole single calls, and <see cref="DenseHeads"/> = false turns groups off.
    /// </para>
    /// </remarks>
    public sealed unsafe class BatchRunner<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
    {
        private enum Job
        {
            Forward,
            ExplainTargets,
            ExplainSeeds,
        }

        // What the workers do with each example of the range they are given: the whole single call, or, for a network with a
        // dense head, the trunk's forward pass (into the head's input) or its backward pass (from the head's signal).
        private enum Phase
        {
            Whole,
            Trunk,
            TrunkBackward,
        }

        /// <summary>
        /// The memory the examples of one dense-head group may keep in their workspaces (each example of a group keeps its
        /// trunk's forward state while the head runs): 2 GB. AlexNet's 10 MB workspaces make groups of 16, VGG-11-BN's 198 MB
        /// groups of 10.
        /// </summary>
        private const long HeadGroupBytes = 2048L << 20;

        /// <summary>The largest dense-head group: past 16 examples, the head's weights are already read a sixteenth as often.</summary>
        private const int MaxHeadGroup = 16;

        /// <summary>
        /// The smallest: a group's trunks keep their activations until the head has run, so the backward passes read them
        /// from memory rather than cache. Measured on VGG-11-BN at batch 8 (198 MB workspaces), groups of 8 were 1.2× faster than
        /// whole single calls and groups of 4 no faster (0.8–1.0×): a network whose workspaces allow fewer runs whole calls.
        /// </summary>
        private const int MinHeadGroup = 8;

        private readonly IExplainer<T> _net;
        private readonly IWorkspace[] _workspaces;
        private readonly T[][] _seeds;
        private readonly Thread[] _threads;
        private readonly SemaphoreSlim[] _starts; // one per helper thread, so each wake-up reaches the thread meant
        private readonly CountdownEvent _finished;
        private readonly int _inputSize;
        private readonly int _outputSize;
        private readonly object _failureLock = new();
        private readonly SingleCaller _inUse = new("BatchRunner");
        private bool _checkFinite = true;
        private bool _denseHeads = true;
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
        private ExceptionDispatchInfo? _failure; // the lowest-numbered failing example's exception, under _failureLock
        private int _failedExample;

        // A network with a dense head (null otherwise), its head and the workspaces of a group's examples, made on the first batch that runs it.
        private IHeadedNetwork<T>? _headed;
        private readonly long _workspaceBytes; // what the first workspace allocated: the size of a dense-head group
        private DenseHead<T>? _head;
        private readonly List<IWorkspace> _groupWorkspaces = new();
        private Phase _phase;
        private int _groupStart;

        /// <summary>
        /// The most workers a runner may have: 256. Each worker is a thread with a workspace of the whole network, and
        /// beyond the cores they add nothing; an absurd count (30,000) would exhaust the process's threads or memory.
        /// </summary>
        public const int MaxWorkers = 256;

        /// <summary>Prepares <paramref name="workers"/> workers (the calling thread included; -1 for one per core) for <paramref name="net"/>.</summary>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="workers"/> is 0, below -1, or above <see cref="MaxWorkers"/>.</exception>
        public BatchRunner(IExplainer<T> net, int workers = -1)
        {
            _net = net ?? throw new ArgumentNullException(nameof(net));
            Workers = BatchRunner<T>.WorkerCount(workers, nameof(workers));
            _inputSize = net.InputSize;
            _outputSize = net.OutputSize;
            _headed = net as IHeadedNetwork<T>;
            _workspaces = new IWorkspace[Workers];
            _seeds = new T[Workers][];
            for (int i = 0; i < Workers; i++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                _workspaces[i] = net.CreateWorkspace();
                if (i == 0) _workspaceBytes = Math.Max(1, GC.GetAllocatedBytesForCurrentThread() - before);
                _workspaces[i].CheckFinite = _checkFinite;
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

        /// <summary>
        /// Whether each example's input (and seed) is first scanned for NaN and infinity, as a single call with
        /// <c>workspace.CheckFinite = true</c> does; true by default. The scan is one pass over the example's values
        /// before any work, about 1–2% of a LeNet explanation (docs/guarantees.md). Turn it off when the data has been
        /// checked already (once per dataset, say) and that pass is wasted; a NaN then flows into its example's output
        /// or map unnoticed, and the finite examples' results are the same bits either way.
        /// </summary>
        /// <remarks>
        /// Sets <see cref="IWorkspace.CheckFinite"/> on every worker's workspace; set it between batches, not during
        /// one. Explainers whose calls never scan (the <see cref="Interpreter{T}"/>) are not affected.
        /// </remarks>
        public bool CheckFinite
        {
            get => _checkFinite;
            set
            {
                _checkFinite = value;
                foreach (IWorkspace workspace in _workspaces) workspace.CheckFinite = value;
                for (int i = Workers; i < _groupWorkspaces.Count; i++) _groupWorkspaces[i].CheckFinite = value; // the first are the workers' own
            }
        }

        /// <summary>
        /// Whether maps through a network with a dense head run the head once per group of examples (true, the default; see the
        /// remarks): each example's map is the same bits either way. False runs each example's whole single call and lets the
        /// groups' extra workspaces go, for when memory matters more than the head's time. Set it between batches.
        /// </summary>
        public bool DenseHeads
        {
            get => _denseHeads;
            set
            {
                _denseHeads = value;
                if (value || _head == null) return;
                _head = null;
                _groupWorkspaces.Clear(); // the workers' own stay in _workspaces
            }
        }

        /// <summary>How many times this runner has run a dense head for a group of examples (tests check the batched path ran).</summary>
        internal int HeadPasses { get; private set; }

        /// <summary>
        /// Where this runner's dense-head groups spent their time, in <see cref="Stopwatch"/> ticks summed since it was made: the
        /// trunks' forward passes, the head's forward pass, its backward pass, the trunks' backward passes (Benchmarks' <c>batch-phases</c>).
        /// </summary>
        internal long[] PhaseTicks { get; } = new long[4];

        /// <summary>The outputs of <paramref name="inputs"/> (<c>N × InputSize</c>) into <paramref name="outputs"/> (<c>N × OutputSize</c>).</summary>
        /// <exception cref="ArgumentException">
        /// A length is not a whole number of examples, or the counts differ; or, with <see cref="CheckFinite"/>, an
        /// example holds NaN or infinity (<c>inputs[17]: holds NaN at [0, 3, 5]</c>, the lowest such example).
        /// </exception>
        public void Forward(ReadOnlySpan<T> inputs, Span<T> outputs)
        {
            int examples = CountForward(_net, inputs, outputs);
            fixed (T* pi = inputs, po = outputs)
            {
                Run(Job.Forward, default, pi, null, null, po, examples);
            }
        }

        /// <summary>The maps of <paramref name="inputs"/> under <paramref name="rule"/> for one target logit per example, into <paramref name="results"/>.</summary>
        /// <exception cref="ArgumentException">
        /// A length is not a whole number of examples, or the counts differ; or, with <see cref="CheckFinite"/>, an
        /// example holds NaN or infinity (<c>inputs[17]: holds NaN at [0, 3, 5]</c>, the lowest such example).
        /// </exception>
        /// <exception cref="ArgumentOutOfRangeException">A target is not a class of the network (<c>targets[i]</c>, checked before any example).</exception>
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
        /// <exception cref="ArgumentException">
        /// A length is not a whole number of examples, or the counts differ; or, with <see cref="CheckFinite"/>, an
        /// example's input or seed holds NaN or infinity (<c>seeds[4]: holds NaN at [2]</c>, the lowest such example).
        /// </exception>
        public void Explain(BackwardRule rule, ReadOnlySpan<T> inputs, ReadOnlySpan<T> seeds, Span<T> results)
        {
            int examples = CountExplain(_net, rule, inputs, seeds, results);
            fixed (T* pi = inputs, ps = seeds, pr = results)
            {
                Run(Job.ExplainSeeds, rule, pi, ps, null, pr, examples);
            }
        }

        /// <summary>Stops the worker threads.</summary>
        /// <exception cref="InvalidOperationException">A batch is running on another thread.</exception>
        public void Dispose()
        {
            if (_disposed) return;
            using SingleCaller.Scope use = _inUse.Enter();
            _disposed = true;
            foreach (SemaphoreSlim start in _starts) start.Release();
            foreach (Thread thread in _threads) thread.Join();
            foreach (SemaphoreSlim start in _starts) start.Dispose();
            _finished.Dispose();
        }

        private void Run(Job job, BackwardRule rule, T* inputs, T* seeds, int* targets, T* results, int examples)
        {
            // One batch at a time: a second thread (or a custom explainer calling back in) would overwrite the batch in
            // progress and upset the workers' count; it is refused by name instead.
            using SingleCaller.Scope use = _inUse.Enter();
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (examples == 0) return;
            _job = job;
            _rule = rule;
            _inputs = inputs;
            _seedsIn = seeds;
            _targets = targets;
            _results = results;
            _failure = null;
            DenseHead<T>? head = job == Job.Forward ? null : HeadFor(rule, examples);
            if (head != null) RunHeaded(head, examples);
            else RunPhase(Phase.Whole, 0, examples);
            // Every worker has stopped, so _failure holds the lowest failing example; name it while the caller's
            // spans are still pinned (the message reads the example's values).
            ExceptionDispatchInfo? failure = _failure;
            ArgumentException? named = failure?.SourceException is ArgumentException refused ? ForExample(refused, _failedExample) : null;
            _failure = null;
            _inputs = _seedsIn = _results = null;
            _targets = null;
            if (named != null) throw named;
            failure?.Throw();
        }

        // The examples [first, end) through the workers, the calling thread one of them; returns when all have stopped.
        private void RunPhase(Phase phase, int first, int end)
        {
            _phase = phase;
            _groupStart = first;
            _next = first;
            _examples = end;
            // Wake only as many helpers as there are examples left for them.
            int helpers = Math.Min(_threads.Length, end - first - 1);
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
        }

        // The network's dense head for a batch of `examples` under `rule`, made on first use; null to run whole single calls
        // (no head, an LRP rule, a rule the network lacks — whose single call names the problem —, or one example).
        private DenseHead<T>? HeadFor(BackwardRule rule, int examples)
        {
            if (_headed == null || !_denseHeads || examples < 2 || !DenseHead<T>.Runs(rule) || !_net.Rules.Contains(rule)) return null;
            if (_head == null)
            {
                // The group: as many examples as the workspaces' memory allows; the workers' own workspaces serve its first
                // examples (the phases never overlap).
                long group = Math.Min(HeadGroupBytes / _workspaceBytes, MaxHeadGroup);
                _head = group < MinHeadGroup ? null : _headed.CreateHead((int)group);
                if (_head == null)
                {
                    _headed = null;
                    return null;
                }
                _groupWorkspaces.AddRange(_workspaces);
            }
            return _head;
        }

        // A batch through a dense head, group by group: each group's trunks (in parallel, one workspace per example), its
        // head at once (the kernels sharing the cores), its trunks' backward passes. After a failure, the examples below the
        // lowest failing one still finish, so the example reported is the one single calls would report first.
        private void RunHeaded(DenseHead<T> head, int examples)
        {
            // Groups of even size (8 examples in groups of up to 5 run as 4 + 4: a short last group would leave a worker idle).
            int groups = (examples + head.Capacity - 1) / head.Capacity, size = (examples + groups - 1) / groups;
            int limit = examples;
            for (int start = 0; start < limit; start += size)
            {
                int end = Math.Min(limit, start + size);
                while (_groupWorkspaces.Count < end - start)
                {
                    IWorkspace workspace = _net.CreateWorkspace();
                    workspace.CheckFinite = _checkFinite;
                    _groupWorkspaces.Add(workspace);
                }
                long started = Stopwatch.GetTimestamp();
                RunPhase(Phase.Trunk, start, end);
                PhaseTicks[0] += Stopwatch.GetTimestamp() - started;
                end = Math.Min(end, FailedExample());
                if (end > start) RunHead(head, start, end);
                end = Math.Min(end, FailedExample());
                started = Stopwatch.GetTimestamp();
                if (end > start) RunPhase(Phase.TrunkBackward, start, end);
                PhaseTicks[3] += Stopwatch.GetTimestamp() - started;
                if (_failure != null) return;
            }
        }

        // The head's forward pass, the logits' check, the seeds and the backward pass for examples [start, end), on the calling thread.
        private void RunHead(DenseHead<T> head, int start, int end)
        {
            // The head is one product over the group, and its kernels cut it into fixed pieces (the same bits on any number of
            // threads): KernelParallelism's helpers share them with this thread while the runner's workers wait, as many threads
            // as the runner has workers, at most one per core. The kernels' own default is one thread, and one core streams
            // the weights at half the memory's bandwidth (AlexNet's head, 470 MB per group: 62 ms on one core, 30 on two).
            using Relucent.Kernels.KernelParallelism.Scope threads = Relucent.Kernels.KernelParallelism.Override(HeadThreads);
            RunHeadPasses(head, start, end - start);
        }

        /// <summary>The threads a group's head runs on: one per worker up to one per core; one when <see cref="SerialHead"/>.</summary>
        internal int HeadThreads => SerialHead ? 1 : Math.Min(Workers, Environment.ProcessorCount);

        /// <summary>Runs the dense head on the calling thread alone, as before it shared the cores (Benchmarks' <c>batch-phases</c> A/B). Set it between batches.</summary>
        internal bool SerialHead { get; set; }

        private void RunHeadPasses(DenseHead<T> head, int start, int count)
        {
            HeadPasses++;
            long started = Stopwatch.GetTimestamp();
            head.Forward(count);
            PhaseTicks[1] += Stopwatch.GetTimestamp() - started;
            for (int e = 0; e < count; e++)
            {
                int i = start + e;
                try
                {
                    if (_checkFinite) Guard.FiniteResult<T>(head.Output(e), "the logits");
                }
                catch (NonFiniteResultException refused)
                {
                    // The examples before this one go on (their backward passes may fail first in example order).
                    _failure = ExceptionDispatchInfo.Capture(refused);
                    _failedExample = i;
                    count = e;
                    break;
                }
                Span<T> seed = head.Seed(e);
                if (_job == Job.ExplainTargets)
                {
                    seed.Clear();
                    seed[_targets[i]] = T.One;
                }
                else
                {
                    new ReadOnlySpan<T>(_seedsIn + (long)i * _outputSize, _outputSize).CopyTo(seed);
                }
            }
            started = Stopwatch.GetTimestamp();
            if (count > 0) head.Backward(_rule, count);
            PhaseTicks[2] += Stopwatch.GetTimestamp() - started;
        }

        private int FailedExample() => _failure == null ? int.MaxValue : _failedExample;

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
            int i = -1;
            try
            {
                while ((i = Interlocked.Increment(ref _next) - 1) < _examples)
                {
                    var input = new ReadOnlySpan<T>(_inputs + (long)i * _inputSize, _inputSize);
                    if (_phase == Phase.Trunk)
                    {
                        Trunk(i, input);
                        continue;
                    }
                    if (_phase == Phase.TrunkBackward)
                    {
                        _headed!.BackwardTrunk(_rule, _head!.InputSignal(i - _groupStart), new Span<T>(_results + (long)i * _inputSize, _inputSize),
                            _groupWorkspaces[i - _groupStart]);
                        continue;
                    }
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
                // Keep the lowest failing example, not the first to fail, so the report does not depend on timing:
                // examples are handed out in order, so every example below i has been taken and will be finished
                // (or fail too) by its worker, while none above the ones already taken starts.
                lock (_failureLock)
                {
                    if (_failure is null || i < _failedExample)
                    {
                        _failure = ExceptionDispatchInfo.Capture(e);
                        _failedExample = i;
                    }
                }
                Volatile.Write(ref _next, int.MaxValue / 2); // the others stop at their next example
            }
        }

        // Example i's trunk, after the checks its single call makes first (its input, then its seed, finite).
        private void Trunk(int i, ReadOnlySpan<T> input)
        {
            IWorkspace workspace = _groupWorkspaces[i - _groupStart];
            if (_checkFinite)
            {
                Guard.Finite(input, "input");
                if (_job == Job.ExplainSeeds) Guard.Finite(new ReadOnlySpan<T>(_seedsIn + (long)i * _outputSize, _outputSize), "seed");
            }
            _headed!.ForwardTrunk(input, _head!.Input(i - _groupStart), workspace);
        }

        /// <summary>
        /// The exception for example <paramref name="example"/>, whose single call refused an argument: the same
        /// problem stated for the batch argument (<c>input</c> becomes <c>inputs[17]</c>), the original inside.
        /// </summary>
        private ArgumentException ForExample(ArgumentException refused, int example)
        {
            string? name = refused.ParamName switch
            {
                "input" => "inputs",
                "seed" => _job == Job.ExplainSeeds ? "seeds" : "targets", // with targets, the seed is the runner's one-hot
                "target" => "targets",
                "output" => "outputs",
                "result" => "results",
                _ => null,
            };

            // A non-finite value: found again in the example itself (on the failure path only), so the message can
            // give its position in the example's shape, as weights loading does, rather than a flat index.
            if (name is "inputs" or "seeds")
            {
                bool inputs = name == "inputs";
                int size = inputs ? _inputSize : _outputSize;
                T* values = (inputs ? _inputs : _seedsIn) + (long)example * size;
                for (int k = 0; k < size; k++)
                {
                    T value = values[k];
                    if (T.IsFinite(value)) continue;
                    string what = T.IsNaN(value) ? "NaN" : value > T.Zero ? "+infinity" : "-infinity";
                    return new ArgumentException(
                        $"{name}[{example}]: holds {what} at {ParameterBinder.MultiIndex(k, inputs ? InputDimensions() : [size])}; expected finite values."
                        + (_checkFinite ? " (Data already checked may skip this scan with BatchRunner.CheckFinite = false.)" : ""),
                        name, refused);
                }
            }

            // Anything else: the single call's message, under the batch argument's name. Its Message ends with the
            // (localised) " (Parameter 'input')", which the new exception would repeat for its own name.
            string message = refused.Message;
            if (!string.IsNullOrEmpty(refused.ParamName))
            {
                string suffix = new ArgumentException(string.Empty, refused.ParamName).Message;
                if (message.EndsWith(suffix, StringComparison.Ordinal)) message = message[..^suffix.Length];
            }
            return name is null
                ? new ArgumentException($"Example {example} of the batch: {message}", refused.ParamName, refused)
                : new ArgumentException($"{name}[{example}]: {message}", name, refused);
        }

        // The input's dimensions, [C, H, W] or [features], when the architecture agrees with InputSize.
        private int[] InputDimensions()
        {
            int[] dimensions = _net.Architecture.InputShape.Dimensions;
            return _net.Architecture.InputShape.Size == _inputSize ? dimensions : [_inputSize];
        }

        internal static int WorkerCount(int maxDegreeOfParallelism, string argument = "maxDegreeOfParallelism")
        {
            if (maxDegreeOfParallelism == 0 || maxDegreeOfParallelism < -1 || maxDegreeOfParallelism > MaxWorkers)
            {
                throw new ArgumentOutOfRangeException(argument, maxDegreeOfParallelism,
                    $"Use 1 to {MaxWorkers} workers, or -1 for one per core.");
            }
            return maxDegreeOfParallelism == -1 ? Math.Min(Environment.ProcessorCount, MaxWorkers) : maxDegreeOfParallelism;
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
