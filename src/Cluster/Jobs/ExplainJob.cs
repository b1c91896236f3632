using System.Security.Cryptography;
using System.Text;

namespace Relucent.Cluster
{
    /// <summary>
    /// One data set to explain on the cluster: which generated network with which weights, which method, which inputs,
    /// and where the maps go. Immutable; the job grain keeps it in its persisted state and hands it to the silos with
    /// each shard.
    /// </summary>
    /// <remarks>
    /// Every path must name the same file on every silo: a shared file system (NFS, SMB, a mounted bucket) or a local
    /// path on a one-machine cluster. Each input shard becomes one work shard and one output file,
    /// <c>shard-00000.safetensors</c>, in <see cref="Output"/>, beside <c>manifest.json</c> (see the README,
    /// "Beyond one machine").
    /// </remarks>
    [GenerateSerializer, Immutable, Alias("Relucent.Cluster.ExplainJob")]
    public sealed record ExplainJob
    {
        /// <summary>The job's name: the key of its grain, and the name a resubmission uses to find it again.</summary>
        [Id(0)] public required string Name { get; init; }

        /// <summary>
        /// The generated network class, by assembly-qualified name (<c>typeof(LeNet).AssemblyQualifiedName</c>, or
        /// <c>"MyApp.LeNet, MyApp"</c>); every silo must have its assembly. It must compute in float32.
        /// </summary>
        [Id(1)] public required string Network { get; init; }

        /// <summary>The safetensors weights file, loaded with the class's <c>Load(path)</c>.</summary>
        [Id(2)] public required string Weights { get; init; }

        /// <summary>The attribution method and its settings.</summary>
        [Id(3)] public required ExplainMethod Method { get; init; }

        /// <summary>Which logit each map explains (the predicted class by default).</summary>
        [Id(4)] public TargetChoice Targets { get; init; } = TargetChoice.Predicted;

        /// <summary>The input shards, in order: shard <c>i</c> writes <c>shard-{i:D5}.safetensors</c>.</summary>
        [Id(5)] public required IReadOnlyList<InputShard> Inputs { get; init; }

        /// <summary>The directory the maps and the manifest are written to (created if missing).</summary>
        [Id(6)] public required string Output { get; init; }

        /// <summary>
        /// Examples per chunk: a silo reports progress, and learns of a cancellation, between chunks (32 by default).
        /// Does not change a bit of the results.
        /// </summary>
        [Id(7)] public int ChunkSize { get; init; } = 32;

        /// <summary>The network type name in the form <see cref="Network"/> takes, for a class the caller can name.</summary>
        public static string NetworkName(Type network)
        {
            ArgumentNullException.ThrowIfNull(network);
            return network.FullName + ", " + network.Assembly.GetName().Name;
        }

        /// <summary>
        /// What the results depend on, hashed (SHA-256, hex): the network, the weights file's contents, the method, the
        /// targets and the inputs. A manifest written under another fingerprint is not resumed from.
        /// </summary>
        internal string Fingerprint(string weightsChecksum)
        {
            var text = new StringBuilder();
            text.Append("network=").Append(Network).Append('\n');
            text.Append("weights=").Append(weightsChecksum).Append('\n');
            text.Append("method=").Append(Method.Describe()).Append('\n');
            text.Append("targets=").Append(Targets.Describe()).Append('\n');
            foreach (InputShard input in Inputs) text.Append("input=").Append(input.Describe()).Append('\n');
            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
        }

        /// <summary>Checks what can be checked before the job reaches a silo.</summary>
        /// <exception cref="ArgumentException">A missing name, network, weights, method, output or input, or a chunk size below 1.</exception>
        internal void Validate()
        {
            if (string.IsNullOrWhiteSpace(Name)) throw new ArgumentException("The job has no Name.", nameof(Name));
            if (string.IsNullOrWhiteSpace(Network)) throw new ArgumentException($"Job '{Name}' names no Network class.", nameof(Network));
            if (string.IsNullOrWhiteSpace(Weights)) throw new ArgumentException($"Job '{Name}' names no Weights file.", nameof(Weights));
            if (Method is null) throw new ArgumentException($"Job '{Name}' has no Method.", nameof(Method));
            if (Targets is null) throw new ArgumentException($"Job '{Name}' has no Targets.", nameof(Targets));
            if (string.IsNullOrWhiteSpace(Output)) throw new ArgumentException($"Job '{Name}' names no Output directory.", nameof(Output));
            if (Inputs is null || Inputs.Count == 0) throw new ArgumentException($"Job '{Name}' has no Inputs.", nameof(Inputs));
            if (ChunkSize < 1) throw new ArgumentException($"Job '{Name}': ChunkSize is {ChunkSize}, expected 1 or more.", nameof(ChunkSize));
            for (int i = 0; i < Inputs.Count; i++)
            {
                if (Inputs[i] is null) throw new ArgumentException($"Job '{Name}': Inputs[{i}] is null.", nameof(Inputs));
            }
        }
    }
}
