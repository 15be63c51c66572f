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
