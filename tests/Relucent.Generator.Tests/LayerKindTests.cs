extern alias gen;

using System.Reflection;
using Microsoft.CodeAnalysis;
using Relucent.Model;
using GenLayer = gen::Relucent.Model.Layer;
using LayerCall = gen::Relucent.Model.LayerCall;
using LayerEmitter = gen::Relucent.Generator.Emitting.Kinds.LayerEmitter;

namespace Relucent.Generator.Tests;

/// <summary>
/// Nothing can forget a layer kind: every concrete layer record is read by the generator's parser (its call and
/// arguments are exactly its DSL method's), checked by the shape rules, emitted (forward, every rule's backward, and
/// its parameters' gradients), run by the interpreter to the same bits, and written back by the declaration writer as
/// the same layer.
/// </summary>
public class LayerKindTests
{
    /// <summary>One declaration using each kind, found by its record type; a kind missing here fails the first test.</summary>
    private static readonly Dictionary<Type, (string Chain, Func<Network> Build)> Samples = new()
    {
        [typeof(DenseLayer)] = ("Net.Input(6).Dense(4, name: \"fc\").ReLU().Dense(3)", () => Net.Input(6).Dense(4, name: "fc").ReLU().Dense(3)),
        [typeof(ReLULayer)] = ("Net.Input(6).ReLU(name: \"act\").Dense(3)", () => Net.Input(6).ReLU(name: "act").Dense(3)),
        [typeof(ReLU6Layer)] = ("Net.Input(6).Dense(5).ReLU6().Dense(3)", () => Net.Input(6).Dense(5).ReLU6().Dense(3)),
        [typeof(AdaptiveAvgPoolLayer)] = ("Net.Input(2, 5, 3).ReLU().AdaptiveAvgPool(4).Flatten().Dense(2)", () => Net.Input(2, 5, 3).ReLU().AdaptiveAvgPool(4).Flatten().Dense(2)),
        [typeof(ConcatLayer)] = ("Net.Input(2, 4, 4).Concat(b => b.Conv2D(3, kernel: 1, name: \"one\").ReLU(), b => b, b => b.MaxPool(3, stride: 1, padding: 1), name: \"mix\").Flatten().Dense(2)",
            () => Net.Input(2, 4, 4).Concat(b => b.Conv2D(3, kernel: 1, name: "one").ReLU(), b => b, b => b.MaxPool(3, stride: 1, padding: 1), name: "mix").Flatten().Dense(2)),
        [typeof(TanhLayer)] = ("Net.Input(6).ReLU().Tanh().Dense(3)", () => Net.Input(6).ReLU().Tanh().Dense(3)),
        [typeof(SigmoidLayer)] = ("Net.Input(6).ReLU().Sigmoid().Dense(3)", () => Net.Input(6).ReLU().Sigmoid().Dense(3)),
        [typeof(SoftmaxLayer)] = ("Net.Input(6).ReLU().Dense(3).Softmax()", () => Net.Input(6).ReLU().Dense(3).Softmax()),
        [typeof(FlattenLayer)] = ("Net.Input(2, 3, 3).ReLU().Flatten().Dense(3)", () => Net.Input(2, 3, 3).ReLU().Flatten().Dense(3)),
        [typeof(DropoutLayer)] = ("Net.Input(6).Dropout(0.5).ReLU().Dense(3)", () => Net.Input(6).Dropout(0.5).ReLU().Dense(3)),
        [typeof(Conv2DLayer)] = ("Net.Input(2, 6, 6).Conv2D(4, kernel: 3, stride: 2, padding: new Padding(top: 1, left: 2, bottom: 0, right: 1), groups: 2, bias: false).ReLU().Flatten().Dense(2)",
            () => Net.Input(2, 6, 6).Conv2D(4, kernel: 3, stride: 2, padding: new Padding(1, 2, 0, 1), groups: 2, bias: false).ReLU().Flatten().Dense(2)),
        [typeof(MaxPoolLayer)] = ("Net.Input(2, 6, 6).ReLU().MaxPool(3, stride: 2, padding: 1, ceilMode: true).Flatten().Dense(2)",
            () => Net.Input(2, 6, 6).ReLU().MaxPool(3, stride: 2, padding: 1, ceilMode: true).Flatten().Dense(2)),
        [typeof(AvgPoolLayer)] = ("Net.Input(2, 6, 6).ReLU().AvgPool(3, stride: 2, padding: 1).Flatten().Dense(2)", () => Net.Input(2, 6, 6).ReLU().AvgPool(3, stride: 2, padding: 1).Flatten().Dense(2)),
        [typeof(BatchNormLayer)] = ("Net.Input(2, 4, 4).BatchNorm(eps: 0.001).ReLU().Flatten().Dense(2)", () => Net.Input(2, 4, 4).BatchNorm(eps: 0.001).ReLU().Flatten().Dense(2)),
        [typeof(ResidualLayer)] = ("Net.Input(2, 4, 4).Residual(b => b.Conv2D(3, kernel: 3, stride: 2, padding: 1).ReLU(), shortcut: s => s.Conv2D(3, kernel: 1, stride: 2).BatchNorm(), name: \"block\").ReLU().Flatten().Dense(2)",
            () => Net.Input(2, 4, 4).Residual(b => b.Conv2D(3, kernel: 3, stride: 2, padding: 1).ReLU(), shortcut: s => s.Conv2D(3, kernel: 1, stride: 2).BatchNorm(), name: "block").ReLU().Flatten().Dense(2)),
    };

    private static IEnumerable<Type> Kinds(Assembly assembly, Type layer) =>
        assembly.GetTypes().Where(t => t.IsSubclassOf(layer) && !t.IsAbstract);

    [Fact]
    public void Every_kind_has_a_call_an_emitter_and_an_interpreter_operation_and_a_sample_here()
    {
        Type[] kinds = Kinds(typeof(Layer).Assembly, typeof(Layer)).OrderBy(t => t.Name).ToArray();
        Assert.Equal(kinds.Select(t => t.Name), Samples.Keys.Select(t => t.Name).OrderBy(n => n));

        // The generator's own copies of the records (it compiles the Dsl's model from source).
        Type[] generatorKinds = Kinds(typeof(LayerEmitter).Assembly, typeof(GenLayer)).ToArray();
        Assert.Equal(kinds.Select(t => t.Name), generatorKinds.Select(t => t.Name).OrderBy(n => n));
        Assert.Equal(generatorKinds.Select(t => t.Name).OrderBy(n => n), LayerEmitter.All.Select(e => e.LayerType.Name).OrderBy(n => n));
        Assert.Equal(kinds.Length, LayerCall.All.Count);

        Type operationKind = typeof(Interpreter<>).Assembly.GetType("Relucent.Interpretation.OperationKind")!;
        var operations = (System.Collections.IEnumerable)operationKind.GetProperty("All", BindingFlags.Static | BindingFlags.Public)!.GetValue(null)!;
        Assert.Equal(kinds.Select(t => t.Name), operations.Cast<object>().Select(o => ((Type)o.GetType().GetProperty("LayerType")!.GetValue(o)!).Name).OrderBy(n => n));
    }

    [Fact]
    public void Every_kinds_arguments_are_exactly_its_dsl_methods_parameters()
    {
        foreach (LayerCall call in LayerCall.All.Values)
        {
            MethodInfo[] methods = typeof(Network).GetMethods().Where(m => m.Name == call.Method && !m.IsStatic).ToArray();
            MethodInfo method = Assert.Single(methods);
            Assert.Equal(method.GetParameters().Select(p => p.Name).Where(n => n != "name"), call.Arguments.Select(a => a.Name));
            Assert.Equal("name", method.GetParameters().Last().Name);
        }
    }

    [Fact]
    public void A_lookup_of_a_kind_without_an_emitter_or_an_operation_fails_loudly()
    {
        Assert.Contains("add one under src/Generator/Emitting/Kinds", Assert.Throws<InvalidOperationException>(() => LayerEmitter.For(typeof(GenLayer))).Message);
        Type operationKind = typeof(Interpreter<>).Assembly.GetType("Relucent.Interpretation.OperationKind")!;
        var error = Assert.Throws<TargetInvocationException>(() => operationKind.GetMethod("For", new[] { typeof(Type) })!.Invoke(null, new object[] { typeof(Layer) }));
        Assert.Contains("add its operation under src/Runtime/Interpreter/Operations", Assert.IsType<NotSupportedException>(error.InnerException).Message);
    }

    [Theory]
    [MemberData(nameof(SampleKinds))]
    public void Each_kind_is_parsed_generated_run_and_declared_back_as_the_interpreter_and_builder_see_it(string kind)
    {
        (string chain, Func<Network> build) = Samples.Single(s => s.Key.Name == kind).Value;
        Network network = build();
        string source = "using Relucent;\nnamespace Kinds;\n" + RandomNetworks.Class("Sample", chain).Replace("[Saliency, DeconvNet, GuidedBackprop]", "[Saliency, DeconvNet, GuidedBackprop, DoublePrecision]");
        var (result, output) = GeneratorHarness.Run(source);
        Assert.Empty(result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        Type type = GeneratorHarness.Load(output).GetType("Kinds.Sample")!;

        // Parsed as the builder builds it: the generated class's declared network is the same data.
        var architecture = (Network)type.GetProperty("Architecture")!.GetValue(null)!;
        Assert.Equal(network.Layers, architecture.Layers);

        // Generated forward and every rule's backward agree with the interpreter to the last bit (within a merged BatchNorm's rounding).
        var random = new Random(7);
        Dictionary<string, Tensor> parameters = network.Parameters.ToDictionary(p => p.Name,
            p => Tensor.FromDouble(Enumerable.Range(0, (int)p.Size).Select(_ => p.Role == ParameterRole.RunningVar ? 0.5 + random.NextDouble() : random.NextDouble() - 0.5).ToArray(), p.Dimensions.ToArray()));
        object generated = type.GetMethod("FromTensors", new[] { typeof(IReadOnlyDictionary<string, Tensor>) })!.Invoke(null, new object[] { parameters })!;
        var interpreter = Interpreter<double>.FromTensors(network, parameters);
        double[] input = Enumerable.Range(0, (int)network.InputShape.Size).Select(i => Math.Sin(i + 1.0)).ToArray();
        MergedRounding.Agree(network, interpreter.Forward(input), (double[])type.GetMethod("Forward", new[] { typeof(double[]) })!.Invoke(generated, new object[] { input })!, kind + " forward");
        foreach (BackwardRule rule in new[] { BackwardRule.Saliency, BackwardRule.DeconvNet, BackwardRule.GuidedBackprop })
        {
            var map = (double[])type.GetMethod(rule.ToString(), new[] { typeof(double[]), typeof(int) })!.Invoke(generated, new object[] { input, 1 })!;
            MergedRounding.Agree(network, interpreter.Backward(input, 1, rule), map, $"{kind} {rule}");
        }

        // Parameter gradients: every trained parameter receives some.
        var trainable = (ITrainable<double>)generated;
        double[][] gradients = trainable.CreateGradients();
        var seed = new double[(int)network.OutputShape.Size];
        seed[1] = 1;
        trainable.AccumulateGradients(input, seed, gradients, trainable.CreateWorkspace());
        for (int i = 0; i < gradients.Length; i++)
        {
            if (trainable.Trainable[i]) Assert.True(gradients[i].Any(g => g != 0), $"{network.Parameters[i].Name} received no gradient");
        }

        // The declaration writer gives a chain that builds the same network.
        string declared = NetworkDeclaration.Expression(network);
        var (rewritten, rewrittenOutput) = GeneratorHarness.Run("using Relucent;\nnamespace Kinds;\n" + RandomNetworks.Class("Again", declared));
        Assert.Empty(rewritten.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        var again = (Network)GeneratorHarness.Load(rewrittenOutput).GetType("Kinds.Again")!.GetProperty("Architecture")!.GetValue(null)!;
        Assert.Equal(network.Layers, again.Layers);
    }

    public static TheoryData<string> SampleKinds()
    {
        var data = new TheoryData<string>();
        foreach (Type kind in Samples.Keys) data.Add(kind.Name);
        return data;
    }
}
