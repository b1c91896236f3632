using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.TestingHost;

namespace Relucent.Cluster.Tests
{
    /// <summary>
    /// An in-process cluster of silos that run Relucent jobs: each with one compute worker, its progress gate, and the
    /// test's shared storage; failure detection tuned to declare a killed silo dead within seconds.
    /// </summary>
    internal sealed class TestSilos : IAsyncDisposable
    {
        private readonly ConcurrentDictionary<string, ProgressGate> _gates = new();

        private TestSilos(InProcessTestCluster cluster)
        {
            Cluster = cluster;
        }

        public InProcessTestCluster Cluster { get; }

        public ExplainCluster Jobs => new(Cluster.Client);

        /// <summary>Starts <paramref name="silos"/> silos keeping job state in <paramref name="store"/>.</summary>
        public static async Task<TestSilos> Start(ConcurrentDictionary<string, (byte[], string)> store, int silos = 3)
        {
            var builder = new InProcessTestClusterBuilder((short)silos);
            builder.Options.ConfigureFileLogging = false;
            TestSilos? host = null;
            builder.ConfigureSilo((options, silo) =>
            {
                var gate = new ProgressGate();
                host!._gates[options.SiloName] = gate;
                silo.AddOutgoingGrainCallFilter(gate.Invoke);
                silo.Services.AddGrainStorage(ClusterHosting.StorageName, (services, _) => new SharedMemoryGrainStorage(store, services.GetRequiredService<Serializer>()));
                silo.AddRelucentWorker(o =>
                {
                    o.Workers = 1;
                    o.IdlePoll = TimeSpan.FromMilliseconds(50);
                    o.CallRetryTime = TimeSpan.FromSeconds(90);
                });
                silo.Configure<ClusterMembershipOptions>(o =>
                {
                    o.ProbeTimeout = TimeSpan.FromSeconds(2);
                    o.NumMissedProbesLimit = 2;
                    o.NumVotesForDeathDeclaration = 1;
                });
            });
            InProcessTestCluster cluster = builder.Build();
            host = new TestSilos(cluster);
            await cluster.DeployAsync();
            return host;
        }

        public IEnumerable<ProgressGate> Gates => Cluster.Silos.Select(s => _gates[s.Name]);

        public ProgressGate Gate(InProcessSiloHandle silo) => _gates[silo.Name];

        /// <summary>The running silo whose address is <paramref name="address"/>.</summary>
        public InProcessSiloHandle Silo(string address) => Cluster.Silos.Single(s => s.SiloAddress.ToParsableString() == address);

        public async ValueTask DisposeAsync()
        {
            foreach (ProgressGate gate in _gates.Values) gate.Open();
            await Cluster.DisposeAsync();
        }
    }
}
