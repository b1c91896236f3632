namespace Relucent.Cluster.Tests
{
    /// <summary>A LeNet-sized network, so a whole job takes milliseconds of compute and the tests measure the cluster, not the kernels.</summary>
    [Saliency, DeconvNet, GuidedBackprop]
    public partial class TinyNet
    {
        static readonly Network Spec = Net.Input(channels: 1, height: 12, width: 12)
            .Conv2D(4, kernel: 3, padding: 1).ReLU().MaxPool(2)
            .Conv2D(8, kernel: 3).ReLU().MaxPool(2)
            .Flatten()
            .Dense(16).ReLU()
            .Dense(5);
    }
}
