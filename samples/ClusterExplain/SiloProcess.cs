using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Relucent.Cluster;

namespace Relucent.Samples.ClusterExplain
{
    /// <summary>One silo: Redis clustering and job storage, a shard worker, and failure detection tuned to notice a killed silo in seconds.</summary>
    internal static class SiloProcess
    {
        // silo <redis> <cluster id> <silo port> <gateway port> <workers>
        public static async Task<int> Run(string[] args)
        {
            string redis = args[0], clusterId = args[1];
            int siloPort = int.Parse(args[2]), gatewayPort = int.Parse(args[3]), workers = int.Parse(args[4]);
            HostApplicationBuilder builder = Host.CreateApplicationBuilder();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.UseOrleans(silo =>
            {
                silo.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = clusterId;
                    o.ServiceId = Settings.ServiceId;
                });
                silo.ConfigureEndpoints(IPAddress.Loopback, siloPort, gatewayPort, listenOnAnyHostAddress: false);
                silo.UseRelucentRedis(redis);
                silo.AddRelucentWorker(o => o.Workers = workers);
                Settings.FastFailureDetection(silo);
            });
            using IHost host = builder.Build();
            await host.StartAsync();
            Console.WriteLine($"ready {siloPort}");
            await host.WaitForShutdownAsync();
            return 0;
        }
    }

    /// <summary>What the coordinator and the silos agree on.</summary>
    internal static class Settings
    {
        public const string ServiceId = "relucent-cluster-explain";

        /// <summary>A killed process stops answering probes: declared dead after two missed one-second probes, by one vote.</summary>
        public static void FastFailureDetection(ISiloBuilder silo) => silo.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = TimeSpan.FromSeconds(1);
            o.NumMissedProbesLimit = 2;
            o.NumVotesForDeathDeclaration = 1;
        });
    }
}
