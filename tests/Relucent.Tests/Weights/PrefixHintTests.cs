using Relucent.Tests.Generated;
using Xunit;
using static Relucent.Tests.Weights.WeightsTestData;

namespace Relucent.Tests.Weights
{
    /// <summary>
    /// A state_dict whose names all carry a prefix (<c>features.0.weight</c> for <c>0.weight</c>) fails with one line
    /// per tensor; the error says once, at its head, which option removes the prefix, and that option binds the file.
    /// </summary>
    public class PrefixHintTests
    {
        private static Dictionary<string, Tensor> Prefixed(string prefix) =>
            SafeTensors.Read(MlpWeights).ToDictionary(kv => prefix + kv.Key, kv => kv.Value);

        [Fact]
        public void A_prefix_on_every_name_is_named_once_with_the_option_that_strips_it()
        {
            var e = Assert.Throws<ParameterBindingException>(() => CaptumMlp.FromTensors(Prefixed("features.")));
            Assert.Equal(12, e.Problems.Count); // 6 missing, 6 unexpected: every line is still there
            Assert.Equal(
                "every missing parameter is in the file under the prefix 'features.' ('features.0.bias' for '0.bias'): "
                + "bind with new ParameterBindingOptions { StripPrefix = \"features.\" }, passed to Load(path, options) or FromTensors(tensors, options).",
                e.Hint);
            string[] lines = e.Message.Split(Environment.NewLine);
            Assert.Equal("The weights do not fit the network (12 problems):", lines[0]);
            Assert.Equal("Hint: " + e.Hint, lines[1]);
            Assert.Single(lines, l => l.Contains("StripPrefix", StringComparison.Ordinal));
        }

        [Fact]
        public void The_option_the_hint_names_binds_the_file_as_the_unprefixed_one()
        {
            CaptumMlp expected = CaptumMlp.Load(MlpWeights);
            CaptumMlp stripped = CaptumMlp.FromTensors(Prefixed("module.features."), new ParameterBindingOptions { StripPrefix = "module.features." });
            Assert.Equal(expected.ToTensors().ToDictionary(kv => kv.Key, kv => kv.Value.ToSingle()), stripped.ToTensors().ToDictionary(kv => kv.Key, kv => kv.Value.ToSingle()));

            // Through a file and Load(path, options), as the hint says.
            string path = Path.Combine(Path.GetTempPath(), $"relucent-prefix-{Guid.NewGuid():N}.safetensors");
            try
            {
                SafeTensors.Write(path, Prefixed("features."));
                var e = Assert.Throws<ParameterBindingException>(() => CaptumMlp.Load(path));
                Assert.Contains("StripPrefix = \"features.\"", e.Message);
                float[] x = Enumerable.Range(0, CaptumMlp.InputSize).Select(i => i / 7f - 0.5f).ToArray();
                Assert.Equal(expected.Forward(x), CaptumMlp.Load(path, new ParameterBindingOptions { StripPrefix = "features." }).Forward(x));
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void No_hint_when_the_names_are_simply_different_or_a_prefix_explains_too_few()
        {
            // Renamed layers: nothing a prefix explains.
            var renamed = SafeTensors.Read(MlpWeights).ToDictionary(kv => kv.Key.Replace("0.", "fc.", StringComparison.Ordinal), kv => kv.Value);
            Assert.Null(Assert.Throws<ParameterBindingException>(() => CaptumMlp.FromTensors(renamed)).Hint);

            // One of two missing parameters under a prefix: stripping it would not fix the file, so no hint (the
            // per-tensor line still suggests the name).
            var one = SafeTensors.Read(MlpWeights).ToDictionary(kv => kv.Key switch { "0.weight" => "features.0.weight", "0.bias" => "zero.bias", _ => kv.Key }, kv => kv.Value);
            var e = Assert.Throws<ParameterBindingException>(() => CaptumMlp.FromTensors(one));
            Assert.Null(e.Hint);
            Assert.Contains("missing '0.weight'; the file has 'features.0.weight'", e.Message);
            Assert.DoesNotContain("Hint:", e.Message);
        }

        [Fact]
        public void A_stripped_prefix_leaves_names_without_it_and_the_name_map_alone()
        {
            var source = new Dictionary<string, Tensor>
            {
                ["net.a"] = Tensor.FromSingle([1f], 1),
                ["b"] = Tensor.FromSingle([2f], 1),
                ["net.c"] = Tensor.FromSingle([3f], 1),
                ["net."] = Tensor.FromSingle([4f], 1), // only the prefix: kept as it is, so it is unexpected
            };
            var options = new ParameterBindingOptions { StripPrefix = "net.", NameMap = new Dictionary<string, string> { ["net.c"] = "z" }, IgnoreUnexpected = true };
            float[][] bound = ParameterBinder.Bind<float>(source, [new("a", 1), new("b", 1), new("z", 1)], options);
            Assert.Equal([[1f], [2f], [3f]], bound);
            var e = Assert.Throws<ParameterBindingException>(() => ParameterBinder.Bind<float>(source, [new("a", 1), new("b", 1), new("z", 1)], new ParameterBindingOptions { StripPrefix = "net.", NameMap = options.NameMap }));
            Assert.Equal("net.", Assert.Single(e.Problems).Name);
        }
    }
}
