using Xunit;
using static Relucent.Tests.Weights.WeightsTestData;

namespace Relucent.Tests.Weights
{
    public class ParameterBinderTests
    {
        private static ParameterBindingException Fails(IReadOnlyDictionary<string, Tensor> source, IReadOnlyList<ParameterShape> expected, ParameterBindingOptions? options = null) =>
            Assert.Throws<ParameterBindingException>(() => ParameterBinder.Bind<float>(source, expected, options));

        private static Dictionary<string, Tensor> Zeros(params ParameterShape[] shapes) =>
            shapes.ToDictionary(s => s.Name, s => Tensor.FromSingle(new float[s.ElementCount], s.Dimensions));

        [Fact]
        public void Binds_the_mlp_weights_in_expected_order()
        {
            SafeTensorsFile file = SafeTensors.Read(MlpWeights);
            ParameterShape[] expected = MlpParameters;
            float[][] single = ParameterBinder.Bind<float>(file, expected);
            double[][] dbl = ParameterBinder.Bind<double>(file, expected);
            Assert.Equal(6, single.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.Equal(file[expected[i].Name].ToSingle(), single[i]);
                Assert.Equal(expected[i].ElementCount, single[i].Length);
                Assert.Equal(single[i].Select(v => (double)v), dbl[i]);
            }

            Assert.Equal(128, single[0].Length); // 0.weight first, as expected lists it
            Assert.Equal(16, single[1].Length);
        }

        [Fact]
        public void Binding_a_file_by_path_is_binding_what_it_reads_and_fails_alike()
        {
            // BindFile (what a generated Load(path) calls) lets go of the file's bytes as it goes; what it returns and
            // what it refuses are Bind's.
            float[][] bound = ParameterBinder.Bind<float>(SafeTensors.Read(MlpWeights), MlpParameters);
            Assert.Equal(bound, ParameterBinder.BindFile<float>(MlpWeights, MlpParameters));
            Assert.Equal(bound.Select(a => a.Select(v => (double)v)), ParameterBinder.BindFile<double>(MlpWeights, MlpParameters));

            ParameterShape[] wrong = MlpParameters.Select((p, i) => i == 0 ? new ParameterShape(p.Name, 8, 16) : p).ToArray();
            var e = Assert.Throws<ParameterBindingException>(() => ParameterBinder.BindFile<float>(MlpWeights, wrong));
            Assert.Equal(Assert.Throws<ParameterBindingException>(() => ParameterBinder.Bind<float>(SafeTensors.Read(MlpWeights), wrong)).Message, e.Message);
            Assert.Contains("0.weight", e.Message);

            var ignoring = new ParameterBindingOptions { IgnoreUnexpected = true };
            Assert.Equal(bound.Take(4), ParameterBinder.BindFile<float>(MlpWeights, MlpParameters.Take(4).ToArray(), ignoring));
            Assert.Throws<FileNotFoundException>(() => ParameterBinder.BindFile<float>(MlpWeights + ".missing", MlpParameters));
        }

        [Fact]
        public void Binds_float64_tensors_into_a_float32_network_by_rounding()
        {
            var source = new Dictionary<string, Tensor> { ["w"] = Tensor.FromDouble([0.1, 1.0 / 3], 2) };
            float[][] w = ParameterBinder.Bind<float>(source, [new("w", 2)]);
            Assert.Equal([0.1f, 1f / 3], w[0]);
            double[][] d = ParameterBinder.Bind<double>(source, [new("w", 2)]);
            Assert.Equal([0.1, 1.0 / 3], d[0]);
        }

        [Fact]
        public void Missing_tensor_is_named_with_similar_names_from_the_file()
        {
            SafeTensorsFile file = SafeTensors.Read(MlpWeights);
            var prefixed = file.ToDictionary(kv => "features." + kv.Key, kv => kv.Value);
            var e = Fails(prefixed, MlpParameters);
            string missing = Assert.Single(e.Problems, p => p.Kind == ParameterBindingProblemKind.Missing && p.Name == "0.weight").Message;
            Assert.StartsWith("missing '0.weight'; the file has 'features.0.weight'", missing);
            Assert.Contains("[16, 8]", missing);
            Assert.Equal(6, e.Problems.Count(p => p.Kind == ParameterBindingProblemKind.Missing));
            Assert.Equal(6, e.Problems.Count(p => p.Kind == ParameterBindingProblemKind.Unexpected));
            Assert.Contains("missing '0.weight'; the file has 'features.0.weight'", e.Message);
            Assert.Contains("unexpected 'features.4.bias'", e.Message);
        }

        [Fact]
        public void Missing_tensor_suggests_at_most_three_names_by_edit_distance()
        {
            var source = Zeros(new("fc1.weigth", 2), new("fc2.weight", 2), new("fc3.weight", 2), new("fc4.weight", 2), new("conv.bias", 2));
            var e = Fails(source, [new("fc1.weight", 2)]);
            string missing = e.Problems.First(p => p.Kind == ParameterBindingProblemKind.Missing).Message;
            Assert.StartsWith("missing 'fc1.weight'; the file has 'fc2.weight', 'fc3.weight', 'fc4.weight'", missing);
            Assert.DoesNotContain("conv.bias", missing);

            var none = Fails(Zeros(new ParameterShape("running_mean", 3)), [new("0.weight", 2)]);
            Assert.Contains("missing '0.weight'; the file has no similar name", none.Message);
            Assert.Contains("missing '0.weight'; the file has no tensors", Fails(Zeros(), [new("0.weight", 2)]).Message);
        }

        [Fact]
        public void Unexpected_tensor_is_reported_but_num_batches_tracked_is_ignored()
        {
            var expected = new ParameterShape[] { new("0.weight", 3), new("0.running_mean", 3) };
            var source = Zeros(expected);
            source["3.num_batches_tracked"] = new Tensor(DType.I64, [], new byte[8]);
            source["num_batches_tracked"] = new Tensor(DType.I64, [], new byte[8]);
            Assert.Equal(2, ParameterBinder.Bind<float>(source, expected).Length);

            source["5.weight"] = Tensor.FromSingle([1f, 2f], 2);
            var e = Fails(source, expected);
            var problem = Assert.Single(e.Problems);
            Assert.Equal(ParameterBindingProblemKind.Unexpected, problem.Kind);
            Assert.Equal("5.weight", problem.Name);
            Assert.StartsWith("unexpected '5.weight'", problem.Message);
            Assert.EndsWith("(PyTorch's BatchNorm counters, *.num_batches_tracked, are always ignored; "
                + "ParameterBindingOptions.IgnoreUnexpected ignores every other tensor the network does not have.)", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("num_batches_tracked", Fails(Zeros(), expected).Message, StringComparison.Ordinal);

            Assert.Equal(2, ParameterBinder.Bind<float>(source, expected, new ParameterBindingOptions { IgnoreUnexpected = true }).Length);
        }

        [Fact]
        public void Shape_mismatch_is_written_exactly()
        {
            var source = Zeros(new ParameterShape("fc1.weight", 120, 256));
            var e = Fails(source, [new("fc1.weight", 120, 400)]);
            var problem = Assert.Single(e.Problems);
            Assert.Equal(ParameterBindingProblemKind.ShapeMismatch, problem.Kind);
            Assert.Equal("fc1.weight: expected [120, 400], file has [120, 256]", problem.Message);
            Assert.Contains("fc1.weight: expected [120, 400], file has [120, 256]", e.Message);
        }

        [Fact]
        public void Shape_mismatch_in_rank_or_scalar()
        {
            var source = new Dictionary<string, Tensor> { ["a"] = Tensor.FromSingle([1f, 2f, 3f, 4f], 4), ["s"] = Tensor.FromSingle([1f], 1) };
            var e = Fails(source, [new("a", 2, 2), new("s")]);
            Assert.Equal(
                ["a: expected [2, 2], file has [4]", "s: expected [], file has [1]"],
                e.Messages);
        }

        [Fact]
        public void Integer_tensor_where_a_float_is_expected()
        {
            var source = new Dictionary<string, Tensor> { ["0.bias"] = Tensor.FromInt64([1, 2], 2) };
            var e = Fails(source, [new("0.bias", 2)]);
            var problem = Assert.Single(e.Problems);
            Assert.Equal(ParameterBindingProblemKind.DTypeMismatch, problem.Kind);
            Assert.Contains("0.bias", problem.Message);
            Assert.Contains("I64", problem.Message);
            Assert.Contains("floating-point", problem.Message);

            var i32 = Fails(new Dictionary<string, Tensor> { ["b"] = Tensor.FromInt32([1], 1) }, [new("b", 1)]);
            Assert.Contains("I32", i32.Message);
        }

        [Fact]
        public void Every_problem_is_reported_at_once()
        {
            var source = new Dictionary<string, Tensor>
            {
                ["fc1.weight"] = Tensor.FromSingle(new float[6], 2, 3),
                ["fc1.bias"] = Tensor.FromInt64([0, 0], 2),
                ["extra"] = Tensor.FromSingle([0f], 1),
            };
            ParameterShape[] expected = [new("fc1.weight", 3, 2), new("fc1.bias", 2), new("fc2.weight", 4, 2)];
            var e = Fails(source, expected);
            Assert.Equal(4, e.Problems.Count);
            Assert.Equal(
                [ParameterBindingProblemKind.ShapeMismatch, ParameterBindingProblemKind.DTypeMismatch, ParameterBindingProblemKind.Missing, ParameterBindingProblemKind.Unexpected],
                e.Problems.Select(p => p.Kind));
            Assert.Contains("4 problems", e.Message);
            Assert.Contains("fc1.weight: expected [3, 2], file has [2, 3]", e.Message);
            Assert.Contains("missing 'fc2.weight'", e.Message);
            Assert.Contains("unexpected 'extra'", e.Message);
        }

        [Fact]
        public void NameMap_renames_file_tensors()
        {
            SafeTensorsFile file = SafeTensors.Read(MlpWeights);
            var map = new Dictionary<string, string> { ["0.weight"] = "fc1.weight", ["0.bias"] = "fc1.bias" };
            ParameterShape[] expected = [new("fc1.weight", 16, 8), new("fc1.bias", 16), .. MlpParameters.Skip(2)];
            float[][] bound = ParameterBinder.Bind<float>(file, expected, new ParameterBindingOptions { NameMap = map });
            Assert.Equal(file["0.weight"].ToSingle(), bound[0]);
            Assert.Equal(file["0.bias"].ToSingle(), bound[1]);

            // Without the map the network's names are missing and the file's unexpected.
            var e = Fails(file, expected);
            Assert.Equal(4, e.Problems.Count);
        }

        [Fact]
        public void NameMap_problems_name_both_names()
        {
            var source = Zeros(new("features.0.weight", 2), new("features.1.weight", 2));
            var map = new Dictionary<string, string> { ["features.0.weight"] = "conv1.weight", ["features.1.weight"] = "conv1.weight", ["absent"] = "conv2.weight" };
            var e = Fails(source, [new("conv1.weight", 2), new("conv2.weight", 2)], new ParameterBindingOptions { NameMap = map });
            Assert.Contains(e.Problems, p => p.Kind == ParameterBindingProblemKind.DuplicateName && p.Message.Contains("'features.0.weight'") && p.Message.Contains("'features.1.weight'"));
            Assert.Contains(e.Problems, p => p.Kind == ParameterBindingProblemKind.Missing && p.Message.Contains("'conv2.weight'") && p.Message.Contains("'absent'"));

            var shape = Fails(Zeros(new ParameterShape("features.0.weight", 3)), [new("conv1.weight", 2)], new ParameterBindingOptions { NameMap = new Dictionary<string, string> { ["features.0.weight"] = "conv1.weight" } });
            Assert.StartsWith("conv1.weight: expected [2], file has [3]", Assert.Single(shape.Problems).Message);
            Assert.Contains("features.0.weight", shape.Problems[0].Message);
        }

        [Fact]
        public void Check_lists_problems_without_throwing()
        {
            Assert.Empty(ParameterBinder.Check(SafeTensors.Read(MlpWeights), MlpParameters));
            Assert.Single(ParameterBinder.Check(Zeros(), [new("a", 1)]));
        }

        [Fact]
        public void Unsupported_element_type_and_duplicate_expectations()
        {
            var e = Assert.Throws<NotSupportedException>(() => ParameterBinder.Bind<int>(Zeros(), []));
            Assert.Contains("System.Int32", e.Message);
            Assert.Throws<ArgumentException>(() => ParameterBinder.Bind<float>(Zeros(), [new("a", 1), new("a", 1)]));
            Assert.Empty(ParameterBinder.Bind<double>(Zeros(), []));
        }

        [Fact]
        public void Binds_the_lenet_weights_from_the_manifest_shapes()
        {
            ParameterShape[] expected =
            [
                new("0.weight", 4, 1, 3, 3), new("0.bias", 4), new("3.weight", 8, 4, 3, 3), new("3.bias", 8),
                new("7.weight", 16, 32), new("7.bias", 16), new("9.weight", 5, 16), new("9.bias", 5),
            ];
            double[][] bound = ParameterBinder.Bind<double>(SafeTensors.Read(LenetWeights), expected);
            Assert.Equal(expected.Select(p => (int)p.ElementCount), bound.Select(b => b.Length));
        }
    }
}
