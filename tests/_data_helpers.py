"""Dataset files the data tests write in the real formats (tests/test_data_*.py).

Written from the format's definition (big-endian header, raw bytes), not with cnnviz code.
"""

from __future__ import annotations

import gzip
import struct

import numpy as np

FASHION_NAMES = {
    "x_train": "train-images-idx3-ubyte.gz",
    "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
    "y_test": "t10k-labels-idx1-ubyte.gz",
}


def idx_bytes(array: np.ndarray) -> bytes:
    magic = {1: 2049, 3: 2051}[array.ndim]
    header = struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_gz(path, payload: bytes):
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wb") as fh:
        fh.write(payload)
    return path


def make_images(n, offset=0):
    """n distinct 28x28 uint8 images: image i has value (i + offset) % 256 at pixel i % 784."""
    x = np.zeros((n, 28, 28), np.uint8)
    for i in range(n):
        x[i].flat[i % 784] = (i + offset) % 256
        x[i, 0, 0] = offset
    return x


def write_fashion(folder, n_train=6, n_test=4, offset=1):
    sub = folder / "fashion-mnist"
    arrays = {
        "x_train": make_images(n_train, offset),
        "y_train": np.arange(n_train) % 10,
        "x_test": make_images(n_test, offset + 50),
        "y_test": (np.arange(n_test) + 3) % 10,
    }
    for key, arr in arrays.items():
        write_gz(sub / FASHION_NAMES[key], idx_bytes(arr))
    return arrays


def write_mnist_npz(folder, offset, n_train=20, n_test=10):
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {
        "x_train": make_images(n_train, offset),
        "y_train": (np.arange(n_train) % 10).astype(np.uint8),
        "x_test": make_images(n_test, offset + 100),
        "y_test": (np.arange(n_test) % 10).astype(np.uint8),
    }
    np.savez_compressed(folder / "mnist.npz", **arrays)
    return arrays
