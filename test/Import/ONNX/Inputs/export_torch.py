"""Exports a small PyTorch model to ONNX with random weights.

export_torch.py MODEL OUTDIR

Writes OUTDIR/MODEL.onnx, OUTDIR/MODEL.input.npy (a random input) and
OUTDIR/MODEL.expected.npy (PyTorch's own output for it). Models: mlp, cnn,
resblock, lstm, gelu, and torchvision's resnet18, resnet50, alexnet, vgg16,
squeezenet (1.1), mobilenet_v2 and googlenet (weights=None; sizes and the
changes made for exportability below), and vgg16_full / alexnet_full (the
unmodified torchvision models at 224x224). No downloads; fixed seeds.
"""

import os
import sys
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

warnings.filterwarnings("ignore")
torch.manual_seed(0)


class MLP(nn.Module):
    """Gemm (nn.Linear), MatMul + Add with a parameter, Relu, Softmax."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(12, 16)
        self.w2 = nn.Parameter(torch.randn(16, 8) * 0.3)
        self.b2 = nn.Parameter(torch.randn(8) * 0.1)
        self.fc3 = nn.Linear(8, 5)

    def forward(self, x):
        x = torch.relu(self.fc1(x))
        x = torch.sigmoid(torch.matmul(x, self.w2) + self.b2)
        return torch.softmax(self.fc3(x), dim=1)


class CNN(nn.Module):
    """Conv, grouped and depthwise conv, max (ceil_mode) and average
    pooling, batch norm after a ReLU, global average pooling, flatten."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.group = nn.Conv2d(8, 8, 3, padding=1, groups=2, bias=False)
        self.bn = nn.BatchNorm2d(8)
        self.dw = nn.Conv2d(8, 8, 3, stride=2, padding=1, groups=8)
        self.pw = nn.Conv2d(8, 16, 1)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = F.max_pool2d(torch.relu(self.conv1(x)), 2, stride=2,
                         ceil_mode=True)                  # 15 -> 8
        x = self.bn(torch.relu(self.group(x)))
        x = torch.tanh(self.dw(x))                        # 8 -> 4
        x = F.avg_pool2d(self.pw(x), 2, stride=1, padding=1)  # 4 -> 5
        x = F.adaptive_avg_pool2d(x, 1)
        return self.fc(torch.flatten(x, 1))


class ResBlock(nn.Module):
    """A ResNet basic block with a strided 1x1 downsample branch."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(4, 8, 3, stride=2, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(8)
        self.down = nn.Conv2d(4, 8, 1, stride=2, bias=False)
        self.bn3 = nn.BatchNorm2d(8)

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        y = torch.relu(y + self.bn3(self.down(x)))
        return y.view(y.size(0), -1)


class LSTMNet(nn.Module):
    """nn.LSTM (zero initial state), reshape, classifier."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(8, 16)
        self.fc = nn.Linear(6 * 16, 4)

    def forward(self, x):
        y, _ = self.lstm(x)               # [6, 1, 16]
        return self.fc(y.reshape(1, -1))


def build(name):
    if name == "mlp":
        return MLP(), torch.randn(2, 12)
    if name == "cnn":
        return CNN(), torch.randn(1, 3, 15, 15)
    if name == "resblock":
        return ResBlock(), torch.randn(1, 4, 8, 8)
    if name == "lstm":
        return LSTMNet(), torch.randn(6, 1, 8)
    if name == "resnet18":
        import torchvision
        return torchvision.models.resnet18(weights=None), \
            torch.randn(1, 3, 32, 32)
    if name in TORCHVISION:
        return TORCHVISION[name]()
    raise SystemExit("unknown model " + name)


def narrow_classifier(model, features, hidden):
    """Replaces torchvision's 4096-wide classifier of AlexNet/VGG by the same
    layer sequence (Dropout, Linear, ReLU, Dropout, Linear, ReLU, Linear)
    `hidden` wide: the originals (9216x4096 and 25088x4096) alone are 150
    and 400 MB of random weights."""
    model.classifier = nn.Sequential(
        nn.Dropout(), nn.Linear(features, hidden), nn.ReLU(inplace=True),
        nn.Dropout(), nn.Linear(hidden, hidden), nn.ReLU(inplace=True),
        nn.Linear(hidden, 10))
    return model


def alexnet():
    # torchvision's AlexNet. PyTorch 1.13 exports AdaptiveAvgPool2d((6, 6))
    # only when 6 divides the feature map, so the input is 224x224 (the
    # pool is then 1x1); the classifier is narrowed.
    import torchvision
    model = torchvision.models.alexnet(weights=None)
    return narrow_classifier(model, 256 * 6 * 6, 256), \
        torch.randn(1, 3, 224, 224)


def vgg16():
    # torchvision's VGG-16 feature stack (13 convolutions, 5 max pools) at
    # 32x32. AdaptiveAvgPool2d((7, 7)) of its 1x1 feature map does not
    # export (it needs 224x224, 15 GFLOPs), so the pool averages to 1x1 and
    # the classifier is narrowed.
    import torchvision
    model = torchvision.models.vgg16(weights=None)
    model.avgpool = nn.AdaptiveAvgPool2d((1, 1))
    return narrow_classifier(model, 512, 256), torch.randn(1, 3, 32, 32)


def full(name):
    # torchvision's model exactly as published (classifier of 4096 units,
    # 224x224 input): VGG-16 has 138 M and AlexNet 61 M parameters. Too big
    # for the test suite; bench/onnx_full_models.sh runs them.
    import torchvision
    return getattr(torchvision.models, name)(weights=None), \
        torch.randn(1, 3, 224, 224)


def squeezenet():
    import torchvision
    return torchvision.models.squeezenet1_1(weights=None), \
        torch.randn(1, 3, 64, 64)


def mobilenet_v2():
    # Depthwise convolutions and ReLU6 (exported as Clip), a quarter wide.
    import torchvision
    return torchvision.models.mobilenet_v2(weights=None, width_mult=0.25), \
        torch.randn(1, 3, 32, 32)


def resnet50():
    import torchvision
    return torchvision.models.resnet50(weights=None), \
        torch.randn(1, 3, 32, 32)


def googlenet():
    # Inception blocks: four branches joined by a channel Concat.
    import torchvision
    return torchvision.models.googlenet(weights=None, aux_logits=False,
                                        init_weights=True), \
        torch.randn(1, 3, 32, 32)


class GeluMLP(nn.Module):
    """nn.GELU, which PyTorch 1.13 exports as Div, Erf, Add, Mul, Mul."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(12, 32)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(32, 5)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


TORCHVISION = {
    "alexnet": alexnet,
    "vgg16": vgg16,
    "squeezenet": squeezenet,
    "mobilenet_v2": mobilenet_v2,
    "resnet50": resnet50,
    "googlenet": googlenet,
    "gelu": lambda: (GeluMLP(), torch.randn(3, 12)),
    "vgg16_full": lambda: full("vgg16"),
    "alexnet_full": lambda: full("alexnet"),
}


def randomize_bn(model):
    """Non-trivial running statistics so batch norm is not an identity."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.5, 0.5)


def main():
    name, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    model, x = build(name)
    randomize_bn(model)
    model.eval()
    with torch.no_grad():
        want = model(x)
    torch.onnx.export(model, x, os.path.join(out, name + ".onnx"),
                      opset_version=13, input_names=["input"],
                      output_names=["output"])
    np.save(os.path.join(out, name + ".input.npy"), x.numpy())
    np.save(os.path.join(out, name + ".expected.npy"), want.numpy())


if __name__ == "__main__":
    main()
