using Relucent;

namespace Relucent.Samples.Photographs;

[Saliency, DeconvNet, GuidedBackprop, EpsilonPlusFlat]
public partial class ResNet18
{
    static readonly Network Spec = Net.Input(3, 224, 224)
        .Conv2D(64, kernel: 7, stride: 2, padding: new Padding(top: 3, left: 3, bottom: 2, right: 2), bias: false).BatchNorm().ReLU(name: "ReLU253").MaxPool(3, stride: 2, padding: new Padding(top: 1, left: 1, bottom: 0, right: 0), name: "Pooling255")
        .Residual(b => b
            .Conv2D(64, kernel: 3, padding: 1, bias: false).BatchNorm().ReLU()
            .Conv2D(64, kernel: 3, padding: 1, bias: false).BatchNorm())
        .ReLU(name: "ReLU269")
        .Residual(b => b
            .Conv2D(64, kernel: 3, padding: 1, bias: false).BatchNorm().ReLU()
            .Conv2D(64, kernel: 3, padding: 1, bias: false).BatchNorm())
        .ReLU(name: "ReLU283")
        .Residual(b => b
            .Conv2D(128, kernel: 3, stride: 2, padding: new Padding(top: 1, left: 1, bottom: 0, right: 0), bias: false).BatchNorm().ReLU()
            .Conv2D(128, kernel: 3, padding: 1, bias: false).BatchNorm(), shortcut: b => b
            .Conv2D(128, kernel: 1, stride: 2, bias: false).BatchNorm())
        .ReLU(name: "ReLU301")
        .Residual(b => b
            .Conv2D(128, kernel: 3, padding: 1, bias: false).BatchNorm().ReLU()
            .Conv2D(128, kernel: 3, padding: 1, bias: false).BatchNorm())
        .ReLU(name: "ReLU315")
        .Residual(b => b
            .Conv2D(256, kernel: 3, stride: 2, padding: new Padding(top: 1, left: 1, bottom: 0, right: 0), bias: false).BatchNorm().ReLU()
            .Conv2D(256, kernel: 3, padding: 1, bias: false).BatchNorm(), shortcut: b => b
            .Conv2D(256, kernel: 1, stride: 2, bias: false).BatchNorm())
        .ReLU(name: "ReLU333")
        .Residual(b => b
            .Conv2D(256, kernel: 3, padding: 1, bias: false).BatchNorm().ReLU()
            .Conv2D(256, kernel: 3, padding: 1, bias: false).BatchNorm())
        .ReLU(name: "ReLU347")
        .Residual(b => b
            .Conv2D(512, kernel: 3, stride: 2, padding: new Padding(top: 1, left: 1, bottom: 0, right: 0), bias: false).BatchNorm().ReLU()
            .Conv2D(512, kernel: 3, padding: 1, bias: false).BatchNorm(), shortcut: b => b
            .Conv2D(512, kernel: 1, stride: 2, bias: false).BatchNorm())
        .ReLU(name: "ReLU365")
        .Residual(b => b
            .Conv2D(512, kernel: 3, padding: 1, bias: false).BatchNorm().ReLU()
            .Conv2D(512, kernel: 3, padding: 1, bias: false).BatchNorm())
        .ReLU(name: "ReLU379")
        .Residual(b => b
            .Conv2D(512, kernel: 3, padding: 1, bias: false).BatchNorm().ReLU()
            .Conv2D(512, kernel: 3, padding: 1, bias: false).BatchNorm())
        .ReLU(name: "ReLU393").AvgPool(7, stride: 1, name: "Pooling395");
}
