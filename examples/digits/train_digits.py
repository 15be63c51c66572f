#!/usr/bin/env python3
"""Trains a small CNN on scikit-learn's bundled digits (8x8 images, 10 classes) in NumPy
and writes it as a float ONNX model, with a calibration set and the test split:

    .venv/bin/python examples/digits/train_digits.py [--out examples/digits]

writes digits_cnn.onnx (float32, opset 17), digits_calib.npz (200 training images, the
array named after the model's input "image": 200x1x1x8x8) and digits_test.npz (the test
split: "image" 360x1x1x8x8 and "label" 360). Deterministic (seeded); about 20 s.

The data: sklearn.datasets.load_digits (UCI optical digits, bundled with scikit-learn, BSD
license), split 80/20 with train_test_split(random_state=0, stratify=labels).
"""
import argparse
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def im2col(x, k, stride, pad):
    n, c, h, w = x.shape
    oh = (h + 2 * pad - k) // stride + 1
    ow = (w + 2 * pad - k) // stride + 1
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    cols = np.empty((n, c, k, k, oh, ow), x.dtype)
    for i in range(k):
        for j in range(k):
            cols[:, :, i, j] = xp[:, :, i:i + stride * oh:stride, j:j + stride * ow:stride]
    return cols.reshape(n, c * k * k, oh * ow), oh, ow


def col2im(cols, shape, k, stride, pad, oh, ow):
    n, c, h, w = shape
    cols = cols.reshape(n, c, k, k, oh, ow)
    xp = np.zeros((n, c, h + 2 * pad, w + 2 * pad), cols.dtype)
    for i in range(k):
        for j in range(k):
            xp[:, :, i:i + stride * oh:stride, j:j + stride * ow:stride] += cols[:, :, i, j]
    return xp[:, :, pad:pad + h, pad:pad + w]


class Conv:
    def __init__(self, rng, cin, cout, k, stride, pad):
        self.k, self.stride, self.pad = k, stride, pad
        self.w = (rng.standard_normal((cout, cin, k, k)) * np.sqrt(2.0 / (cin * k * k))).astype(np.float32)
        self.b = np.zeros(cout, np.float32)

    def forward(self, x):
        self.shape = x.shape
        self.cols, self.oh, self.ow = im2col(x, self.k, self.stride, self.pad)
        w = self.w.reshape(self.w.shape[0], -1)
        y = np.einsum("fk,nkp->nfp", w, self.cols) + self.b[None, :, None]
        return y.reshape(x.shape[0], -1, self.oh, self.ow)

    def backward(self, dy):
        n = dy.shape[0]
        dy = dy.reshape(n, dy.shape[1], -1)
        self.dw = np.einsum("nfp,nkp->fk", dy, self.cols).reshape(self.w.shape)
        self.db = dy.sum(axis=(0, 2))
        dcols = np.einsum("fk,nfp->nkp", self.w.reshape(self.w.shape[0], -1), dy)
        return col2im(dcols, self.shape, self.k, self.stride, self.pad, self.oh, self.ow)

    def params(self):
        return [(self.w, "dw"), (self.b, "db")]


class Dense:
    def __init__(self, rng, cin, cout):
        self.w = (rng.standard_normal((cout, cin)) * np.sqrt(2.0 / cin)).astype(np.float32)
        self.b = np.zeros(cout, np.float32)

    def forward(self, x):
        self.x = x
        return x @ self.w.T + self.b

    def backward(self, dy):
        self.dw = dy.T @ self.x
        self.db = dy.sum(axis=0)
        return dy @ self.w

    def params(self):
        return [(self.w, "dw"), (self.b, "db")]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--epochs", type=int, default=40)
    args = ap.parse_args()

    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x = (digits.images.astype(np.float32) / 16.0)[:, None]  # N x 1 x 8 x 8 in [0, 1]
    y = digits.target.astype(np.int64)
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.2, random_state=0, stratify=y)

    rng = np.random.default_rng(0)
    conv1 = Conv(rng, 1, 16, 3, 1, 1)    # 16 x 8 x 8
    conv2 = Conv(rng, 16, 32, 3, 2, 1)   # 32 x 4 x 4
    fc1 = Dense(rng, 512, 64)
    fc2 = Dense(rng, 64, 10)
    layers = [conv1, conv2, fc1, fc2]

    def forward(xb):
        a1 = np.maximum(conv1.forward(xb), 0)
        a2 = np.maximum(conv2.forward(a1), 0)
        f = a2.reshape(len(xb), -1)
        h = np.maximum(fc1.forward(f), 0)
        return fc2.forward(h), (a1, a2, h)

    # Adam.
    lr, b1, b2, eps, t = 2e-3, 0.9, 0.999, 1e-8, 0
    state = {id(p): (np.zeros_like(p), np.zeros_like(p)) for l in layers for p, _ in l.params()}
    for epoch in range(args.epochs):
        order = rng.permutation(len(xtr))
        for s in range(0, len(order), 32):
            idx = order[s:s + 32]
            xb, yb = xtr[idx], ytr[idx]
            logits, (a1, a2, h) = forward(xb)
            p = np.exp(logits - logits.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            d = p.copy()
            d[np.arange(len(yb)), yb] -= 1
            d /= len(yb)
            dh = fc2.backward(d) * (h > 0)
            df = fc1.backward(dh).reshape(a2.shape) * (a2 > 0)
            da1 = conv2.backward(df) * (a1 > 0)
            conv1.backward(da1)
            t += 1
            for l in layers:
                for param, gname in l.params():
                    g = getattr(l, gname) + 1e-4 * param * (gname == "dw")
                    m, v = state[id(param)]
                    m *= b1
                    m += (1 - b1) * g
                    v *= b2
                    v += (1 - b2) * g * g
                    param -= (lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)).astype(np.float32)
        if epoch == args.epochs // 2:
            lr /= 4
    acc = (forward(xte)[0].argmax(axis=1) == yte).mean()
    print(f"test accuracy (NumPy float): {acc * 100:.2f} % on {len(yte)} images")

    init = [numpy_helper.from_array(a.astype(np.float32), n) for a, n in [
        (conv1.w, "conv1.w"), (conv1.b, "conv1.b"), (conv2.w, "conv2.w"), (conv2.b, "conv2.b"),
        (fc1.w, "fc1.w"), (fc1.b, "fc1.b"), (fc2.w, "fc2.w"), (fc2.b, "fc2.b")]]
    init.append(numpy_helper.from_array(np.array([1, 512], np.int64), "flat_shape"))
    nodes = [
        helper.make_node("Conv", ["image", "conv1.w", "conv1.b"], ["c1"], name="conv1",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
        helper.make_node("Conv", ["r1", "conv2.w", "conv2.b"], ["c2"], name="conv2",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[2, 2]),
        helper.make_node("Relu", ["c2"], ["r2"], name="relu2"),
        helper.make_node("Reshape", ["r2", "flat_shape"], ["f"], name="flatten"),
        helper.make_node("Gemm", ["f", "fc1.w", "fc1.b"], ["g1"], name="fc1", transB=1),
        helper.make_node("Relu", ["g1"], ["r3"], name="relu3"),
        helper.make_node("Gemm", ["r3", "fc2.w", "fc2.b"], ["logits"], name="fc2", transB=1),
    ]
    graph = helper.make_graph(
        nodes, "digits_cnn",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 1, 8, 8])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 10])], init)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="qcc examples/digits/train_digits.py")
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    os.makedirs(args.out, exist_ok=True)
    onnx.save(model, os.path.join(args.out, "digits_cnn.onnx"))
    calib = xtr[rng.permutation(len(xtr))[:200]]
    np.savez(os.path.join(args.out, "digits_calib.npz"), image=calib[:, None].astype(np.float32))
    np.savez(os.path.join(args.out, "digits_test.npz"), image=xte[:, None].astype(np.float32),
             label=yte)
    print("wrote", ", ".join(os.path.join(args.out, f) for f in
                             ["digits_cnn.onnx", "digits_calib.npz", "digits_test.npz"]))


if __name__ == "__main__":
    main()
