using Relucent.Tests.Generated;

namespace Relucent.Tests.Reliability
{
    /// <summary>
    /// A NaN or an infinity in the weights is refused when loading, naming the parameter, the value and its position
    /// as a C-order index (<c>7.weight: holds NaN at [3, 12]</c>), alongside every other problem of the file.
    /// </summary>
    public class NonFiniteWeightsTests
    {
        [Fact]
        public void A_NaN_weight_is_refused_with_its_name_and_multi_index()
        {
            SafeTensorsFile tensors = Fixture.Weights("lenet");
            tensors["7.weight"] = With(tensors["7.weight"], 3 * 32 + 12, float.NaN); // [16, 32]

            var e = Assert.Throws<ParameterBindingException>(() => CaptumLeNet.FromTensors(tensors));
            ParameterBindingProblem problem = Assert.Single(e.Problems);
            Assert.Equal(ParameterBindingProblemKind.NonFinite, problem.Kind);
            Assert.Equal("7.weight", problem.Name);
            Assert.Equal("7.weight: holds NaN at [3, 12]", problem.Message);
            Assert.Contains("7.weight: holds NaN at [3, 12]", e.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Infinities_are_refused_likewise_and_every_bad_parameter_is_listed()
        {
            SafeTensorsFile tensors = Fixture.Weights("lenet");
            tensors["0.weight"] = With(tensors["0.weight"], ((2 * 1 + 0) * 3 + 1) * 3 + 2, float.PositiveInfinity); // [4, 1, 3, 3] at [2, 0, 1, 2]
            tensors["9.bias"] = With(With(tensors["9.bias"], 4, float.NegativeInfinity), 1, float.NaN);           // [5]

            var e = Assert.Throws<ParameterBindingException>(() => CaptumLeNet.FromTensors(tensors));
            Assert.Equal(
                ["0.weight: holds +infinity at [2, 0, 1, 2]", "9.bias: holds NaN at [1] (2 non-finite values in all)"],
                e.Messages);
            Assert.Equal(e.Problems, ParameterBinder.Check(tensors, CaptumLeNet.ParameterShapes));
        }

        [Fact]
        public void Non_finite_values_are_found_in_every_floating_point_dtype_and_through_every_loader()
        {
            Dictionary<string, Tensor> good = RandomParameters.For(CaptumMlp.Architecture, 1); // float64 tensors
            foreach (DType dtype in new[] { DType.F64, DType.F32, DType.F16, DType.BF16 })
            {
                var tensors = good.ToDictionary(kv => kv.Key, kv => kv.Value.ConvertTo(dtype));
                double[] values = tensors["2.weight"].ToDouble(); // [12, 16]
                values[5 * 16 + 7] = double.NegativeInfinity;
                tensors["2.weight"] = Tensor.FromDouble(values, 12, 16).ConvertTo(dtype);
                const string Expected = "2.weight: holds -infinity at [5, 7]";

                Assert.Equal(Expected, Assert.Single(Assert.Throws<ParameterBindingException>(() => CaptumMlp.FromTensors(tensors)).Messages));
                Assert.Equal(Expected, Assert.Single(Assert.Throws<ParameterBindingException>(() => CaptumMlp64.FromTensors(tensors)).Messages));
                Assert.Equal(Expected, Assert.Single(Assert.Throws<ParameterBindingException>(
                    () => Interpreter<double>.FromTensors(CaptumMlp.Architecture, tensors)).Messages));

                string path = Path.Combine(Path.GetTempPath(), $"relucent-nonfinite-{dtype}-{Guid.NewGuid():N}.safetensors");
                try
                {
                    SafeTensors.Write(path, tensors);
                    Assert.Equal(Expected, Assert.Single(Assert.Throws<ParameterBindingException>(() => CaptumMlp.Load(path)).Messages));
                }
                finally
                {
                    File.Delete(path);
                }
            }
        }

        [Fact]
        public void A_float64_weight_beyond_the_float32_range_is_refused_by_a_float32_network_only()
        {
            Dictionary<string, Tensor> tensors = RandomParameters.For(CaptumMlp.Architecture, 2);
            double[] values = tensors["4.bias"].ToDouble();
            values[3] = -1e300;
            tensors["4.bias"] = Tensor.FromDouble(values, 4);

            var e = Assert.Throws<ParameterBindingException>(() => CaptumMlp.FromTensors(tensors));
            ParameterBindingProblem problem = Assert.Single(e.Problems);
            Assert.Equal(ParameterBindingProblemKind.NonFinite, problem.Kind);
            Assert.Equal("4.bias: holds -1E+300 at [3], beyond the float32 range: it would become infinity in this float32 network", problem.Message);

            // Finite in double precision: the float64 network loads it.
            Assert.Equal(-1e300, CaptumMlp64.FromTensors(tensors).Layer4Bias[3]);
        }

        [Fact]
        public void Finite_extremes_load()
        {
            SafeTensorsFile tensors = Fixture.Weights("lenet");
            tensors["7.weight"] = With(With(tensors["7.weight"], 0, float.MaxValue), 1, float.Epsilon);
            tensors["7.bias"] = With(tensors["7.bias"], 2, -float.MaxValue);
            CaptumLeNet net = CaptumLeNet.FromTensors(tensors);
            Assert.Equal(float.MaxValue, net.Layer7Weight[0, 0]);
        }

        /// <summary>A float32 copy of <paramref name="tensor"/> with flat element <paramref name="index"/> set to <paramref name="value"/>.</summary>
        private static Tensor With(Tensor tensor, int index, float value)
        {
            float[] values = tensor.ToSingle();
            values[index] = value;
            return Tensor.FromSingle(values, tensor.GetShape());
        }
    }
}
