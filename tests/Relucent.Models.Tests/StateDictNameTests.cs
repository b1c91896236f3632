using Relucent.Samples.TorchVision;

namespace Relucent.Models.Tests;

/// <summary>
/// Every full-size declaration of samples/TorchVision, in both precisions, expects exactly torchvision's state_dict:
/// the same names, shapes and order (num_batches_tracked aside, which binding ignores).
/// </summary>
public class StateDictNameTests
{
    public static TheoryData<string> Models => new(TorchVisionModels.All.Select(m => m.Name));

    [Fact]
    public void The_sample_declares_every_model_of_the_issues()
    {
        Assert.Equal(TorchVisionStateDicts.Names.Order(StringComparer.Ordinal), TorchVisionModels.All.Select(m => m.Name).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Parameter_shapes_are_torchvisions_state_dict(string name)
    {
        TorchVisionModel model = TorchVisionModels.Get(name);
        var expected = TorchVisionStateDicts.Of(name).Where(e => !e.IsBatchCounter).Select(e => (e.Name, Shape: Tensor.FormatShape(e.Shape))).ToArray();
        Assert.All(TorchVisionStateDicts.Of(name), e => Assert.Equal(e.IsBatchCounter ? DType.I64 : DType.F32, e.DType));
        foreach (var shapes in new[] { model.SingleShapes, model.DoubleShapes })
        {
            var actual = shapes.Select(s => (s.Name, Shape: Tensor.FormatShape(s.Dimensions))).ToArray();
            // The first difference, named, before the whole lists: a wrong name in ResNet-152's 931 is found at once.
            int at = Enumerable.Range(0, Math.Min(expected.Length, actual.Length)).FirstOrDefault(i => expected[i] != actual[i], -1);
            Assert.True(at < 0, at < 0 ? "" : $"{name}: entry {at} is {actual[at]}, torchvision has {expected[at]}");
            Assert.Equal(expected, actual);
        }
        Assert.Equal(model.SingleShapes.Select(s => s.Name), model.Architecture.Parameters.Select(p => p.Name));
    }
}
