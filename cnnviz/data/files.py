"""Dataset file formats: the idx files of MNIST and Fashion-MNIST, Keras' ``mnist.npz``.

Read with NumPy and :mod:`gzip` (never TensorFlow); a truncated or corrupted file gets a
message that names it, says what is wrong and how to fix it.
"""

from __future__ import annotations

import gzip
import os
import zipfile
import zlib
from pathlib import Path

import numpy as np

from cnnviz._validation import check_choice, describe

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


def _fix(path) -> str:
    return (
        f"Delete {path} and copy it again from the original (or let Keras download it again "
        f"with `python -m cnnviz.data --prefill DIR` on a machine with internet)."
    )


def _check_path(path, name: str) -> Path:
    if not isinstance(path, str | os.PathLike):
        raise TypeError(
            f"`{name}` must be a file path (str or pathlib.Path); got {describe(path)}."
        )
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"`{name}`: no such file: {path}")
    return path


def read_idx(path, kind=None) -> np.ndarray:
    """Read an idx file, the format of the original MNIST and Fashion-MNIST files.

    An idx file is a 4-byte magic number (two zero bytes, a type code ``0x08`` for unsigned
    bytes, the number of dimensions), one big-endian 4-byte size per dimension, then the
    values. Images have magic 2051 (3 dimensions: N, rows, columns), labels 2049 (1
    dimension: N). A name ending in ``.gz`` is decompressed first.

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
        payload shorter or longer than the header promises.

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
    raw = path.read_bytes()
    if path.suffix == ".gz":
        try:
            raw = gzip.decompress(raw)
        except EOFError:
            raise DatasetFileError(
                f"{path} is truncated: the gzip stream ends early (an interrupted download "
                f"or copy). {_fix(path)}"
            ) from None
        except (gzip.BadGzipFile, zlib.error) as exc:
            raise DatasetFileError(
                f"{path} is corrupted: it is not a valid gzip file ({exc}). {_fix(path)}"
            ) from None
    if len(raw) < 4:
        raise DatasetFileError(
            f"{path} is too short to be an idx file ({len(raw)} bytes; the header alone is at "
            f"least 8). {_fix(path)}"
        )
    magic = int.from_bytes(raw[:4], "big")
    ndim = raw[3]
    is_idx = raw[:2] == b"\x00\x00" and raw[2] == 0x08 and ndim > 0
    if not is_idx or (kind is not None and magic != _IDX_MAGIC[kind]):
        wanted = (
            f"{_IDX_MAGIC[kind]} for {kind}"
            if kind is not None
            else "2051 for images or 2049 for labels (unsigned bytes)"
        )
        raise DatasetFileError(
            f"{path} has the wrong magic number {magic} (bytes {raw[:4].hex(' ')}); an idx "
            f"file of MNIST or Fashion-MNIST starts with {wanted}. Is it the right file? "
            f"{_fix(path)}"
        )
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DatasetFileError(
            f"{path} is truncated inside its header ({len(raw)} bytes, the header of a "
            f"{ndim}-dimensional idx file has {header}). {_fix(path)}"
        )
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    promised = int(np.prod(shape, dtype=np.int64))
    found = len(raw) - header
    if found < promised:
        raise DatasetFileError(
            f"{path} is truncated: its header promises {promised:,} bytes of data for shape "
            f"{shape} but only {found:,} follow. {_fix(path)}"
        )
    if found > promised:
        raise DatasetFileError(
            f"{path} is corrupted: its header promises {promised:,} bytes of data for shape "
            f"{shape} but {found:,} follow. {_fix(path)}"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape).copy()


def _check_split(x, y, x_label: str, y_label: str, where) -> tuple[np.ndarray, np.ndarray]:
    """(N, 28, 28) uint8 images and (N,) int64 labels 0..9, or a DatasetFileError."""
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim != 3 or x.shape[1:] != (28, 28) or x.dtype != np.uint8:
        raise DatasetFileError(
            f"{where}: {x_label} must be uint8 images of shape (N, 28, 28); got "
            f"{describe(x)}. {_fix(where)}"
        )
    if y.ndim != 1 or y.dtype.kind not in "iu":
        raise DatasetFileError(
            f"{where}: {y_label} must be a 1-D array of integer labels; got {describe(y)}. "
            f"{_fix(where)}"
        )
    if len(x) != len(y):
        raise DatasetFileError(
            f"{where}: {x_label} has {len(x):,} images but {y_label} has {len(y):,} labels; "
            f"they must match (a file from another release, or a truncated one). {_fix(where)}"
        )
    if len(y) and (y.min() < 0 or y.max() > 9):
        raise DatasetFileError(
            f"{where}: {y_label} must be class numbers 0..9; found {y.min()}..{y.max()}. "
            f"{_fix(where)}"
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
    keys = ("x_train", "y_train", "x_test", "y_test")
    try:
        with np.load(path, allow_pickle=False) as npz:
            missing = [k for k in keys if k not in npz.files]
            if missing:
                raise DatasetFileError(
                    f"{path} lacks the key(s) {', '.join(missing)}; an MNIST .npz holds "
                    f"{', '.join(keys)} (found {', '.join(npz.files) or 'nothing'}). {_fix(path)}"
                )
            arrays = {k: npz[k] for k in keys}
    except DatasetFileError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise DatasetFileError(
            f"{path} is not a readable .npz file: it is truncated or corrupted ({exc}). "
            f"{_fix(path)}"
        ) from None
    x_train, y_train = _check_split(
        arrays["x_train"], arrays["y_train"], "x_train", "y_train", path
    )
    x_test, y_test = _check_split(arrays["x_test"], arrays["y_test"], "x_test", "y_test", path)
    return x_train, y_train, x_test, y_test


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
    missing = [p.name for p in paths.values() if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"{folder} lacks {', '.join(missing)}.")
    arrays = {
        key: read_idx(path, kind="images" if key.startswith("x") else "labels")
        for key, path in paths.items()
    }
    train = _check_split(
        arrays["x_train"],
        arrays["y_train"],
        _FASHION_FILES["x_train"],
        _FASHION_FILES["y_train"],
        folder,
    )
    test = _check_split(
        arrays["x_test"],
        arrays["y_test"],
        _FASHION_FILES["x_test"],
        _FASHION_FILES["y_test"],
        folder,
    )
    return (*train, *test)
