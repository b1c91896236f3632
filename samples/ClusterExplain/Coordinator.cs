using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Relucent.Cluster;

namespace Relucent.Samples.ClusterExplain
{
    /// <summary>
    /// The demonstration: Redis, three silo processes, one job per rule over generated Shapes images (or, with
    /// <c>--network resnet18</c>, random 224×224 images through ResNet-18), one silo killed
    /// part-way with <c>--kill-one</c>, then every map compared with <see cref="BatchRunner{T}"/> in this process.
    /// </summary>
    internal static class Coordinator
    {
        private const int RedisPort = 6391, SiloPort = 21111, GatewayPort = 31111, Silos = 3;

        public static async Task<int> Run(string[] args)
        {
            bool killOne = args.Contains("--kill-one");
            int images = Option(args, "--images", 3000), perShard = Option(args, "--per-shard", 100);
            int workers = Option(args, "--workers-per-silo", 1), rounds = Option(args, "--measure", 1);
            string method = args.Contains("--ig") ? "ig" : "rules";
            string network = OptionText(args, "--network", "shapes");
            string root = Path.Combine(Path.GetTempPath(), "relucent-cluster-explain", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
            string redis = $"127.0.0.1:{RedisPort}";
            string clusterId = "explain-" + Guid.NewGuid().ToString("N")[..8];
            Console.WriteLine($"Working in {root} (logs in {Path.Combine(root, "logs")}).");

            var workload = new Workload(root, network, images, perShard);
            IReadOnlyList<ExplainJob> jobs = workload.Jobs(clusterId, method);
            Console.WriteLine($"{images} {network} images in {workload.Inputs.Count} shards; {jobs.Count} job(s): {string.Join(", ", jobs.Select(j => j.Method.Describe()))}.");

            using var processes = new LocalProcesses(Path.Combine(root, "logs"));
            await processes.StartRedis(RedisPort);
            Console.WriteLine($"Redis on {redis}.");
            await Task.WhenAll(Enumerable.Range(0, Silos).Select(i => processes.StartSilo(redis, clusterId, SiloPort + i, GatewayPort + i, workers)));
            Console.WriteLine($"{Silos} silos on 127.0.0.1 ports {SiloPort}–{SiloPort + Silos - 1}, {workers} compute worker(s) each.");

            using IHost client = await Connect(redis, clusterId);
            var cluster = new ExplainCluster(client.Services.GetRequiredService<IClusterClient>());
            // --measure R: R rounds of the same work, each the cluster job then one machine on it, side by side.
            var ratios = new List<double>();
            Comparison.Result result = null!;
            int killed = 0;
            for (int round = 0; round < rounds; round++)
            {
                if (round > 0) jobs = workload.Jobs($"{clusterId}-{round}", method);
                var clock = Stopwatch.StartNew();
                foreach (ExplainJob job in jobs) await cluster.SubmitAsync(job);
                killed += await Follow(cluster, jobs, workload.Images * (long)jobs.Count, killOne && round == 0 ? processes : null, clock);
                TimeSpan clusterTime = clock.Elapsed;

                result = Comparison.Run(jobs, workload.Load(workload.Weights));
                double clusterRate = result.Maps / clusterTime.TotalSeconds, batchRate = result.Maps / result.BatchRunnerTime.TotalSeconds;
                ratios.Add(clusterRate / batchRate);
                Console.WriteLine(FormattableString.Invariant(
                    $"throughput: cluster {clusterRate:F0} maps/s ({clusterTime.TotalSeconds:F2} s, submit to done, {Silos} silos × {workers} worker(s)), one machine {batchRate:F0} maps/s ({result.BatchRunnerTime.TotalSeconds:F2} s, BatchRunner with {Environment.ProcessorCount} workers), ratio {clusterRate / batchRate:F2}"));
                if (result.Missing != 0 || result.Duplicated != 0 || !result.Identical) break;
            }

            if (rounds > 1) Console.WriteLine(FormattableString.Invariant($"median ratio over {ratios.Count} rounds: {ratios.Order().ElementAt(ratios.Count / 2):F2}"));
            // The inputs and maps are hundreds of megabytes: gone unless asked for (--keep), printed before the last line.
            if (!args.Contains("--keep"))
            {
                processes.Dispose();
                Directory.Delete(root, recursive: true);
                Console.WriteLine($"Removed {root} (--keep keeps it).");
            }

            Console.WriteLine($"cluster explain: {result.Maps} maps, {result.Missing} missing, {result.Duplicated} duplicated, identical to one machine: {(result.Identical ? "yes" : "no")} (silos killed: {killed})");
            return result.Missing == 0 && result.Duplicated == 0 && result.Identical ? 0 : 1;
        }

        // Polls the jobs, printing per-silo progress each second; with kill-one, kills a silo that is mid-shard once a third of the maps are done.
        private static async Task<int> Follow(ExplainCluster cluster, IReadOnlyList<ExplainJob> jobs, long total, LocalProcesses? killer, Stopwatch clock)
        {
            int killed = 0;
            var dead = new HashSet<int>();
            TimeSpan lastPrint = TimeSpan.FromSeconds(-1);
            while (true)
            {
                JobStatus[] statuses = await Task.WhenAll(jobs.Select(j => Status(cluster, j.Name)));
                var perSilo = statuses.SelectMany(s => s.Silos).GroupBy(s => Port(s.Silo))
                    .ToDictionary(g => g.Key, g => (Maps: g.Sum(s => s.Maps), Running: g.Sum(s => s.Running)));
                long done = statuses.Sum(s => s.Maps);
                bool finished = statuses.All(s => s.IsFinished);
                if (finished || clock.Elapsed - lastPrint >= TimeSpan.FromSeconds(1))
                {
                    lastPrint = clock.Elapsed;
                    string silos = string.Join(" | ", Enumerable.Range(SiloPort, Silos).Select(port => dead.Contains(port)
                        ? $"silo :{port} killed"
                        : $"silo :{port} {perSilo.GetValueOrDefault(port).Maps,5} maps{(perSilo.GetValueOrDefault(port).Running > 0 ? " (running)" : "")}"));
                    Console.WriteLine(FormattableString.Invariant($"[{clock.Elapsed.TotalSeconds,5:F1} s] {done,6}/{total} maps | {silos}"));
                }

                if (finished) return killed;
                if (killer is not null && killed == 0 && done >= total / 3)
                {
                    // A silo that is mid-shard right now: its shard must be run again elsewhere.
                    int victim = perSilo.Where(p => p.Value.Running > 0).Select(p => p.Key).DefaultIfEmpty(-1).First();
                    if (victim > 0)
                    {
                        killer.KillSilo(victim);
                        dead.Add(victim);
                        killed++;
                        Console.WriteLine($"Killed silo :{victim} mid-shard (its process, at once).");
                    }
                }

                await Task.Delay(100);
            }
        }

        // The grain of a job may be moving off a killed silo: ask again until it answers.
        private static async Task<JobStatus> Status(ExplainCluster cluster, string job)
        {
            for (int attempt = 0; ; attempt++)
            {
                try
                {
                    return await cluster.StatusAsync(job);
                }
                catch (Exception) when (attempt < 600)
                {
                    await Task.Delay(200);
                }
            }
        }

        private static async Task<IHost> Connect(string redis, string clusterId)
        {
            HostApplicationBuilder builder = Host.CreateApplicationBuilder();
            builder.Logging.SetMinimumLevel(LogLevel.Critical);
            builder.UseOrleansClient(client =>
            {
                client.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = clusterId;
                    o.ServiceId = Settings.ServiceId;
                });
                client.UseRelucentRedis(redis);
            });
            IHost host = builder.Build();
            await host.StartAsync();
            return host;
        }

        // "127.0.0.1:21111@12345" → 21111.
        private static int Port(string silo) => int.Parse(silo.Split('@')[0].Split(':')[^1], CultureInfo.InvariantCulture);

        private static int Option(string[] args, string name, int fallback) =>
            int.Parse(OptionText(args, name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

        private static string OptionText(string[] args, string name, string fallback)
        {
            int at = Array.IndexOf(args, name);
            return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
        }
    }
}
