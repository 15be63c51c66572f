"""Builds a small network with PyTorch quantization-aware training (eager mode, FakeQuantize
modules: u8 per-tensor activations, s8 per-channel symmetric weights in [-128, 127]),
trains it for a few steps on random data, exports it with torch.onnx at opset 13, and saves
the fake-quant PyTorch outputs of a few inputs as references.

Runs with Debian's python3 and python3-torch 1.13 (not the project's venv):

    /usr/bin/python3 test/E2E/qat/export_qat.py OUT_DIR

writes OUT_DIR/qat.onnx, OUT_DIR/input_K.npy and OUT_DIR/output_K.npy.
"""
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
from torch.ao.quantization import (DeQuantStub, FakeQuantize, MovingAverageMinMaxObserver,
                                   MovingAveragePerChannelMinMaxObserver, QConfig, QuantStub,
                                   disable_observer, fuse_modules_qat, prepare_qat)


class Net(nn.Module):
    """Conv-BN-ReLU, Conv-BN (both fused for QAT, so BatchNorm stays in the export after a
    Div), global average pool, fully connected."""

    def __init__(self):
        super().__init__()
        self.quant, self.dequant = QuantStub(), DeQuantStub()
        self.conv1, self.bn1, self.relu1 = nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU()
        self.conv2, self.bn2 = nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.BatchNorm2d(16)
        self.pool, self.fc = nn.AdaptiveAvgPool2d(1), nn.Linear(16, 10)

    def forward(self, x):
        x = self.relu1(self.bn1(self.conv1(self.quant(x))))
        x = self.pool(self.bn2(self.conv2(x)))
        return self.dequant(self.fc(torch.flatten(x, 1)))


def main(out: Path):
    torch.manual_seed(0)
    out.mkdir(parents=True, exist_ok=True)
    model = Net().train()
    activation = FakeQuantize.with_args(observer=MovingAverageMinMaxObserver, quant_min=0,
                                        quant_max=255, dtype=torch.quint8,
                                        qscheme=torch.per_tensor_affine)
    weight = FakeQuantize.with_args(observer=MovingAveragePerChannelMinMaxObserver,
                                    quant_min=-128, quant_max=127, dtype=torch.qint8,
                                    qscheme=torch.per_channel_symmetric)
    model.qconfig = QConfig(activation=activation, weight=weight)
    model = prepare_qat(fuse_modules_qat(model, [["conv1", "bn1", "relu1"], ["conv2", "bn2"]]))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    for _ in range(30):
        x = torch.randn(8, 3, 16, 16)
        loss = (model(x) - torch.arange(10.0) / 10).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    model.apply(disable_observer)
    model.apply(torch.nn.intrinsic.qat.freeze_bn_stats)
    example = torch.randn(1, 3, 16, 16)
    torch.onnx.export(model, example, str(out / "qat.onnx"), opset_version=13,
                      input_names=["input"], output_names=["logits"])
    gen = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for k in range(4):
            x = torch.randn(1, 3, 16, 16, generator=gen)
            np.save(out / f"input_{k}.npy", x.numpy())
            np.save(out / f"output_{k}.npy", model(x).numpy())
    print(f"exported {out / 'qat.onnx'}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
