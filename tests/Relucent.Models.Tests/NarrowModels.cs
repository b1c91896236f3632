using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Relucent.Generator.Tests;

namespace Relucent.Models.Tests;

/// <summary>
/// The fixtures' narrow models, declared with samples/TorchVision's own helpers and the fixtures' constants (widths,
/// input sizes, 10 classes), in float64 and float32. A helper must be declared in its network's file, so the sample's
/// files are compiled here in memory, their full-size networks replaced by these declarations, through the generator
/// as a build would run it.
/// </summary>
public static class NarrowModels
{
    /// <summary>A fixture: its file name, the sample's family file, and the chain its narrow copy is declared with.</summary>
    public sealed record Model(string Name, string File, string Chain);

    public static readonly IReadOnlyList<Model> All =
    [
        new("resnet18", "ResNets.cs", "ResNets.WithBasicBlocks(Net.Input(3, 33, 28), 2, 2, 2, 2, width: 2, classes: 10)"),
        new("resnet50", "ResNets.cs", "ResNets.WithBottlenecks(Net.Input(3, 29, 33), 3, 4, 6, 3, width: 1, classes: 10)"),
        new("vgg11", "Vggs.cs", "Vggs.Vgg(Net.Input(3, 64, 32), 1, 1, 2, 2, 2, batchNorm: false, width: 2, hidden: 8, classes: 10)"),
        new("vgg11_bn", "Vggs.cs", "Vggs.Vgg(Net.Input(3, 64, 32), 1, 1, 2, 2, 2, batchNorm: true, width: 2, hidden: 8, classes: 10)"),
        new("alexnet", "Vggs.cs", "Vggs.AlexNet(Net.Input(3, 63, 63), width: 2, hidden: 16, classes: 10)"),
        new("mobilenet_v2", "MobileNets.cs", "MobileNets.MobileNetV2(Net.Input(3, 33, 24), classes: 10, divisor: 16)"),
        new("googlenet", "GoogLeNets.cs", "GoogLeNets.GoogLeNet(Net.Input(3, 48, 32), classes: 10, divisor: 32)"),
    ];

    private const string SampleNamespace = "namespace Relucent.Samples.TorchVision;";
    private const string Namespace = "Relucent.Models.Tests.Narrow";

    private static readonly Lazy<Assembly> Compiled = new(() => Compile(All, "Saliency, DeconvNet, GuidedBackprop"));

    /// <summary>The narrow copy of <paramref name="name"/>, in float64 or float32, built from <paramref name="tensors"/>.</summary>
    public static IExplainer<T> Load<T>(string name, IReadOnlyDictionary<string, Tensor> tensors) where T : unmanaged, IFloatingPointIeee754<T> =>
        (IExplainer<T>)Type<T>(name).GetMethod("FromTensors", [typeof(IReadOnlyDictionary<string, Tensor>)])!.Invoke(null, [tensors])!;

    /// <summary>The generated class of the narrow <paramref name="name"/> in <typeparamref name="T"/>.</summary>
    public static Type Type<T>(string name) => Type<T>(Compiled.Value, name);

    /// <summary>The generated class of the narrow <paramref name="name"/> in <typeparamref name="T"/>, in an assembly <see cref="Compile"/> made.</summary>
    public static Type Type<T>(Assembly assembly, string name) => assembly.GetType($"{Namespace}.{ClassName(name, typeof(T) == typeof(double))}", throwOnError: true)!;

    private static string ClassName(string name, bool @double) =>
        string.Concat(name.Split('_').Select(part => char.ToUpperInvariant(part[0]) + part[1..])) + (@double ? "Double" : "Single");

    /// <summary>
    /// Compiles <paramref name="models"/> (each in float64 and float32) with the sample's helpers, their classes carrying
    /// <paramref name="attributes"/> (<c>Saliency, DeconvNet</c>): what another test project uses to add rules of its own.
    /// </summary>
    public static Assembly Compile(IEnumerable<Model> models, string attributes)
    {
        var sources = models.GroupBy(m => m.File).Select(family =>
        {
            string text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TorchVisionSources", family.Key));
            Assert.Contains(SampleNamespace, text);
            // The sample's own networks are left out: only its helpers are wanted (and compiling them twice costs time).
            text = WithoutNetworks(text.Replace(SampleNamespace, $"namespace {Namespace};", StringComparison.Ordinal));
            return text + string.Concat(family.SelectMany(m => new[] { true, false }.Select(d => $$"""

                [{{attributes}}{{(d ? ", DoublePrecision" : "")}}]
                public partial class {{ClassName(m.Name, d)}}
                {
                    static readonly Network Spec = {{m.Chain}};
                }

                """)));
        }).ToArray();
        var (result, output) = GeneratorHarness.Run(sources);
        Assert.Empty(result.Diagnostics);
        return GeneratorHarness.Load(output);
    }

    // Removes every class carrying an attribute (the sample's networks: [Saliency, ...]), keeping the helpers' static classes.
    private static string WithoutNetworks(string source)
    {
        SyntaxNode root = CSharpSyntaxTree.ParseText(source).GetRoot();
        var networks = root.DescendantNodes().OfType<ClassDeclarationSyntax>().Where(c => c.AttributeLists.Count > 0);
        return root.RemoveNodes(networks, SyntaxRemoveOptions.KeepNoTrivia)!.ToFullString();
    }
}
