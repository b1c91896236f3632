using System.Numerics;
using System.Text.Json;
using Relucent.Model;
using Relucent.Tests.Kernels;
using Xunit;

namespace Relucent.Tests.Interpreter
{
    /// <summary>
    /// The interpreter against PyTorch 2.11 + Captum 0.8.0 on two small networks (Fixtures/captum/README.md):
    /// logits, Saliency (signed, absolute, channel maximum), Deconvolution, GuidedBackprop and InputXGradient.
    /// </summary>
    public class CaptumFixtureTests
    {
        private static string Fixture(string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "captum", file);

        /// <summary>The DSL declarations of the fixture networks; every call takes the next nn.Sequential index.</summary>
        public static Network Declaration(string model) => model switch
        {
            "mlp" => Net.Input(8).Dense(16).ReLU().Dense(12).ReLU().Dense(4),
            "lenet" => Net.Input(1, 12, 12)
                .Conv2D(4, kernel: 3, padding: 1).ReLU().MaxPool(2)
                .Conv2D(8, kernel: 3).ReLU().MaxPool(2)
                .Flatten().Dense(16).ReLU().Dense(5),
            _ => throw new ArgumentException(model),
        };

        [Theory]
        [InlineData("mlp")]
        [InlineData("lenet")]
        public void Declaration_matches_the_manifest(string model)
        {
            using JsonDocument manifest = JsonDocument.Parse(File.ReadAllText(Fixture("manifest.json")));
            JsonElement entry = manifest.RootElement.GetProperty("models").GetProperty(model);
            Network declared = Declaration(model);

            int[] input = entry.GetProperty("input_shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            Network built = input.Length == 1 ? Net.Input(input[0]) : Net.Input(input[0], input[1], input[2]);
            int index = 0;
            foreach (JsonElement layer in entry.GetProperty("layers").EnumerateArray())
            {
                Assert.Equal(index++.ToString(System.Globalization.CultureInfo.InvariantCulture), layer.GetProperty("name").GetString());
                built = layer.GetProperty("type").GetString() switch
                {
                    "Linear" => built.Dense(layer.GetProperty("out_features").GetInt32()),
                    "ReLU" => built.ReLU(),
                    "Flatten" => built.Flatten(),
                    "Conv2d" => built.Conv2D(
                        layer.GetProperty("out_channels").GetInt32(),
                        kernel: Square(layer.GetProperty("kernel_size")),
                        stride: Square(layer.GetProperty("stride")),
                        padding: Square(layer.GetProperty("padding"))),
                    "MaxPool2d" when layer.GetProperty("padding").GetInt32() == 0 =>
                        built.MaxPool(layer.GetProperty("kernel_size").GetInt32(), layer.GetProperty("stride").GetInt32()),
                    var other => throw new Xunit.Sdk.XunitException($"{model}: layer type {other} is not handled"),
                };
            }
            Assert.Equal(built.Layers, declared.Layers);
            Assert.Equal(built.InputShape, declared.InputShape);
            Assert.Equal(entry.GetProperty("outputs").GetInt32(), (int)declared.OutputShape.Size);

            var stateDict = entry.GetProperty("state_dict").EnumerateObject()
                .ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(e => e.GetInt32()).ToArray());
            Assert.Equal(stateDict.Keys.OrderBy(k => k, StringComparer.Ordinal), declared.Parameters.Select(p => p.Name).OrderBy(k => k, StringComparer.Ordinal));
            foreach (ParameterInfo parameter in declared.Parameters) Assert.Equal(stateDict[parameter.Name], parameter.Dimensions);
        }

        private static int Square(JsonElement pair)
        {
            int[] values = pair.EnumerateArray().Select(e => e.GetInt32()).ToArray();
            Assert.Equal(values[0], values[1]);
            return values[0];
        }

        [Theory]
        [InlineData("mlp")]
        [InlineData("lenet")]
        public void Float_interpreter_matches_captum(string model) => Check<float>(model, 1e-5);

        [Theory]
        [InlineData("mlp")]
        [InlineData("lenet")]
        public void Double_interpreter_matches_captum(string model) => Check<double>(model, 1e-9);

        private static void Check<T>(string model, double tolerance) where T : unmanaged, IFloatingPointIeee754<T>
        {
            Network network = Declaration(model);
            SafeTensorsFile weights = SafeTensors.Read(Fixture(model + ".weights.safetensors"));
            SafeTensorsFile cases = SafeTensors.Read(Fixture(model + ".cases.safetensors"));
            Interpreter<T> interpreter = Interpreter<T>.FromTensors(network, weights);

            Tensor inputTensor = cases["inputs"];
            int batch = inputTensor.Shape[0];
            int size = (int)network.InputShape.Size;
            T[] inputs = inputTensor.ToArray<T>();
            Assert.Equal(batch * size, inputs.Length);
            long[] targets = cases["targets"].ToInt64();
            int classes = (int)network.OutputShape.Size;
            double[] logits = cases["logits"].ToDouble();
            string[] maps = { "saliency", "saliency_abs", "deconvnet", "guided_backprop", "input_x_gradient" };
            var expected = maps.Where(cases.ContainsKey).ToDictionary(m => m, m => cases[m].ToDouble());
            Assert.Equal(maps.Length, expected.Count);
            double[]? channelMax = cases.TryGetValue("saliency_channel_max", out Tensor? cm) ? cm.ToDouble() : null;
            if (network.InputShape.IsImage) Assert.NotNull(channelMax);
            int plane = network.InputShape.Height * network.InputShape.Width;

            for (int b = 0; b < batch; b++)
            {
                T[] x = inputs.AsSpan(b * size, size).ToArray();
                int target = checked((int)targets[b]);
                string at = $"{model} ({typeof(T).Name}) example {b}, target {target}";
                Numerics.AssertClose(logits.AsSpan(b * classes, classes).ToArray(), interpreter.Forward(x), tolerance, $"{at}: logits");

                T[] saliency = interpreter.Backward(x, target, BackwardRule.Saliency);
                T[] absolute = saliency.Select(T.Abs).ToArray();
                var actual = new Dictionary<string, T[]>
                {
                    ["saliency"] = saliency,
                    ["saliency_abs"] = absolute,
                    ["deconvnet"] = interpreter.Backward(x, target, BackwardRule.DeconvNet),
                    ["guided_backprop"] = interpreter.Backward(x, target, BackwardRule.GuidedBackprop),
                    ["input_x_gradient"] = saliency.Select((g, i) => x[i] * g).ToArray(),
                };
                foreach (string map in maps)
                {
                    Numerics.AssertClose(expected[map].AsSpan(b * size, size).ToArray(), actual[map], tolerance, $"{at}: {map}", floor: 1e-12);
                }
                if (channelMax != null)
                {
                    var max = new T[plane];
                    for (int c = 0; c < network.InputShape.Channels; c++)
                    {
                        for (int p = 0; p < plane; p++) max[p] = c == 0 ? absolute[p] : T.Max(max[p], absolute[c * plane + p]);
                    }
                    Numerics.AssertClose(channelMax.AsSpan(b * plane, plane).ToArray(), max, tolerance, $"{at}: saliency_channel_max", floor: 1e-12);
                }
            }
        }

        [Fact]
        public void Fixtures_are_copied_next_to_the_tests()
        {
            foreach (string model in new[] { "mlp", "lenet" })
            {
                Assert.True(File.Exists(Fixture(model + ".weights.safetensors")), model + ".weights.safetensors");
                Assert.True(File.Exists(Fixture(model + ".cases.safetensors")), model + ".cases.safetensors");
            }
        }
    }
}
