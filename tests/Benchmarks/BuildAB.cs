using System.Reflection;
using System.Runtime.Loader;
using Relucent.Samples.TorchVision;

namespace Relucent.Benchmarks;

/// <summary>
/// <c>ab-build &lt;other torchvision-models.dll&gt; &lt;model&gt; [blocks]</c>: a torchvision model as this build's generator wrote it
/// against the same model as another build's generator wrote it (the other build's samples/TorchVision, e.g. built from
/// main), in one process on this build's runtime, so only the generated code differs. Both get the same random weights; the
/// maps and logits must be the same bits (said, then timed), and alternating blocks give each the least CPU time per call on
/// this thread (1 kernel thread). For a generator change whose generated code no run-time switch can turn off.
/// </summary>
public static class BuildAB
{
    public static void Run(string otherAssembly, string model, int blocks, TextWriter output)
    {
        using var one = Relucent.Kernels.KernelParallelism.Override(1); // thread CPU time counts this thread only
        string className = ModelSubject.Names.Contains(model)
            ? typeof(ResNet50).Namespace + "." + model switch
            {
                "resnet18" => nameof(ResNet18), "resnet50" => nameof(ResNet50), "vgg11_bn" => nameof(Vgg11BN),
                "alexnet" => nameof(AlexNet), "mobilenet_v2" => nameof(MobileNetV2), _ => nameof(GoogLeNet),
            }
            : throw new ArgumentException($"Unknown model '{model}'; use one of {string.Join(", ", ModelSubject.Names)}.", nameof(model));
        var other = new OtherSamples(Path.GetFullPath(otherAssembly));
        Assembly theirs = other.LoadFromAssemblyPath(Path.GetFullPath(otherAssembly));
        var subjects = new[] { Subject.Of(typeof(ResNet50).Assembly, className), Subject.Of(theirs, className) };
        string[] names = { "this build", "other build" };

        subjects[0].Saliency();
        subjects[1].Saliency();
        bool sameMaps = subjects[0].Map.AsSpan().SequenceEqual(subjects[1].Map);
        subjects[0].Forward();
        subjects[1].Forward();
        bool sameLogits = subjects[0].Logits.AsSpan().SequenceEqual(subjects[1].Logits);
        output.WriteLine($"{model}: saliency maps {(sameMaps ? "the same bits" : "DIFFER")}, logits {(sameLogits ? "the same bits" : "DIFFER")} ({otherAssembly})");

        foreach ((string mode, Func<Subject, Action> call) in new (string, Func<Subject, Action>)[] { ("saliency", s => s.Saliency), ("forward", s => s.Forward) })
        {
            var least = new[] { double.MaxValue, double.MaxValue };
            for (int block = 0; block < 2 * blocks; block++)
            {
                int which = block % 2;
                least[which] = Math.Min(least[which], Quick.CpuTime(call(subjects[which]), repetitions: 3));
            }
            output.WriteLine($"{model} {mode}, least CPU ms per call over {blocks} alternating blocks: {names[0]} {least[0] * 1e3:F2}, {names[1]} {least[1] * 1e3:F2}, "
                + $"other / this {least[1] / least[0]:F3}");
        }
    }

    // One build's generated model on one example: its map and logits, and the calls computing them into those buffers.
    private sealed class Subject
    {
        private Subject(IExplainer<float> net)
        {
            var rng = new Random(1);
            float[] input = Benchmarks.Subject.Uniform(rng, net.InputSize, -2, 2);
            var seed = new float[net.OutputSize];
            seed[1] = 1;
            IWorkspace workspace = net.CreateWorkspace();
            Map = new float[net.InputSize];
            Logits = new float[net.OutputSize];
            Saliency = () => net.Explain(BackwardRule.Saliency, input, seed, Map, workspace);
            Forward = () => net.Forward(input, Logits, workspace);
        }

        public float[] Map { get; }

        public float[] Logits { get; }

        public Action Saliency { get; }

        public Action Forward { get; }

        // The class className of assembly with ModelSubject's random weights (seed 224): the same values for either build.
        public static Subject Of(Assembly assembly, string className)
        {
            Type type = assembly.GetType(className, throwOnError: true)!;
            var shapes = (IReadOnlyList<ParameterShape>)type.GetProperty("ParameterShapes")!.GetValue(null)!;
            Dictionary<string, Tensor> weights = ModelSubject.Weights(shapes, new Random(224));
            object net = type.GetMethod("FromTensors", new[] { typeof(IReadOnlyDictionary<string, Tensor>) })!.Invoke(null, new object[] { weights })!;
            return new Subject((IExplainer<float>)net);
        }
    }

    // Loads the other build's samples assembly alone; everything it references (Relucent.Runtime above all) comes from this build.
    private sealed class OtherSamples(string path) : AssemblyLoadContext("other build's samples")
    {
        protected override Assembly? Load(AssemblyName name) =>
            name.Name == Path.GetFileNameWithoutExtension(path) ? LoadFromAssemblyPath(path) : null;
    }
}
