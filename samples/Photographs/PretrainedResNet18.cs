using System.Reflection;

namespace Relucent.Samples.Photographs;

/// <summary>
/// The ImageNet-trained ResNet-18 of the NuGet package <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> 0.24.0 (ML.NET's
/// image featurizer, exported from CNTK 2.6): 512 pooled features of a 224×224 photograph. <see cref="ResNet18"/> is its
/// declaration as <c>explain import ResNet18.onnx --namespace Relucent.Samples.Photographs --rules
/// Saliency,DeconvNet,GuidedBackprop,EpsilonPlusFlat</c> writes it (ResNet18.cs, unchanged); this part finds the
/// package's files and loads them.
/// </summary>
public partial class ResNet18
{
    /// <summary>The folder the restore put the package in (recorded at build time from <c>$(NuGetPackageRoot)</c>).</summary>
    public static string PackageDirectory { get; } =
        typeof(ResNet18).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ModelPackage").Value
        ?? throw new InvalidOperationException("The sample was built without its ModelPackage metadata.");

    /// <summary>The network: input <c>Input247</c> [1, 3, 224, 224], output <c>Pooling395_Output_0</c> [1, 512, 1, 1].</summary>
    public static string ModelPath => Path.Combine(PackageDirectory, "tools", "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");

    /// <summary>The preprocessing ML.NET runs before it: RGB to BGR, minus <c>MeanImage</c> [1, 3, 224, 224].</summary>
    public static string PreprocessPath => Path.Combine(PackageDirectory, "tools", "DnnImageModels", "ResNetPrepOnnx", "ResNetPreprocess.onnx");

    /// <summary>
    /// The layer Grad-CAM reads: the ReLU after the last residual sum (ONNX node <c>ReLU393</c>, 512 × 7 × 7), the last
    /// block's output before the global average pool. The import names it after its node.
    /// </summary>
    public const string CamLayer = "ReLU393";

    /// <summary>The network with the package's ImageNet weights, read from its ONNX file (shapes checked against the declaration).</summary>
    /// <exception cref="FileNotFoundException">The package is not where the build found it: restore the project again.</exception>
    public static ResNet18 LoadPretrained()
    {
        if (!File.Exists(ModelPath))
        {
            throw new FileNotFoundException(
                $"No pretrained model at '{ModelPath}'. It comes with the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 0.24.0: run `dotnet restore samples/Photographs`.",
                ModelPath);
        }

        return FromTensors(OnnxImport.LoadTensors(Architecture, ModelPath));
    }
}
