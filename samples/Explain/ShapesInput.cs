using Relucent.Samples.Shapes;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Relucent.Explain
{
    /// <summary>
    /// What the explain commands read: one 3×32×32 input of the Shapes CNN from a PNG or a safetensors file, and the
    /// network from its weights, each with the same errors and exit codes (2 for a usage error, 1 for an unreadable file).
    /// </summary>
    internal static class ShapesInput
    {
        /// <summary>The input in <paramref name="path"/>, or null with the problem written to <paramref name="error"/> and its exit code in <paramref name="code"/>.</summary>
        public static float[]? Read(string path, string command, TextWriter error, out int code)
        {
            code = 2;
            if (!File.Exists(path)) return Fail(error, command, $"no input file at '{path}'.");
            string extension = Path.GetExtension(path).ToLowerInvariant();
            if (extension is not (".png" or ".safetensors")) return Fail(error, command, $"the input is a .png image or a .safetensors tensor; got '{path}'.");

            float[] x;
            try
            {
                (x, string? problem) = extension == ".png" ? ReadPng(path) : ReadTensor(path);
                if (problem != null) return Fail(error, command, problem);
            }
            catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException or SafeTensorsFormatException or IOException or NotSupportedException)
            {
                code = 1;
                return Fail(error, command, $"cannot read '{path}': {e.Message}");
            }

            if (!x.All(float.IsFinite)) return Fail(error, command, $"'{path}' holds a NaN or an infinity.");
            code = 0;
            return x;
        }

        /// <summary>The Shapes CNN with the weights in <paramref name="path"/>, or null with the problem written to <paramref name="error"/> and its exit code in <paramref name="code"/>.</summary>
        public static ShapesCnn? LoadNetwork(string path, string command, TextWriter error, out int code)
        {
            code = 2;
            if (!File.Exists(path))
            {
                Fail(error, command, $"no weights file at '{path}'.");
                return null;
            }

            try
            {
                code = 0;
                return ShapesCnn.Load(path);
            }
            catch (Exception e) when (e is ParameterBindingException or SafeTensorsFormatException or IOException)
            {
                code = 1;
                Fail(error, command, $"the weights in '{path}' do not fit the Shapes CNN: {e.Message}");
                return null;
            }
        }

        // The PNG as 3×32×32 values in [0, 1], or the reason it is not one.
        private static (float[] Values, string? Problem) ReadPng(string path)
        {
            // The size from the header first: a 30000×30000 PNG of a few kilobytes would otherwise be decoded (2.7 GB) before it is refused.
            IImageInfo? info = Image.Identify(path) ?? throw new UnknownImageFormatException($"'{path}' is not an image ImageSharp recognises.");
            if (info.Width != 32 || info.Height != 32)
            {
                return ([], $"'{path}' is {info.Width}×{info.Height} pixels; the network expects 32×32 RGB images (3×32×32).");
            }

            using Image<Rgb24> image = Image.Load<Rgb24>(path);
            if (image.Width != 32 || image.Height != 32)
            {
                return ([], $"'{path}' is {image.Width}×{image.Height} pixels; the network expects 32×32 RGB images (3×32×32).");
            }

            var pixels = new Rgb24[32 * 32];
            image.CopyPixelDataTo(pixels);
            var x = new float[3 * 32 * 32];
            for (int p = 0; p < pixels.Length; p++)
            {
                x[p] = pixels[p].R / 255f;
                x[1024 + p] = pixels[p].G / 255f;
                x[2048 + p] = pixels[p].B / 255f;
            }

            return (x, null);
        }

        // The tensor 'input' [3, 32, 32] (or [1, 3, 32, 32]), or the reason there is none.
        private static (float[] Values, string? Problem) ReadTensor(string path)
        {
            SafeTensorsFile file = SafeTensors.Read(path);
            if (!file.TryGetValue("input", out Tensor? tensor))
            {
                string held = file.Count == 0 ? "no tensors" : string.Join(", ", file.Select(t => $"'{t.Key}' {Tensor.FormatShape(t.Value.Shape)}"));
                return ([], $"'{path}' has no tensor named 'input' (expected [3, 32, 32]); it holds {held}.");
            }

            int[] shape = tensor.GetShape();
            bool fits = shape.SequenceEqual([3, 32, 32]) || shape.SequenceEqual([1, 3, 32, 32]);
            if (!fits) return ([], $"the tensor 'input' in '{path}' has shape {Tensor.FormatShape(shape)}; expected [3, 32, 32].");
            if (tensor.DType is DType.I32 or DType.I64) return ([], $"the tensor 'input' in '{path}' is {tensor.DType}; expected floating-point values.");
            return (tensor.ToSingle(), null);
        }

        private static float[]? Fail(TextWriter error, string command, string message)
        {
            error.WriteLine($"{command}: {message}");
            return null;
        }
    }
}
