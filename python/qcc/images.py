"""Reading 24-bit BMP files and writing PNG files with numpy and zlib only (no imaging
library in the environment): what the examples and their tests need."""
from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np


def read_bmp(path) -> np.ndarray:
    """A 24-bit uncompressed BMP as an H x W x 3 RGB uint8 array, top row first."""
    d = Path(path).read_bytes()
    if d[:2] != b"BM" or int.from_bytes(d[28:30], "little") != 24 or \
            int.from_bytes(d[30:34], "little") != 0:
        raise ValueError(f"{path}: not a 24-bit uncompressed BMP")
    off = int.from_bytes(d[10:14], "little")
    w = int.from_bytes(d[18:22], "little", signed=True)
    h = int.from_bytes(d[22:26], "little", signed=True)
    stride = (w * 3 + 3) & ~3
    rows = np.frombuffer(d[off:off + stride * abs(h)], np.uint8).reshape(abs(h), stride)
    rgb = rows[:, :w * 3].reshape(abs(h), w, 3)[:, :, ::-1]
    return np.ascontiguousarray(rgb[::-1] if h > 0 else rgb)


def write_png(path, rgb: np.ndarray) -> Path:
    """An H x W x 3 uint8 array as an 8-bit RGB PNG."""
    rgb = np.ascontiguousarray(rgb, np.uint8)
    h, w, _ = rgb.shape
    raw = b"".join(b"\0" + rgb[y].tobytes() for y in range(h))

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    path = Path(path)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" +
                     chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
                     chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
    return path


def augmented_crops(paths, count: int, size: int = 224, seed: int = 0) -> np.ndarray:
    """`count` size x size x 3 uint8 views of the images at `paths`: random crops (50-100 %
    of the shorter side, anywhere), horizontal flips and brightness/contrast changes
    (x0.7-1.3, +-20), resized by nearest neighbour; deterministic for a seed. Calibration
    and evaluation sets for post-training quantization from the few images a repository
    carries (bench/quantization.py, test/E2E/test_quantize.py)."""
    rng = np.random.default_rng(seed)
    imgs = [read_bmp(p) for p in paths]
    out = np.empty((count, size, size, 3), np.uint8)
    for k in range(count):
        img = imgs[k % len(imgs)]
        h, w, _ = img.shape
        side = int(min(h, w) * rng.uniform(0.5, 1.0))
        y0, x0 = rng.integers(0, h - side + 1), rng.integers(0, w - side + 1)
        idx = (np.arange(size) * side // size)
        crop = img[y0 + idx][:, x0 + idx].astype(np.float32)
        if rng.random() < 0.5:
            crop = crop[:, ::-1]
        crop = crop * rng.uniform(0.7, 1.3) + rng.uniform(-20, 20)
        out[k] = np.clip(np.rint(crop), 0, 255).astype(np.uint8)
    return out
