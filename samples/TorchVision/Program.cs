using Relucent.Samples.TorchVision;

// dotnet run --project samples/TorchVision -c Release -- [model [state_dict.safetensors [image]]]   (see README.md)
return TorchVisionCommand.Run(args, Console.Out);
