using System.Text;

namespace Relucent.References;

/// <summary>Writes the README beside the fixtures from what was written, so it cannot drift from them.</summary>
public static class Readme
{
    public static void Write(string path, IReadOnlyList<WrittenFixture> written)
    {
        var s = new StringBuilder();
        s.Append("""
# torchvision reference fixtures

Written by `tests/References/run.sh fixtures` (the libtorch reference tool in `tests/References`, libtorch 2.10
through TorchSharp-cpu 0.107.0 and TorchVision 0.107.0). Do not edit by hand: regenerate with

```sh
tests/References/run.sh fixtures            # writes this folder (and torchvision-state-dicts.json)
tests/References/run.sh mirror              # re-proves that the models below are torchvision's (see tests/References/README.md)
```

The output is deterministic for a given libtorch build (seeded generators; libtorch's float64 CPU kernels).

## What each model is

Each model has exactly torchvision's module structure and `state_dict` names (same names, same nesting, same
layer kinds), written in TorchSharp in `tests/References/Models/` because torchvision's constructors fix the
widths. Every channel count `c` is narrowed to `max(1, ⌈c / divisor⌉)` (VGG's and AlexNet's 4096 classifier
units too); expansion factors (ResNet's 4, MobileNetV2's 6) are kept. 10 classes. At divisor 1 and 1000 classes
the same code has TorchVision 0.107's state_dict names, shapes and dtypes and gives its logits and input gradient
(`run.sh mirror`).

- `{name}.safetensors`: the `state_dict` exactly as `safetensors.torch.save_file(model.state_dict())` writes it:
  names unchanged, float64 (`F64`) parameters and buffers, `num_batches_tracked` as `I64`, tensors sorted by
  dtype then name, no metadata.
- `{name}.cases.safetensors`: the references, float64, computed by libtorch in double precision, the model in
  `eval()` mode (BatchNorm uses the running statistics; Dropout is the identity).

### Weights

Drawn from a `torch.Generator` seeded with the model's seed, module by module in `named_modules()` order:
Conv2d and Linear weights `N(0, 2/fan_in)` (fan_in = in_channels/groups·k·k, or in_features), biases `N(0, 0.1²)`.

- ResNet, VGG, AlexNet: BatchNorm `running_mean ~ N(0, 0.1²)`, `running_var ~ U(0.5, 1.5)`,
  `weight (γ) ~ U(0.5, 1.5)`, `bias (β) ~ N(0, 0.1²)`; `num_batches_tracked` = 0.
- MobileNetV2, GoogLeNet (calibrated): γ and β drawn first (MobileNetV2: γ ~ U(1, 4), β ~ N(0.5, 1²), so
  some ReLU6 inputs pass 6 and the clamp's rule is exercised; GoogLeNet: γ ~ U(0.5, 1.5), β ~ N(0, 0.3²)); then
  one forward pass of a batch of 16 `N(0, 1)` images (drawn from the same generator) in train mode with
  momentum 1 sets every running_mean and running_var to that batch's statistics (unbiased variance;
  `num_batches_tracked` = 1); then every γ is multiplied by `U(0.8, 1.25)`.

### References (tensor names in the cases file)

- `input.{i}`: the input, `[3, H, W]`, `N(0, 1)` from the model's generator after the weights (and the calibration batch).
- `logits.{i}`: `[10]`, the forward pass of `input.{i}` as a batch of one.
- `saliency.{i}.target{t}`: `[3, H, W]`, the gradient of logit `t` with respect to the input (libtorch's own ReLU
  and ReLU6 backward: `1[x>0]·R`, `1[0<x<6]·R`).
- `deconvnet.{i}.target{t}`, `guidedbackprop.{i}.target{t}`: the same gradient with every ReLU (and ReLU6) of
  the model replaced by a custom autograd function (`torch.autograd.SingleTensorFunction`) in the same graph,
  whose forward is the rectifier and whose backward is the rule: DeconvNet `max(R, 0)` (ReLU6:
  `1[x<6]·max(R, 0)`), GuidedBackprop `1[x>0]·max(R, 0)` (ReLU6: `1[0<x<6]·max(R, 0)`). That includes the ReLU after
  each residual sum and the classifier's ReLUs. The same custom function with the plain rule `1[x>0]·R`
  (`1[0<x<6]·R`) reproduces `saliency` to 1e-13 of its largest magnitude (checked when writing).
- `activation.{i}.{layer}`: `[C, h, w]`, the output A of the named module (torchvision's module name: a
  ResNet `layerN` is the last block's output after its ReLU, `layer2.0` a block's output; `features.N` is
  that Sequential index's output; an Inception block's output is its concatenation).
- `gradient.{i}.target{t}.{layer}`: `[C, h, w]`, `∂ logit_t / ∂A` by `torch.autograd.grad` (plain gradient,
  libtorch's own ReLU): what Grad-CAM needs, `Σ_k mean_ij(∂y_t/∂A_k) · A_k`.

One input per model (`i` = 0). Targets: `t` is the class of the largest logit (every map) and, where listed,
the class of the smallest logit (saliency and layer gradients only).
Every written map was checked not to be near zero (largest magnitude above 1e-6, under 90 % exact zeros).

## The fixtures

""");
        s.Append("\n| file | structure | divisor (hidden) | input | seed | BatchNorm | bytes |\n|---|---|---:|---|---:|---|---:|\n");
        long total = 0;
        foreach (var (spec, wb, cb, _, _) in written)
        {
            string bn = spec.Calibrated ? "calibrated" : "randomised";
            s.Append($"| `{spec.Name}.safetensors` | torchvision `{spec.Model}` | {spec.Divisor}{(spec.Model is "alexnet" || spec.Model.StartsWith("vgg") ? $" ({spec.HiddenDivisor})" : "")} | 3×{spec.Height}×{spec.Width} | {spec.Seed} | {bn} | {wb:N0} |\n");
            s.Append($"| `{spec.Name}.cases.safetensors` | | | | | | {cb:N0} |\n");
            total += wb + cb;
        }
        s.Append($"\nTotal: {total:N0} bytes (plus `torchvision-state-dicts.json`).\n");
        foreach (var (spec, _, _, tensors, facts) in written)
        {
            s.Append($"\n### {spec.Name}\n\nLayers: {string.Join(", ", spec.Layers.Select(l => $"`{l}`"))}. Rectifier inputs for the written input: {facts}.\n\n");
            foreach (var (name, shape) in tensors) s.Append($"- `{name}` [{string.Join(", ", shape)}]\n");
        }
        s.Append("""

## torchvision-state-dicts.json

For every full-size model of issues 14 and 19 (resnet18/34/50/101/152, vgg11/13/16/19 and their `_bn`
variants, alexnet, mobilenet_v2, googlenet with aux_logits=False, transform_input=False), each `state_dict`
entry as `[name, shape, dtype]` in PyTorch's `state_dict` order (each module's parameters, then its buffers,
then its children), from TorchVision 0.107's own constructors with 1000 classes. A declaration of the full model
must list exactly these parameters (`num_batches_tracked` is the `I64` entry a loader may ignore).
""");
        File.WriteAllText(path, s.ToString());
    }
}
