"""cnnviz.data.files: the file readers, on files written here in the real formats."""

from __future__ import annotations

import struct

import numpy as np
import pytest
from _data_helpers import (
    FASHION_NAMES,
    idx_bytes,
    make_images,
    write_fashion,
    write_gz,
    write_mnist_npz,
)

from cnnviz.data import (
    DatasetFileError,
    DatasetUnavailable,
    read_fashion_mnist_dir,
    read_idx,
    read_mnist_npz,
)

# ----------------------------------------------------------------------------- read_idx


@pytest.mark.parametrize("compressed", [True, False])
def test_read_idx_images_and_labels(tmp_path, compressed):
    images = np.arange(2 * 28 * 28, dtype=np.int64).reshape(2, 28, 28) % 256
    labels = np.array([9, 0, 4])
    name = "imgs.gz" if compressed else "imgs"
    if compressed:
        img_path = write_gz(tmp_path / name, idx_bytes(images))
        lab_path = write_gz(tmp_path / "labs.gz", idx_bytes(labels))
    else:
        img_path = tmp_path / name
        img_path.write_bytes(idx_bytes(images))
        lab_path = tmp_path / "labs"
        lab_path.write_bytes(idx_bytes(labels))
    got = read_idx(img_path, kind="images")
    assert got.dtype == np.uint8 and got.shape == (2, 28, 28)
    np.testing.assert_array_equal(got, images)
    np.testing.assert_array_equal(read_idx(lab_path, kind="labels"), [9, 0, 4])
    np.testing.assert_array_equal(read_idx(lab_path), [9, 0, 4])


def test_read_idx_header_is_big_endian(tmp_path):
    # 300 labels: a little-endian reader would see 739,573,760 and fail.
    labels = np.arange(300) % 10
    path = write_gz(tmp_path / "l.gz", struct.pack(">II", 2049, 300) + bytes(labels.tolist()))
    assert read_idx(path).shape == (300,)


def test_read_idx_truncated_gzip(tmp_path):
    path = write_gz(tmp_path / "train-images-idx3-ubyte.gz", idx_bytes(make_images(50)))
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(DatasetFileError, match=r"train-images-idx3-ubyte\.gz is truncated.*Delete"):
        read_idx(path)


def test_read_idx_gzip_crc_error(tmp_path):
    path = write_gz(tmp_path / "x.gz", idx_bytes(make_images(3)))
    raw = bytearray(path.read_bytes())
    raw[-8] ^= 0xFF  # the CRC32 of the uncompressed data sits in the last 8 bytes
    path.write_bytes(bytes(raw))
    with pytest.raises(DatasetFileError, match=r"x\.gz is corrupted.*CRC.*Delete"):
        read_idx(path)


def test_read_idx_not_gzip_at_all(tmp_path):
    path = tmp_path / "x.gz"
    path.write_bytes(b"<html>404 Not Found</html>")
    with pytest.raises(DatasetFileError, match=r"x\.gz is corrupted: it is not a valid gzip"):
        read_idx(path)


def test_read_idx_wrong_magic(tmp_path):
    labels = write_gz(tmp_path / "labels.gz", idx_bytes(np.array([1, 2])))
    with pytest.raises(DatasetFileError, match=r"wrong magic number 2049.*2051 for images"):
        read_idx(labels, kind="images")
    garbage = write_gz(tmp_path / "g.gz", struct.pack(">II", 0x1F8B0801, 2) + b"\x01\x02")
    with pytest.raises(DatasetFileError, match=r"wrong magic number.*right file"):
        read_idx(garbage)
    floats = write_gz(tmp_path / "f.gz", struct.pack(">II", 0x00000D01, 1) + bytes(4))
    with pytest.raises(DatasetFileError, match=r"wrong magic number 3329"):
        read_idx(floats)


def test_read_idx_short_and_long_payload(tmp_path):
    short = write_gz(tmp_path / "s.gz", idx_bytes(make_images(2))[:-100])
    with pytest.raises(
        DatasetFileError, match=r"truncated: its header promises 1,568 bytes.*1,468"
    ):
        read_idx(short)
    long = write_gz(tmp_path / "l.gz", idx_bytes(np.array([1, 2])) + b"\x00")
    with pytest.raises(DatasetFileError, match=r"promises 2 bytes .* but 3 follow"):
        read_idx(long)
    header = write_gz(tmp_path / "h.gz", struct.pack(">I", 2051) + b"\x00\x00")
    with pytest.raises(DatasetFileError, match=r"truncated inside its header"):
        read_idx(header)
    tiny = write_gz(tmp_path / "t.gz", b"\x00")
    with pytest.raises(DatasetFileError, match=r"too short to be an idx file"):
        read_idx(tiny)


def test_read_idx_bad_arguments(tmp_path):
    with pytest.raises(TypeError, match=r"`path` must be a file path"):
        read_idx(42)
    with pytest.raises(FileNotFoundError, match=r"missing\.gz. does not exist"):
        read_idx(tmp_path / "missing.gz")
    path = write_gz(tmp_path / "l.gz", idx_bytes(np.array([1])))
    with pytest.raises(ValueError, match=r"`kind` must be one of 'images', 'labels'"):
        read_idx(path, kind="pixels")


def test_errors_are_value_and_runtime_errors():
    assert issubclass(DatasetFileError, ValueError)
    assert issubclass(DatasetUnavailable, RuntimeError)


# ----------------------------------------------------------------------------- npz and folders


def test_read_mnist_npz_roundtrip(tmp_path):
    arrays = write_mnist_npz(tmp_path, offset=5)
    x_train, y_train, x_test, y_test = read_mnist_npz(tmp_path / "mnist.npz")
    np.testing.assert_array_equal(x_train, arrays["x_train"])
    np.testing.assert_array_equal(y_test, arrays["y_test"])
    assert x_train.dtype == np.uint8 and y_train.dtype == np.int64


def test_read_mnist_npz_truncated(tmp_path):
    write_mnist_npz(tmp_path, offset=5, n_train=300)
    path = tmp_path / "mnist.npz"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(DatasetFileError, match=r"mnist\.npz is not a readable \.npz.*Delete"):
        read_mnist_npz(path)


def test_read_mnist_npz_corrupted_member(tmp_path):
    write_mnist_npz(tmp_path, offset=5, n_train=300)
    path = tmp_path / "mnist.npz"
    raw = bytearray(path.read_bytes())
    for i in range(200, 400):  # inside the first member's compressed data
        raw[i] ^= 0x5A
    path.write_bytes(bytes(raw))
    with pytest.raises(DatasetFileError, match=r"truncated or corrupted"):
        read_mnist_npz(path)


def test_read_mnist_npz_wrong_content(tmp_path):
    x = np.zeros((3, 28, 28), np.uint8)
    np.savez(tmp_path / "a.npz", x_train=x, y_train=[1, 2, 3], x_test=x)
    with pytest.raises(DatasetFileError, match=r"lacks the key\(s\) y_test"):
        read_mnist_npz(tmp_path / "a.npz")
    np.savez(tmp_path / "b.npz", x_train=x, y_train=[1, 2], x_test=x, y_test=[1, 2, 3])
    with pytest.raises(DatasetFileError, match=r"x_train has 3 images but y_train has 2 labels"):
        read_mnist_npz(tmp_path / "b.npz")
    np.savez(tmp_path / "c.npz", x_train=x.astype(float), y_train=[1] * 3, x_test=x, y_test=[0] * 3)
    with pytest.raises(
        DatasetFileError, match=r"x_train must be uint8 images of shape \(N, 28, 28\)"
    ):
        read_mnist_npz(tmp_path / "c.npz")
    np.savez(tmp_path / "d.npz", x_train=x, y_train=[1, 12, 3], x_test=x, y_test=[0] * 3)
    with pytest.raises(
        DatasetFileError, match=r"y_train must be class numbers 0\.\.9; found 1\.\.12"
    ):
        read_mnist_npz(tmp_path / "d.npz")


def test_read_fashion_mnist_dir(tmp_path):
    arrays = write_fashion(tmp_path)
    got = read_fashion_mnist_dir(tmp_path / "fashion-mnist")
    for key, value in zip(FASHION_NAMES, got, strict=True):
        np.testing.assert_array_equal(value, arrays[key])


def test_read_fashion_mnist_dir_mismatch_and_missing(tmp_path):
    write_fashion(tmp_path, n_train=6)
    sub = tmp_path / "fashion-mnist"
    write_gz(sub / FASHION_NAMES["y_train"], idx_bytes(np.arange(5) % 10))
    with pytest.raises(
        DatasetFileError,
        match=r"train-images-idx3-ubyte\.gz has 6 images but train-labels-idx1-ubyte\.gz has 5",
    ):
        read_fashion_mnist_dir(sub)
    (sub / FASHION_NAMES["x_test"]).unlink()
    with pytest.raises(FileNotFoundError, match=r"lacks t10k-images-idx3-ubyte\.gz"):
        read_fashion_mnist_dir(sub)
    with pytest.raises(TypeError, match=r"`folder` must be a folder path"):
        read_fashion_mnist_dir(None)
