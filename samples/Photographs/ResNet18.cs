using Relucent;

namespace Relucent.Samples.Photographs;

[Saliency, DeconvNet, GuidedBackprop]
public partial class ResNet18
{
    static readonly Network Spec = Net.Input(3, 224, 224)
        .Conv2D(64, kernel: 7, stride: 2, padding: new Padding(top: 3, left: 3, bottom: 2, right: 2), bias: false).BatchNorm().ReLU().MaxPool(3, stride: 2, padding: new Padding(top: 1, left: 1, bottom: 0, right: 0))
        .Residual(b => b
            .Conv2D(64, kernel: 3, padding: 1, bias: false).BatchNorm().ReLU()
            .Conv2D(64, kernel: 3, padding: 1, bias: false).BatchNorm())
        .ReLU()
        .Residual(b => b
            .Conv2D(64, kernel: 3, padding: 1, bias: false).BatchNorm().ReLU()
            .Conv2D(64, kernel: 3, padding: 1, bias: false).BatchNorm())
        .ReLU()
        .Residual(b => b
            .Conv2D(128, kernel: 3, stride: 2, padding: new Padding(top: 1, left: 1, bottom: 0, right: 0), bias: false).BatchNorm().ReLU()
            .Conv2D(128, kernel: 3, padding: 1, bias: false).BatchNorm(), shortcut: b => b
            .Conv2D(128, kernel: 1, stride: 2, bias: false).BatchNorm())
        .ReLU()
        .Residual(b => b
            .Conv2D(128, kernel: 3, padding: 1, bias: false).BatchNorm().ReLU()
            .Conv2D(128, kernel: 3, padding: 1, bias: false).BatchNorm())
        .ReLU()
        .Residual(b => b
            .Conv2D(256, kernel: 3, stride: 2, padding: new Padding(top: 1, left: 1, bottom: 0, right: 0), bias: false).BatchNorm().ReLU()
            .Conv2D(256, kernel: 3, padding: 1, bias: false).BatchNorm(), shortcut: b => b
            .Conv2D(256, kernel: 1, stride: 2, bias: false).BatchNorm())
        .ReLU()
        .Residual(b => b
            .Conv2D(256, kernel: 3, padding: 1, bias: false).BatchNorm().ReLU()
            .Conv2D(256, kernel: 3, padding: 1, bias: false).BatchNorm())
        .ReLU()
        .Residual(b => b
            .Conv2D(512, kernel: 3, stride: 2, padding: new Padding(top: 1, left: 1, bottom: 0, right: 0), bias: false).BatchNorm().ReLU()
            .Conv2D(512, kernel: 3, padding: 1, bias: false).BatchNorm(), shortcut: b => b
            .Conv2D(512, kernel: 1, stride: 2, bias: false).BatchNorm())
        .ReLU()
        .Residual(b => b
            .Conv2D(512, kernel: 3, padding: 1, bias: false).BatchNorm().ReLU()
            .Conv2D(512, kernel: 3, padding: 1, bias: false).BatchNorm())
        .ReLU()
        .Residual(b => b
            .Conv2D(512, kernel: 3, padding: 1, bias: false).BatchNorm().ReLU()
            .Conv2D(512, kernel: 3, padding: 1, bias: false).BatchNorm())
        .ReLU().AvgPool(7, stride: 1);
}
