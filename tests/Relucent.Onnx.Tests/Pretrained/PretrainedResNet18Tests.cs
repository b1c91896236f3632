using Relucent.Model;
using Relucent.Samples.Photographs;

namespace Relucent.Onnx.Tests.Pretrained;

/// <summary>
/// The ImageNet-trained ResNet-18 of the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 0.24.0 (a CNTK 2.6
/// export: unfused BatchNormalization, pads such as [3, 3, 2, 2], projection shortcuts as two paths meeting at Add),
/// restored with samples/Photographs: import writes the declaration the sample compiles, and its features on a real
/// photograph agree with ONNX Runtime's, through the interpreter and through the generated class.
/// </summary>
public class PretrainedResNet18Tests
{
    private static readonly Lazy<OnnxImportResult> Imported = new(() => OnnxImport.Import(ResNet18.ModelPath));

    private static readonly Lazy<ModelInput> Input = new(() => ModelInput.Load(ResNet18.PreprocessPath));

    [Fact]
    public void The_graph_says_what_the_network_reads()
    {
        OnnxModel model = Imported.Value.Model;
        Assert.Equal("CNTK 2.6", model.Producer);
        Assert.Equal(8, model.OpsetVersion);
        Assert.Equal("Input247", model.InputName);
        Assert.Equal(new[] { 3, 224, 224 }, model.InputShape);
        Assert.Equal("1", model.InputBatch);
        Assert.Equal(1, model.InputElementType);
        Assert.Equal("Pooling395_Output_0", model.OutputName);
        Assert.Equal(Shape.Image(512, 1, 1), Imported.Value.Network.OutputShape);
    }

    /// <summary>What <c>explain import ResNet18.onnx --namespace Relucent.Samples.Photographs --rules ...</c> was given for the sample.</summary>
    private static readonly string[] PretrainedRules = { "Saliency", "DeconvNet", "GuidedBackprop", "EpsilonPlusFlat" };

    [Fact]
    public void Import_writes_the_declaration_the_sample_compiles()
    {
        string committed = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Pretrained", "ResNet18.cs.txt")).ReplaceLineEndings("\n");
        Assert.Equal(committed, Imported.Value.ToDeclaration("ResNet18", "Relucent.Samples.Photographs", PretrainedRules));

        // The class the generator compiled from that file is the imported network, parameter for parameter.
        Assert.Equal(Imported.Value.Network.Layers, ResNet18.Architecture.Layers);
        Assert.Equal(Imported.Value.Network.Parameters, ResNet18.Architecture.Parameters);

        // Not torchvision's ResNet-18: its last stage holds three blocks where torchvision's holds two (9 blocks, 3 with a
        // projection shortcut, 22 convolutions), so 15,897,152 weights where torchvision's convolutions and BatchNorms hold 11,176,512.
        var blocks = ResNet18.Architecture.Layers.OfType<ResidualLayer>().ToList();
        Assert.Equal(9, blocks.Count);
        Assert.Equal(3, blocks.Count(b => b.Shortcut.Count > 0));
        Assert.Equal(22, 1 + blocks.Sum(b => b.Body.Concat(b.Shortcut).OfType<Conv2DLayer>().Count()));
        Assert.Equal(15_897_152, ResNet18.Architecture.Parameters.Where(p => p.Role is ParameterRole.Weight or ParameterRole.Bias).Sum(p => p.Size));
    }

    [Fact]
    public void The_input_is_what_ResNetPreprocess_onnx_makes_of_RGB_pixels()
    {
        Photograph photograph = Photograph.Shipped("coffee");
        float[] reference = OnnxRuntimeReference.Run(ResNet18.PreprocessPath, "OriginalInput", photograph.Rgb, 1, 3, 224, 224);
        Assert.Equal(reference, Input.Value.Prepare(photograph));
    }

    [Theory]
    [InlineData("chelsea")]
    [InlineData("rocket")]
    public void Features_agree_with_onnx_runtime_on_a_photograph(string name)
    {
        float[] x = Input.Value.Prepare(Photograph.Shipped(name));
        float[] reference = OnnxRuntimeReference.Run(ResNet18.ModelPath, "Input247", x, 1, 3, 224, 224);
        float[] interpreted = Interpreter<float>.FromTensors(Imported.Value.Network, Imported.Value.Tensors).Forward(x);
        float[] generated = ResNet18.LoadPretrained().Forward(x);

        Assert.Equal(512, reference.Length);
        Assert.True(reference.Max() > 1, $"the largest feature is {reference.Max()}: the photograph did not reach the network");
        AssertClose(reference, interpreted, 1e-4, "interpreter");
        AssertClose(reference, generated, 1e-4, "generated class");
    }

    private static void AssertClose(float[] expected, float[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        int worst = 0;
        for (int i = 1; i < expected.Length; i++)
        {
            if (Math.Abs(expected[i] - actual[i]) > Math.Abs(expected[worst] - actual[worst])) worst = i;
        }

        double error = Math.Abs(expected[worst] - actual[worst]);
        Assert.True(error <= tolerance, $"{what}: feature {worst} is {actual[worst]}, ONNX Runtime's {expected[worst]} (|difference| {error:G3} > {tolerance:G3})");
    }
}
