namespace Relucent.Package.Tests;

/// <summary>
/// A throw-away application that knows Relucent only as the NuGet package: the files it is made of, written into
/// a folder outside the repository so none of the repository's Directory.Build.* or global.json applies.
/// </summary>
public static class ConsumerProject
{
    /// <summary>Writes the consumer into <paramref name="directory"/>, referencing exactly <c>Relucent</c> <paramref name="version"/>
    /// from <paramref name="feed"/>, restoring into the fresh <paramref name="packagesFolder"/>.</summary>
    public static void Write(string directory, string feed, string packagesFolder, string version)
    {
        Directory.CreateDirectory(directory);

        // Stop MSBuild's upward search for Directory.Build.*/Directory.Packages.props at this folder.
        File.WriteAllText(Path.Combine(directory, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(directory, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(directory, "Directory.Packages.props"), "<Project />\n");

        // The packed feed is added to the sources this machine's NuGet configuration already has (user and machine
        // NuGet.Config: the registry MathNet.Numerics, ImageSharp... normally come from), not substituted for them.
        File.WriteAllText(Path.Combine(directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="relucent-package-test" value="{Escape(feed)}" />
              </packageSources>
            </configuration>

            """);

        File.WriteAllText(Path.Combine(directory, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <!-- A fresh global packages folder: a Relucent {version} cached by an earlier run is never used. -->
                <RestorePackagesPath>{Escape(packagesFolder)}</RestorePackagesPath>
                <EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Relucent" Version="[{version}]" />
              </ItemGroup>
            </Project>

            """);

        File.WriteAllText(Path.Combine(directory, "Program.cs"), ProgramSource);
        File.WriteAllText(Path.Combine(directory, "Networks.cs"), NetworksSource);
    }

    /// <summary>The path of the file <see cref="WriteInvalidNetwork"/> writes.</summary>
    public static string InvalidNetworkPath(string directory) => Path.Combine(directory, "InvalidNetwork.cs");

    /// <summary>Adds a declaration the generator must reject at compile time with RLC008 (Dense units must be positive).</summary>
    public static void WriteInvalidNetwork(string directory) =>
        File.WriteAllText(InvalidNetworkPath(directory), """
            using Relucent;

            [Saliency]
            public partial class InvalidNet
            {
                static readonly Network Spec = Net.Input(4).Dense(0);
            }

            """);

    private static string Escape(string path) => System.Security.SecurityElement.Escape(path);

    /// <summary>Prints one line per result, "label [a,b,...]", invariant culture, -0 printed as 0.</summary>
    private const string ProgramSource = """
        using System.Globalization;
        using Relucent;

        // The worked example: x = [[1,-2],[-4,5]], seed R = [[-2,-2],[4,8]] at the ReLU's output.
        float[] x = { 1, -2, -4, 5 };
        float[] r = { -2, -2, 4, 8 };
        SeedNet seedNet = SeedNet.Create();
        Print("Forward", seedNet.Forward(x));
        Print("Saliency", seedNet.Saliency(x, seed: r));
        Print("DeconvNet", seedNet.DeconvNet(x, seed: r));
        Print("GuidedBackprop", seedNet.GuidedBackprop(x, seed: r));

        // A small dense network with weights handed over as tensors (PyTorch names and layouts).
        var parameters = new Dictionary<string, Tensor>
        {
            ["fc1.weight"] = Tensor.FromSingle(new float[] { 1, -1, 0, 0, 1, 1 }, 2, 3),
            ["fc1.bias"] = Tensor.FromSingle(new float[] { 0, 0 }, 2),
            ["fc2.weight"] = Tensor.FromSingle(new float[] { 2, 3 }, 1, 2),
            ["fc2.bias"] = Tensor.FromSingle(new float[] { 1 }, 1),
        };
        DenseNet dense = DenseNet.FromTensors(parameters);
        float[] v = { 1, 2, 3 };
        Print("Dense.Forward", dense.Forward(v));
        Print("Dense.Saliency", dense.Saliency(v, target: 0));
        Print("Dense.DeconvNet", dense.DeconvNet(v, target: 0));
        Console.WriteLine("Dsl assembly: " + typeof(Network).Assembly.GetName().Name);
        Console.WriteLine("Runtime assembly: " + typeof(Tensor).Assembly.GetName().Name);

        static void Print(string label, float[] values) =>
            Console.WriteLine($"{label} [{string.Join(",", values.Select(v => (v == 0 ? 0f : v).ToString(CultureInfo.InvariantCulture)))}]");

        """;

    private const string NetworksSource = """
        using Relucent;

        /// <summary>The smallest network where the rules differ: one ReLU on a 1×2×2 image.</summary>
        [Saliency, DeconvNet, GuidedBackprop]
        public partial class SeedNet
        {
            static readonly Network Spec = Net.Input(1, 2, 2).ReLU();
        }

        /// <summary>3 → 2 (ReLU) → 1.</summary>
        [Saliency, DeconvNet]
        public partial class DenseNet
        {
            static readonly Network Spec = Net.Input(3)
                .Dense(2, name: "fc1").ReLU()
                .Dense(1, name: "fc2");
        }

        """;
}
