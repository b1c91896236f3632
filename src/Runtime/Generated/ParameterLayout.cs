using Relucent.Model;

namespace Relucent
{
    /// <summary>
    /// How the kernels hold a parameter, against how PyTorch stores it. A matrix (a Dense weight <c>[out, in]</c>, a Conv2D
    /// weight <c>[out, in, k, k]</c> read as <c>[out, in·k·k]</c>) is column-major, element <c>(o, j)</c> at <c>j·rows + o</c>,
    /// so one input's (or one tap's) weights for every output are contiguous; everything else is as PyTorch stores it.
    /// Generated networks and the interpreter both use this, so they hold the same bits.
    /// </summary>
    public static class ParameterLayout
    {
        /// <summary>Whether <paramref name="parameter"/> is held as a column-major matrix.</summary>
        public static bool IsMatrix(ParameterInfo parameter) => parameter.Role == ParameterRole.Weight && parameter.Dimensions.Count > 1;

        /// <summary><paramref name="values"/> (C order, as PyTorch stores them) in the kernels' layout: a new array for a matrix, else the same array.</summary>
        public static T[] ToKernel<T>(ParameterInfo parameter, T[] values)
        {
            if (!IsMatrix(parameter)) return values;
            int rows = parameter.Dimensions[0], columns = (int)(parameter.Size / rows);
            var result = new T[values.Length];
            for (int o = 0; o < rows; o++)
            {
                for (int j = 0; j < columns; j++) result[j * rows + o] = values[o * columns + j];
            }
            return result;
        }

        /// <summary>The kernels' <paramref name="values"/> back in C order, as PyTorch stores them (always a new array).</summary>
        public static T[] ToPyTorch<T>(ParameterInfo parameter, T[] values)
        {
            if (!IsMatrix(parameter)) return (T[])values.Clone();
            int rows = parameter.Dimensions[0], columns = (int)(parameter.Size / rows);
            var result = new T[values.Length];
            for (int o = 0; o < rows; o++)
            {
                for (int j = 0; j < columns; j++) result[o * columns + j] = values[j * rows + o];
            }
            return result;
        }
    }
}
