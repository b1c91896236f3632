namespace Relucent.Benchmarks;

/// <summary>
/// One dense layer's operands for a batch (dense-batch, dense-batch-ab): W and b as PyTorch initialises a small layer, inputs
/// after a ReLU (about half zero), output gradients, and the buffers the kernels write.
/// </summary>
public sealed record DenseBatchData(int Inputs, int Outputs, int Examples, float[] W, float[] B, float[] X, float[] Dy, float[] Y, float[] Dx)
{
    public static DenseBatchData Create(int inputs, int outputs, int examples)
    {
        var rng = new Random(1);
        float[] w = Subject.Uniform(rng, inputs * outputs, -0.01f, 0.01f), b = Subject.Uniform(rng, outputs, -1, 1);
        float[] x = Subject.Uniform(rng, examples * inputs, -1, 1), dy = Subject.Uniform(rng, examples * outputs, -1, 1);
        for (int i = 0; i < x.Length; i++) x[i] = Math.Max(x[i], 0); // post-ReLU: about half zero
        return new DenseBatchData(inputs, outputs, examples, w, b, x, dy, new float[examples * outputs], new float[examples * inputs]);
    }
}
