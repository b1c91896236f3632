global using Modules = TorchSharp.Modules;
