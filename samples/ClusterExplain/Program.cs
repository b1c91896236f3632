using Relucent.Samples.ClusterExplain;

// `cluster-explain silo ...` is one silo process (the coordinator starts three); anything else runs the demonstration.
return args.Length > 0 && args[0] == "silo"
    ? await SiloProcess.Run(args[1..])
    : await Coordinator.Run(args);
