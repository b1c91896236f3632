using System.Diagnostics;
using System.Numerics;

namespace Relucent.Training
{
    /// <summary>Settings of a <see cref="Trainer{T}"/>; every property has a default.</summary>
    public sealed class TrainerOptions
    {
        /// <summary>Examples per mini-batch (32); the last batch of an epoch takes what is left.</summary>
        public int BatchSize { get; init; } = 32;

        /// <summary>
        /// Fixed contiguous slices of every batch, each accumulating its gradients into its own buffers (8). The slices,
        /// and the order their buffers are summed in, do not depend on <see cref="Workers"/>: that is what makes training
        /// bit-identical for any number of workers. More workers than shards leave the extra workers idle.
        /// </summary>
        public int Shards { get; init; } = 8;

        /// <summary>Threads sharing each batch (0: <see cref="Environment.ProcessorCount"/>); each takes a fixed run of consecutive shards.</summary>
        public int Workers { get; init; }

        /// <summary>The seed of the shuffling (0).</summary>
        public int Seed { get; init; }

        /// <summary>Whether each epoch visits the examples in a new seeded random order (true) or in their given order.</summary>
        public bool Shuffle { get; init; } = true;
    }

    /// <summary>What one epoch of training measured.</summary>
    /// <param name="Epoch">1 for the first epoch this trainer ran.</param>
    /// <param name="Loss">The mean cross-entropy over the epoch's examples, each measured just before its batch's update.</param>
    /// <param name="Accuracy">The fraction of the epoch's examples classified correctly, measured likewise.</param>
    /// <param name="Examples">The examples seen.</param>
    /// <param name="Elapsed">The wall-clock time of the epoch.</param>
    public sealed record EpochResult(int Epoch, double Loss, double Accuracy, int Examples, TimeSpan Elapsed);

    /// <summary>Progress within an epoch, reported after every batch.</summary>
    /// <param name="Epoch">The epoch (1-based, as <see cref="EpochResult.Epoch"/>).</param>
    /// <param name="Batch">Batches done in this epoch.</param>
    /// <param name="Batches">Batches in this epoch.</param>
    /// <param name="Loss">The mean loss of the epoch so far.</param>
    /// <param name="Accuracy">The accuracy of the epoch so far.</param>
    public readonly record struct BatchProgress(int Epoch, int Batch, int Batches, double Loss, double Accuracy);

    /// <summary>The loss and accuracy of a network on labelled examples, and its prediction for each.</summary>
    /// <param name="Loss">The mean cross-entropy.</param>
    /// <param name="Accuracy">The fraction predicted correctly (argmax of the logits, first among ties).</param>
    /// <param name="Predictions">The predicted class of each example.</param>
    public sealed record Evaluation(double Loss, double Accuracy, int[] Predictions);

    /// <summary>
    /// Mini-batch training of a classifier (softmax cross-entropy on its logits) with any <see cref="Optimizer{T}"/>,
    /// spread over cores deterministically.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Each batch is cut into <see cref="TrainerOptions.Shards"/> fixed contiguous slices. A slice's examples add their
    /// gradients (of the batch-mean loss: seed = (softmax − onehot)/B) into the slice's own buffers one after another;
    /// workers take fixed runs of consecutive slices, each with its own workspace; then the slices' buffers are summed
    /// in slice order and the optimiser steps once. No floating-point sum depends on the number of workers or on
    /// timing, so the parameters after any number of epochs are bit-identical for 1, 2 or 16 workers.
    /// </para>
    /// <para>
    /// Each example runs forward twice: once through <see cref="IExplainer{T}.Forward"/> to read the logits (the
    /// loss and its seed), once inside <see cref="ITrainable{T}.AccumulateGradients"/>, which has no way to take a seed
    /// computed from its own forward pass.
    /// </para>
    /// </remarks>
    public sealed class Trainer<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly ITrainable<T> _network;
        private readonly Optimizer<T> _optimizer;
        private readonly TrainerOptions _options;
        private readonly int _workers;
        private readonly Random _shuffle;
        private readonly T[][][] _shardGradients;
        private readonly T[][] _gradients;
        private readonly IWorkspace[] _workspaces;
        private readonly T[][] _logits;
        private readonly T[][] _seeds;
        private readonly double[] _shardLoss;
        private readonly int[] _shardCorrect;
        private int _epoch;

        /// <summary>A trainer of <paramref name="network"/> by <paramref name="optimizer"/> (which must update the same network).</summary>
        public Trainer(ITrainable<T> network, Optimizer<T> optimizer, TrainerOptions? options = null)
        {
            ArgumentNullException.ThrowIfNull(network);
            ArgumentNullException.ThrowIfNull(optimizer);
            if (!ReferenceEquals(optimizer.Network, network)) throw new ArgumentException("The optimiser updates another network.", nameof(optimizer));
            _options = options ?? new TrainerOptions();
            if (_options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), _options.BatchSize, "BatchSize is 1 or more.");
            if (_options.Shards < 1) throw new ArgumentOutOfRangeException(nameof(options), _options.Shards, "Shards is 1 or more.");
            if (_options.Workers < 0) throw new ArgumentOutOfRangeException(nameof(options), _options.Workers, "Workers is 0 (one per core) or more.");
            _network = network;
            _optimizer = optimizer;
            _workers = Math.Min(_options.Workers == 0 ? Environment.ProcessorCount : _options.Workers, _options.Shards);
            _shuffle = new Random(_options.Seed);
            _gradients = network.CreateGradients();
            _shardGradients = new T[_options.Shards][][];
            for (int s = 0; s < _options.Shards; s++) _shardGradients[s] = network.CreateGradients();
            _workspaces = new IWorkspace[_workers];
            _logits = new T[_workers][];
            _seeds = new T[_workers][];
            for (int w = 0; w < _workers; w++)
            {
                _workspaces[w] = network.CreateWorkspace();
                _logits[w] = new T[network.OutputSize];
                _seeds[w] = new T[network.OutputSize];
            }

            _shardLoss = new double[_options.Shards];
            _shardCorrect = new int[_options.Shards];
        }

        /// <summary>The network trained.</summary>
        public ITrainable<T> Network => _network;

        /// <summary>The optimiser.</summary>
        public Optimizer<T> Optimizer => _optimizer;

        /// <summary>The threads that share each batch.</summary>
        public int Workers => _workers;

        /// <summary>Epochs run so far.</summary>
        public int Epochs => _epoch;

        /// <summary>
        /// Runs <paramref name="epochs"/> epochs over <paramref name="inputs"/> (N inputs one after another) and
        /// <paramref name="labels"/> (N class indices); <paramref name="progress"/> hears after every batch,
        /// <paramref name="epochDone"/> after every epoch, both on the calling thread.
        /// </summary>
        public IReadOnlyList<EpochResult> Train(T[] inputs, int[] labels, int epochs, Action<BatchProgress>? progress = null,
            Action<EpochResult>? epochDone = null, CancellationToken cancellation = default)
        {
            if (epochs < 0) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "epochs is 0 or more.");
            var results = new List<EpochResult>(epochs);
            for (int e = 0; e < epochs; e++)
            {
                EpochResult result = TrainEpoch(inputs, labels, progress, cancellation);
                results.Add(result);
                epochDone?.Invoke(result);
            }

            return results;
        }

        /// <summary>One epoch over the examples (see <see cref="Train"/>).</summary>
        public EpochResult TrainEpoch(T[] inputs, int[] labels, Action<BatchProgress>? progress = null, CancellationToken cancellation = default)
        {
            int count = Trainer.CheckExamples(_network, inputs, labels);
            var clock = Stopwatch.StartNew();
            int epoch = ++_epoch;
            int[] order = new int[count];
            for (int i = 0; i < count; i++) order[i] = i;
            if (_options.Shuffle)
            {
                for (int i = count - 1; i > 0; i--)
                {
                    int j = _shuffle.Next(i + 1);
                    (order[i], order[j]) = (order[j], order[i]);
                }
            }

            int batchSize = _options.BatchSize, batches = (count + batchSize - 1) / batchSize;
            double lossSum = 0;
            int correct = 0, seen = 0;
            for (int b = 0; b < batches; b++)
            {
                cancellation.ThrowIfCancellationRequested();
                int start = b * batchSize, size = Math.Min(batchSize, count - start);
                (double batchLoss, int batchCorrect) = Batch(inputs, labels, order, start, size);
                _optimizer.Step(_gradients);
                lossSum += batchLoss;
                correct += batchCorrect;
                seen += size;
                progress?.Invoke(new BatchProgress(epoch, b + 1, batches, lossSum / seen, (double)correct / seen));
            }

            return new EpochResult(epoch, lossSum / count, (double)correct / count, count, clock.Elapsed);
        }

        // Gradients of one batch into _gradients; returns the summed loss and the correct count.
        private (double Loss, int Correct) Batch(T[] inputs, int[] labels, int[] order, int start, int size)
        {
            int shards = _options.Shards;
            double scale = 1.0 / size;
            if (_workers == 1)
            {
                RunShards(0, 0, shards, inputs, labels, order, start, size, scale);
            }
            else
            {
                Parallel.For(0, _workers, new ParallelOptions { MaxDegreeOfParallelism = _workers }, w =>
                    RunShards(w, w * shards / _workers, (w + 1) * shards / _workers, inputs, labels, order, start, size, scale));
            }

            // The fixed-order reduction: slice 0, then 1, ..., whoever computed them.
            double loss = 0;
            int correct = 0;
            for (int p = 0; p < _gradients.Length; p++) Array.Clear(_gradients[p]);
            for (int s = 0; s < shards; s++)
            {
                loss += _shardLoss[s];
                correct += _shardCorrect[s];
                T[][] shard = _shardGradients[s];
                for (int p = 0; p < _gradients.Length; p++)
                {
                    Span<T> total = _gradients[p];
                    ReadOnlySpan<T> part = shard[p];
                    for (int i = 0; i < total.Length; i++) total[i] += part[i];
                }
            }

            return (loss, correct);
        }

        private void RunShards(int worker, int firstShard, int endShard, T[] inputs, int[] labels, int[] order, int start, int size, double scale)
        {
            int inputSize = _network.InputSize, shards = _options.Shards;
            IWorkspace workspace = _workspaces[worker];
            T[] logits = _logits[worker], seed = _seeds[worker];
            for (int s = firstShard; s < endShard; s++)
            {
                T[][] gradients = _shardGradients[s];
                for (int p = 0; p < gradients.Length; p++) Array.Clear(gradients[p]);
                double loss = 0;
                int correct = 0;
                int from = start + s * size / shards, to = start + (s + 1) * size / shards;
                for (int k = from; k < to; k++)
                {
                    int example = order[k];
                    ReadOnlySpan<T> x = inputs.AsSpan(example * inputSize, inputSize);
                    _network.Forward(x, logits, workspace);
                    loss += CrossEntropy.LossAndGradient<T>(logits, labels[example], seed, scale);
                    if (CrossEntropy.ArgMax<T>(logits) == labels[example]) correct++;
                    _network.AccumulateGradients(x, seed, gradients, workspace);
                }

                _shardLoss[s] = loss;
                _shardCorrect[s] = correct;
            }
        }
    }

    /// <summary>Evaluation of classifiers, deterministic and spread over cores.</summary>
    public static class Trainer
    {
        /// <summary>
        /// The mean cross-entropy, accuracy and predictions of <paramref name="network"/> on <paramref name="inputs"/>
        /// (N inputs one after another) with <paramref name="labels"/>, on <paramref name="workers"/> threads (0: one per
        /// core); the result does not depend on the number of workers.
        /// </summary>
        public static Evaluation Evaluate<T>(IExplainer<T> network, T[] inputs, int[] labels, int workers = 0)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            int count = CheckExamples(network, inputs, labels);
            if (workers < 0) throw new ArgumentOutOfRangeException(nameof(workers), workers, "workers is 0 (one per core) or more.");
            workers = Math.Max(1, Math.Min(workers == 0 ? Environment.ProcessorCount : workers, count));
            var losses = new double[count];
            var predictions = new int[count];
            int inputSize = network.InputSize;
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
            {
                IWorkspace workspace = network.CreateWorkspace();
                var logits = new T[network.OutputSize];
                for (int n = w * count / workers, end = (w + 1) * count / workers; n < end; n++)
                {
                    network.Forward(inputs.AsSpan(n * inputSize, inputSize), logits, workspace);
                    losses[n] = CrossEntropy.Loss<T>(logits, labels[n]);
                    predictions[n] = CrossEntropy.ArgMax<T>(logits);
                }
            });

            double loss = 0;
            int correct = 0;
            for (int n = 0; n < count; n++)
            {
                loss += losses[n];
                if (predictions[n] == labels[n]) correct++;
            }

            return new Evaluation(loss / count, (double)correct / count, predictions);
        }

        internal static int CheckExamples<T>(IExplainer<T> network, T[] inputs, int[] labels) where T : unmanaged, IFloatingPointIeee754<T>
        {
            ArgumentNullException.ThrowIfNull(network);
            ArgumentNullException.ThrowIfNull(inputs);
            ArgumentNullException.ThrowIfNull(labels);
            int size = network.InputSize;
            if (inputs.Length == 0 || inputs.Length % size != 0)
            {
                throw new ArgumentException($"inputs has {inputs.Length} values, not a positive multiple of the input size {size}.", nameof(inputs));
            }

            int count = inputs.Length / size;
            if (labels.Length != count) throw new ArgumentException($"{count} inputs need {count} labels; got {labels.Length}.", nameof(labels));
            for (int n = 0; n < count; n++)
            {
                if ((uint)labels[n] >= (uint)network.OutputSize)
                {
                    throw new ArgumentException($"labels[{n}] is {labels[n]}; the network has classes 0..{network.OutputSize - 1}.", nameof(labels));
                }
            }

            return count;
        }
    }
}
