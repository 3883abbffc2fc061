"""Dataset file formats: the idx files of MNIST and Fashion-MNIST, Keras' ``mnist.npz``.

Read with NumPy and :mod:`gzip` (never TensorFlow); a truncated or corrupted file gets a
message that names it, says what is wrong and how to fix it.
"""

from __future__ import annotations

import gzip
import math
import os
import zipfile
import zlib
from pathlib import Path

import numpy as np

from cnnviz._validation import (
    MAX_ELEMENTS,
    MissingFileError,
    check_choice,
    check_file,
    describe,
    shorten,
)

__all__ = ["DatasetFileError", "read_fashion_mnist_dir", "read_idx", "read_mnist_npz"]


# Relative paths inside a data folder or Keras' datasets cache: Keras' own names.
_MNIST_FILE = "mnist.npz"


_FASHION_DIR = "fashion-mnist"


_FASHION_FILES = {
    "x_train": "train-images-idx3-ubyte.gz",
    "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
    "y_test": "t10k-labels-idx1-ubyte.gz",
}


_IDX_MAGIC = {"images": 2051, "labels": 2049}


class DatasetFileError(ValueError):
    """A dataset file is truncated, corrupted or not what its name says."""


def _fix(path=None) -> str:
    return (
        "Delete it and copy it again from the original, or run `python -m cnnviz.data "
        "--prefill DIR` where there is internet."
    )


def _label(path, name: str = "path") -> str:
    """How a message names a dataset file: the parameter, then the path (shortened)."""
    return f"`{name}` {shorten(str(path), 45, path=True)}"


def _check_path(path, name: str) -> Path:
    return check_file(path, name, fix="Check the name and folder.")


#: The most values one dataset array may claim in its header (full MNIST train: 47 million).
MAX_DATASET_VALUES = MAX_ELEMENTS


def read_idx(path, kind=None) -> np.ndarray:
    """Read an idx file, the format of the original MNIST and Fashion-MNIST files.

    An idx file is a 4-byte magic number (two zero bytes, a type code ``0x08`` for unsigned
    bytes, the number of dimensions), one big-endian 4-byte size per dimension, then the
    values. Images have magic 2051 (3 dimensions: N, rows, columns), labels 2049 (1
    dimension: N). A name ending in ``.gz`` is decompressed first, as a stream: a header
    that claims more than :data:`MAX_DATASET_VALUES` values is refused before anything
    is read (so a lying header or a gzip bomb cannot fill the memory).

    Parameters
    ----------
    path : str or pathlib.Path
        The file, gzip-compressed or not.
    kind : {"images", "labels"} or None, optional
        If given, the magic number must be that kind's.

    Returns
    -------
    ndarray of uint8, shape given by the header, e.g. (N, 28, 28) or (N,)

    Raises
    ------
    DatasetFileError
        (a ValueError) for a truncated or corrupted gzip stream, a wrong magic number, a
        payload shorter or longer than the header promises, or a header claiming too much.

    Examples
    --------
    >>> import gzip, os, struct, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "t10k-labels-idx1-ubyte.gz")
    >>> with gzip.open(path, "wb") as f:
    ...     _ = f.write(struct.pack(">II", 2049, 3) + bytes([7, 2, 1]))
    >>> read_idx(path, kind="labels")
    array([7, 2, 1], dtype=uint8)
    """
    path = _check_path(path, "path")
    if kind is not None:
        kind = check_choice(kind, "kind", tuple(_IDX_MAGIC))
    return _read_idx(path, kind, _label(path))


def _read_idx(path: Path, kind, label: str) -> np.ndarray:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as stream:
            return _parse_idx(stream, kind, label)
    except EOFError:
        raise DatasetFileError(
            f"{label} is truncated: the gzip stream ends early (an interrupted download "
            f"or copy). {_fix()}"
        ) from None
    except (gzip.BadGzipFile, zlib.error) as exc:
        raise DatasetFileError(
            f"{label} is corrupted: it is not a valid gzip file ({shorten(exc, 50)}). {_fix()}"
        ) from None
    except OSError as exc:
        raise DatasetFileError(
            f"{label} cannot be read ({exc.strerror or shorten(exc, 50)}). {_fix()}"
        ) from None


def _parse_idx(stream, kind, label: str) -> np.ndarray:
    raw = stream.read(4)
    if len(raw) < 4:
        raise DatasetFileError(
            f"{label} is too short to be an idx file ({len(raw)} bytes; the header alone is "
            f"at least 8). {_fix()}"
        )
    magic = int.from_bytes(raw[:4], "big")
    ndim = raw[3]
    is_idx = raw[:2] == b"\x00\x00" and raw[2] == 0x08 and ndim > 0
    if not is_idx or (kind is not None and magic != _IDX_MAGIC[kind]):
        wanted = f"{_IDX_MAGIC[kind]} for {kind}" if kind is not None else "2051 or 2049"
        raise DatasetFileError(
            f"{label} has the wrong magic number {magic} (bytes {raw[:4].hex(' ')}); an "
            f"MNIST idx file starts with {wanted}. Is it the right file? {_fix()}"
        )
    dims = stream.read(4 * ndim)
    if len(dims) < 4 * ndim:
        raise DatasetFileError(
            f"{label} is truncated inside its header ({4 + len(dims)} bytes, the header of a "
            f"{ndim}-dimensional idx file has {4 + 4 * ndim}). {_fix()}"
        )
    shape = tuple(int.from_bytes(dims[4 * i : 4 * i + 4], "big") for i in range(ndim))
    promised = math.prod(shape)  # exact: a product of 4-byte sizes can exceed int64
    if promised > MAX_DATASET_VALUES:
        raise DatasetFileError(
            f"{label} claims shape {shorten(shape, 40)} ({promised:.3g} values), more than "
            f"the {MAX_DATASET_VALUES:,} cnnviz reads: a corrupted header? {_fix()}"
        )
    data = stream.read(promised)
    if len(data) < promised:
        raise DatasetFileError(
            f"{label} is truncated: its header promises {promised:,} bytes of data for shape "
            f"{shorten(shape, 40)} but only {len(data):,} follow. {_fix()}"
        )
    extra = 0
    while extra <= MAX_DATASET_VALUES and (chunk := stream.read(1 << 20)):
        extra += len(chunk)
    if extra:
        found = f"{promised + extra:,}" if extra <= MAX_DATASET_VALUES else "far more"
        raise DatasetFileError(
            f"{label} is corrupted: its header promises {promised:,} bytes of data for shape "
            f"{shorten(shape, 40)} but {found} follow. {_fix()}"
        )
    return np.frombuffer(data, dtype=np.uint8).reshape(shape).copy()


def _check_split(x, y, x_label: str, y_label: str, where) -> tuple[np.ndarray, np.ndarray]:
    """(N, 28, 28) uint8 images and (N,) int64 labels 0..9, or a DatasetFileError."""
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim != 3 or x.shape[1:] != (28, 28) or x.dtype != np.uint8:
        raise DatasetFileError(
            f"{where}: {x_label} must be uint8 images of shape (N, 28, 28); got "
            f"{describe(x)}. {_fix()}"
        )
    if y.ndim != 1 or y.dtype.kind not in "iu":
        raise DatasetFileError(
            f"{where}: {y_label} must be a 1-D array of integer labels; got {describe(y)}. {_fix()}"
        )
    if len(x) != len(y):
        raise DatasetFileError(
            f"{where}: {x_label} has {len(x):,} images but {y_label} has {len(y):,} labels; "
            f"they must match (a file from another release, or a truncated one). {_fix()}"
        )
    if len(y) and (y.min() < 0 or y.max() > 9):
        raise DatasetFileError(
            f"{where}: {y_label} must be class numbers 0..9; found {y.min()}..{y.max()}. {_fix()}"
        )
    return x, y.astype(np.int64)


def read_mnist_npz(path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Read MNIST from a ``.npz`` file with Keras' keys ``x_train, y_train, x_test, y_test``.

    Parameters
    ----------
    path : str or pathlib.Path
        Keras' ``mnist.npz`` or a file with the same keys.

    Returns
    -------
    x_train : ndarray of uint8, shape (N, 28, 28)
    y_train : ndarray of int64, shape (N,)
    x_test : ndarray of uint8, shape (M, 28, 28)
    y_test : ndarray of int64, shape (M,)

    Raises
    ------
    DatasetFileError
        (a ValueError) if the file is not a readable ``.npz`` (truncated, corrupted), lacks
        a key, or holds arrays of the wrong shape, type or count.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "mnist.npz")
    >>> x = np.zeros((2, 28, 28), np.uint8)
    >>> np.savez(path, x_train=x, y_train=[3, 1], x_test=x[:1], y_test=[7])
    >>> x_train, y_train, x_test, y_test = read_mnist_npz(path)
    >>> x_train.shape, y_train, y_test
    ((2, 28, 28), array([3, 1]), array([7]))
    """
    path = _check_path(path, "path")
    label = _label(path)
    keys = ("x_train", "y_train", "x_test", "y_test")
    try:
        with np.load(path, allow_pickle=False) as npz:
            missing = [k for k in keys if k not in npz.files]
            if missing:
                raise DatasetFileError(
                    f"{label} lacks the key(s) {', '.join(missing)}; an MNIST .npz holds "
                    f"{', '.join(keys)} (found {shorten(', '.join(npz.files) or 'nothing', 40)})."
                    f" {_fix()}"
                )
            for key in keys:  # the headers first: a lying shape must not fill the memory
                _check_npy_header(npz, key, label)
            arrays = {k: npz[k] for k in keys}
    except DatasetFileError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise DatasetFileError(
            f"{label} is not a readable .npz file: it is truncated or corrupted "
            f"({shorten(exc, 50)}). {_fix()}"
        ) from None
    x_train, y_train = _check_split(
        arrays["x_train"], arrays["y_train"], "x_train", "y_train", label
    )
    x_test, y_test = _check_split(arrays["x_test"], arrays["y_test"], "x_test", "y_test", label)
    return x_train, y_train, x_test, y_test


def _check_npy_header(npz, key: str, label: str) -> None:
    """Refuse an array whose header claims more than MAX_DATASET_VALUES values."""
    with npz.zip.open(f"{key}.npy") as member:
        version = np.lib.format.read_magic(member)
        reader = (
            np.lib.format.read_array_header_1_0
            if version == (1, 0)
            else np.lib.format.read_array_header_2_0
        )
        shape, _, dtype = reader(member)
    count = math.prod(shape)
    if count > MAX_DATASET_VALUES:
        raise DatasetFileError(
            f"{label}: {key} claims shape {shorten(shape, 40)} ({count:.3g} values), more "
            f"than the {MAX_DATASET_VALUES:,} cnnviz reads. {_fix()}"
        )


def read_fashion_mnist_dir(folder) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Read Fashion-MNIST's four gzip idx files from ``folder``.

    Parameters
    ----------
    folder : str or pathlib.Path
        A folder holding ``train-images-idx3-ubyte.gz``, ``train-labels-idx1-ubyte.gz``,
        ``t10k-images-idx3-ubyte.gz`` and ``t10k-labels-idx1-ubyte.gz`` (Keras keeps them
        in ``~/.keras/datasets/fashion-mnist``).

    Returns
    -------
    x_train : ndarray of uint8, shape (N, 28, 28)
    y_train : ndarray of int64, shape (N,)
    x_test : ndarray of uint8, shape (M, 28, 28)
    y_test : ndarray of int64, shape (M,)

    Raises
    ------
    FileNotFoundError
        If a file is missing.
    DatasetFileError
        (a ValueError) if a file is truncated or corrupted, or images and labels disagree.

    Examples
    --------
    >>> import gzip, os, struct, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> for part in ("train", "t10k"):
    ...     with gzip.open(os.path.join(folder, f"{part}-images-idx3-ubyte.gz"), "wb") as f:
    ...         _ = f.write(struct.pack(">IIII", 2051, 1, 28, 28) + bytes(784))
    ...     with gzip.open(os.path.join(folder, f"{part}-labels-idx1-ubyte.gz"), "wb") as f:
    ...         _ = f.write(struct.pack(">II", 2049, 1) + bytes([9]))
    >>> x_train, y_train, x_test, y_test = read_fashion_mnist_dir(folder)
    >>> from cnnviz.data import CLASS_NAMES
    >>> x_train.shape, CLASS_NAMES["fashion_mnist"][y_train[0]]
    ((1, 28, 28), 'Ankle boot')
    """
    if not isinstance(folder, str | os.PathLike):
        raise TypeError(f"`folder` must be a folder path; got {describe(folder)}.")
    folder = Path(folder)
    paths = {key: folder / fname for key, fname in _FASHION_FILES.items()}
    missing = [p.name for p in paths.values() if not _is_file(p)]
    if missing:
        raise MissingFileError(
            f"`folder` {shorten(str(folder), path=True)} lacks {', '.join(missing)}."
        )
    arrays = {
        key: _read_idx(
            _check_path(path, "folder"),
            "images" if key.startswith("x") else "labels",
            f"`folder` file {path.name}",
        )
        for key, path in paths.items()
    }
    train = _check_split(
        arrays["x_train"],
        arrays["y_train"],
        _FASHION_FILES["x_train"],
        _FASHION_FILES["y_train"],
        _label(folder, "folder"),
    )
    test = _check_split(
        arrays["x_test"],
        arrays["y_test"],
        _FASHION_FILES["x_test"],
        _FASHION_FILES["y_test"],
        _label(folder, "folder"),
    )
    return (*train, *test)


def _is_file(path: Path) -> bool:
    """Path.is_file() that says False for names the system refuses (too long, NUL bytes)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False
