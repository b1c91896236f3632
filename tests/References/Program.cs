using Relucent.References;
using Relucent.References.Models;

// The libtorch reference tool: see README.md. Each subcommand prints one parseable line per result
// (key=value fields) and exits non-zero when any check failed.
string command = args.Length > 0 ? args[0] : "help";
string repository = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../.."));
try
{
    switch (command)
    {
        case "fixtures":
            {
                // fixtures [dir [model...]]
                string dir = args.Length > 1 ? args[1] : Path.Combine(repository, "tests/Relucent.Models.Tests/Fixtures/torchvision");
                var only = args.Skip(2).ToHashSet();
                Fixtures.Write(dir, Fixtures.Specs.Where(s => only.Count == 0 || only.Contains(s.Name)));
                if (only.Count == 0) StateDictsJson.Write(Path.Combine(dir, "torchvision-state-dicts.json"));
                return 0;
            }
        case "lrp":
            {
                // lrp [dir]: the LRP fixtures, reusing the torchvision fixtures' weights and inputs
                string dir = args.Length > 1 ? args[1] : Path.Combine(repository, "tests/Relucent.Models.Tests/Fixtures/lrp");
                Relucent.References.Lrp.LrpFixtures.Write(dir, Path.Combine(repository, "tests/Relucent.Models.Tests/Fixtures/torchvision"));
                return 0;
            }
        case "state-dicts":
            StateDictsJson.Write(args.Length > 1 ? args[1] : "torchvision-state-dicts.json");
            return 0;
        case "mirror":
            {
                // mirror [model [size [nograd]]]: every model, each in a child process, unless one is named.
                if (args.Length > 1)
                    return Mirror.Check(Zoo.Get(args[1]), args.Length > 2 ? int.Parse(args[2]) : 224, !(args.Length > 3 && args[3] == "nograd")) ? 0 : 1;
                bool all = true;
                foreach (var entry in Zoo.All)
                    all &= Child.Run(new[] { "mirror", entry.Name, "224" }, $"mirror model={entry.Name}").Ok;
                Console.WriteLine($"mirror all={(all ? "ok" : "FAILED")}");
                return all ? 0 : 1;
            }
        case "bench":
            {
                // bench [reps [model...]]
                int reps = args.Length > 1 ? int.Parse(args[1]) : 7;
                var models = args.Length > 2 ? args.Skip(2).ToArray() : Bench.Models;
                return Bench.RunAll(reps, models) ? 0 : 1;
            }
        case "bench-row":
            Bench.RunRow(args[1], int.Parse(args[2]), args[3], int.Parse(args[4]));
            return 0;
        default:
            Console.Error.WriteLine("usage: run.sh fixtures [dir [model...]] | lrp [dir] | mirror [model] | bench [reps [model...]] | state-dicts [file]");
            return 2;
    }
}
catch (Exception e)
{
    Console.Error.WriteLine($"{command}: {e}");
    return 1;
}
