using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Relucent.Cluster.Execution;
using StackExchange.Redis;

namespace Relucent.Cluster
{
    /// <summary>Configures silos and clients for Relucent cluster jobs.</summary>
    public static class ClusterHosting
    {
        /// <summary>
        /// The grain storage the job grains persist in. Register it on every silo: Redis for a real cluster
        /// (<see cref="UseRelucentRedis(ISiloBuilder, string)"/>), any Orleans provider (Azure, ADO.NET, …) under this name,
        /// memory for a one-process test.
        /// </summary>
        public const string StorageName = "relucent";

        /// <summary>Runs shards on this silo: a worker that takes shards from the jobs and runs them on its cores.</summary>
        public static ISiloBuilder AddRelucentWorker(this ISiloBuilder builder, Action<ClusterWorkerOptions>? configure = null)
        {
            ArgumentNullException.ThrowIfNull(builder);
            builder.Services.AddOptions<ClusterWorkerOptions>().Configure(o => configure?.Invoke(o));
            builder.Services.AddHostedService<ShardWorker>();
            return builder;
        }

        /// <summary>Redis clustering (membership) and the job storage in Redis, at <paramref name="connection"/> (<c>localhost:6379</c>).</summary>
        public static ISiloBuilder UseRelucentRedis(this ISiloBuilder builder, string connection)
        {
            ArgumentNullException.ThrowIfNull(builder);
            builder.UseRedisClustering(connection);
            builder.AddRedisGrainStorage(StorageName, options => options.ConfigurationOptions = ConfigurationOptions.Parse(connection));
            return builder;
        }

        /// <summary>Finds the silos through Redis clustering at <paramref name="connection"/>.</summary>
        public static IClientBuilder UseRelucentRedis(this IClientBuilder builder, string connection)
        {
            ArgumentNullException.ThrowIfNull(builder);
            return builder.UseRedisClustering(connection);
        }
    }
}
