using System.Collections.Concurrent;
using System.Diagnostics;

namespace Relucent.Samples.ClusterExplain
{
    /// <summary>The child processes of the demonstration: Redis and the silos, their output kept in log files, all ended on dispose.</summary>
    internal sealed class LocalProcesses : IDisposable
    {
        private readonly string _logs;
        private readonly ConcurrentDictionary<int, Process> _silos = new();
        private readonly ConcurrentDictionary<int, TaskCompletionSource> _ready = new();
        private Process? _redis;

        public LocalProcesses(string logs)
        {
            _logs = logs;
            Directory.CreateDirectory(logs);
        }

        /// <summary>Installs Redis if needed (the sample's setup script) and starts a private server without persistence.</summary>
        public async Task StartRedis(int port)
        {
            string script = Path.Combine(AppContext.BaseDirectory, "setup-redis.sh");
            var setup = Process.Start(new ProcessStartInfo("bash", [script]) { RedirectStandardOutput = true })!;
            string server = (await setup.StandardOutput.ReadToEndAsync()).Trim();
            await setup.WaitForExitAsync();
            if (setup.ExitCode != 0 || server.Length == 0) throw new InvalidOperationException($"{script} could not provide redis-server (exit code {setup.ExitCode}).");
            _redis = Start(server, ["--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], "redis.log", null);
            // Ready when it accepts a connection.
            for (int i = 0; ; i++)
            {
                try
                {
                    using var client = new System.Net.Sockets.TcpClient();
                    await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
                    return;
                }
                catch (System.Net.Sockets.SocketException) when (i < 100)
                {
                    await Task.Delay(100);
                }
            }
        }

        /// <summary>Starts a silo process (this program with <c>silo</c>) and waits until it has joined the cluster.</summary>
        public async Task StartSilo(string redis, string clusterId, int siloPort, int gatewayPort, int workers)
        {
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _ready[siloPort] = ready;
            string self = Environment.ProcessPath!;
            string[] args = ["silo", redis, clusterId, siloPort.ToString(), gatewayPort.ToString(), workers.ToString()];
            if (Path.GetFileNameWithoutExtension(self) == "dotnet") args = [typeof(Program).Assembly.Location, .. args];
            _silos[siloPort] = Start(self, args, $"silo-{siloPort}.log", siloPort);
            await ready.Task.WaitAsync(TimeSpan.FromMinutes(2));
        }

        /// <summary>Kills the silo process listening on <paramref name="siloPort"/> at once, as a machine that dies.</summary>
        public void KillSilo(int siloPort)
        {
            if (_silos.TryRemove(siloPort, out Process? silo))
            {
                silo.Kill(entireProcessTree: true);
                silo.WaitForExit();
            }
        }

        private Process Start(string file, string[] args, string log, int? siloPort)
        {
            var info = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}.");
            var writer = new StreamWriter(Path.Combine(_logs, log)) { AutoFlush = true };
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (writer) writer.WriteLine(e.Data);
                if (siloPort is int port && e.Data == $"ready {port}") _ready[port].TrySetResult();
            };
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null) lock (writer) writer.WriteLine(e.Data);
            };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return process;
        }

        public void Dispose()
        {
            foreach (int port in _silos.Keys) KillSilo(port);
            if (_redis is { HasExited: false })
            {
                _redis.Kill(entireProcessTree: true);
                _redis.WaitForExit();
            }
        }
    }
}
