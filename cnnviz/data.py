"""Datasets for the notebooks: MNIST and Fashion-MNIST, with an offline path that always works.

:func:`load_dataset` tries these sources in order and says which one it used:

1. ``"local"``: a folder named by the ``data_dir`` argument or the ``CNNVIZ_DATA_DIR``
   environment variable, pre-filled once by an instructor, with Keras' file names:
   ``mnist.npz`` and ``fashion-mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz``.
2. ``"cache"``: Keras' download cache, ``$KERAS_HOME/datasets`` or ``~/.keras/datasets``
   (same file names).
3. ``"download"``: Keras' own loader, which downloads into that cache. Only with
   ``download=True`` and when ``CNNVIZ_OFFLINE`` is not set to ``1``; a failure (no network,
   a proxy, a full disk) is noted and the next source is tried. The download server is
   probed first (``DOWNLOAD_TIMEOUT`` seconds), so a blocked network costs seconds, not a
   hang or a TensorFlow import.
4. ``"shipped"``: MNIST only, 5,000 real MNIST digits that ship inside cnnviz (4,000 for
   training, 1,000 for testing), so every notebook runs with no network at all.

The files are read here with NumPy and :mod:`gzip`, so loading never imports TensorFlow
(only the download does), and a truncated or corrupted file gets a message that names it,
says what is wrong and how to fix it.

To pre-fill a folder for a class (on a machine with internet)::

    python -m cnnviz.data --prefill /srv/cnnviz-data
    export CNNVIZ_DATA_DIR=/srv/cnnviz-data       # before starting Jupyter

MNIST is by Yann LeCun and Corinna Cortes (CC BY-SA 3.0); Fashion-MNIST is by Zalando
Research (MIT licence).
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import math
import os
import shutil
import socket
import sys
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cnnviz._validation import (
    MAX_ELEMENTS,
    MissingFileError,
    check_choice,
    check_file,
    check_int,
    describe,
    shorten,
)

__all__ = [
    "DATASET_NAMES",
    "SOURCES",
    "CLASS_NAMES",
    "DATA_DIR_ENV",
    "DOWNLOAD_TIMEOUT",
    "OFFLINE_ENV",
    "Dataset",
    "DatasetUnavailable",
    "DatasetFileError",
    "load_dataset",
    "load_first_available",
    "read_idx",
    "read_mnist_npz",
    "read_fashion_mnist_dir",
    "keras_cache_dir",
    "prepare_data_dir",
]

DATA_DIR_ENV = "CNNVIZ_DATA_DIR"
OFFLINE_ENV = "CNNVIZ_OFFLINE"
DATASET_NAMES = ("mnist", "fashion_mnist")
#: Where a dataset can come from, in the order :func:`load_dataset` tries them.
SOURCES = ("local", "cache", "download", "shipped")

CLASS_NAMES: dict[str, tuple[str, ...]] = {
    "mnist": tuple(str(d) for d in range(10)),
    "fashion_mnist": (
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
    ),
}

_TITLES = {"mnist": "MNIST", "fashion_mnist": "Fashion-MNIST"}
_ITEMS = {"mnist": "digits", "fashion_mnist": "images"}
_CREDITS = {
    "mnist": "MNIST by Yann LeCun and Corinna Cortes, CC BY-SA 3.0",
    "fashion_mnist": "Fashion-MNIST by Zalando Research, MIT licence",
}
# Relative paths inside a data folder or Keras' datasets cache: Keras' own names.
_MNIST_FILE = "mnist.npz"
_FASHION_DIR = "fashion-mnist"
_FASHION_FILES = {
    "x_train": "train-images-idx3-ubyte.gz",
    "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
    "y_test": "t10k-labels-idx1-ubyte.gz",
}
_FASHION_ORIGINS = (
    "https://github.com/zalandoresearch/fashion-mnist (folder data/fashion)",
    "https://storage.googleapis.com/tensorflow/tf-keras-datasets/ (where Keras downloads them)",
)
_SHIPPED = Path(__file__).parent / "_data" / "mnist_subset.npz"
_IDX_MAGIC = {"images": 2051, "labels": 2049}
_SAMPLES = ("stratified", "first")


class DatasetUnavailable(RuntimeError):
    """No source could provide the dataset; the message says how to make it available."""


class DatasetFileError(ValueError):
    """A dataset file is truncated, corrupted or not what its name says."""


@dataclass(frozen=True, eq=False)
class Dataset:
    """Train and test images with their labels, and where they came from.

    Attributes
    ----------
    name : str
        ``"mnist"`` or ``"fashion_mnist"``.
    x_train, x_test : ndarray of uint8, shape (N, 28, 28)
        Grayscale images, 0 (black background) to 255.
    y_train, y_test : ndarray of int64, shape (N,)
        Class indices 0..9 into ``class_names``.
    class_names : tuple of 10 str
        ``"0"``..``"9"`` for MNIST; ``"T-shirt/top"``, ``"Trouser"``, ... for Fashion-MNIST.
    source : str
        One of :data:`SOURCES`: ``"local"``, ``"cache"``, ``"download"`` or ``"shipped"``.
    location : str
        The file or folder the arrays were read from.
    description : str
        One human sentence for a notebook to print, e.g. ``"MNIST: shipped subset, 4,000
        train / 1,000 test digits (no network needed)"``.
    notes : tuple of str
        Why earlier sources were skipped, and any subset adjustments.
    credit : str
        Authors and licence of the data.
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]
    source: str
    location: str
    description: str
    notes: tuple[str, ...] = ()
    credit: str = ""

    def __repr__(self) -> str:
        return (
            f"Dataset(name={self.name!r}, source={self.source!r}, "
            f"x_train={self.x_train.shape}, x_test={self.x_test.shape})"
        )


# ----------------------------------------------------------------------------- file readers


def _fix(path=None) -> str:
    return (
        "Delete it and copy it again from the original, or run `python -m cnnviz.data "
        "--prefill DIR` where there is internet."
    )


def _label(path, name: str = "path") -> str:
    """How a message names a dataset file: the parameter, then the path (shortened)."""
    return f"`{name}` {shorten(str(path), path=True)}"


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
            f"{shape} but only {len(data):,} follow. {_fix()}"
        )
    extra = 0
    while extra <= MAX_DATASET_VALUES and (chunk := stream.read(1 << 20)):
        extra += len(chunk)
    if extra:
        found = f"{promised + extra:,}" if extra <= MAX_DATASET_VALUES else "far more"
        raise DatasetFileError(
            f"{label} is corrupted: its header promises {promised:,} bytes of data for shape "
            f"{shape} but {found} follow. {_fix()}"
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
            f"than the {MAX_DATASET_VALUES:,} cnnviz reads: a corrupted header? {_fix()}"
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


# ----------------------------------------------------------------------------- sources


def _is_file(path: Path) -> bool:
    """Path.is_file() that says False for names the system refuses (too long, NUL bytes)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


class _Skip(Exception):
    """This source cannot provide the dataset; the message says why (for the notes)."""


def keras_cache_dir() -> Path:
    """Keras' dataset cache: ``$KERAS_HOME/datasets``, else ``~/.keras/datasets``.

    Like Keras, falls back to ``/tmp/.keras/datasets`` when the home folder is not writable.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> keras_cache_dir().name
    'datasets'
    """
    home = os.environ.get("KERAS_HOME")
    if home:
        return Path(home).expanduser() / "datasets"
    base = Path("~").expanduser()
    if not os.access(base, os.W_OK):
        base = Path("/tmp")
    return base / ".keras" / "datasets"


def _read_folder(name: str, folder: Path, label: str):
    """The dataset's arrays from a folder laid out like Keras' cache, or _Skip."""
    if name == "mnist":
        path = folder / _MNIST_FILE
        if not _is_file(path):
            raise _Skip(f"{label} {folder} has no {_MNIST_FILE}")
        return read_mnist_npz(path), path
    sub = folder / _FASHION_DIR
    missing = [f for f in _FASHION_FILES.values() if not _is_file(sub / f)]
    if len(missing) == len(_FASHION_FILES):
        raise _Skip(f"{label} {folder} has no {_FASHION_DIR}/ files")
    if missing:
        raise _Skip(f"{label} {sub} lacks {', '.join(missing)}")
    return read_fashion_mnist_dir(sub), sub


def _local_dir(data_dir) -> tuple[Path, str]:
    """The instructor's folder and how it was named, or _Skip."""
    if data_dir is not None:
        return Path(data_dir).expanduser(), "local folder (data_dir)"
    env = os.environ.get(DATA_DIR_ENV, "").strip()
    if not env:
        raise _Skip(f"local folder: none given (no data_dir argument, ${DATA_DIR_ENV} unset)")
    folder = Path(env).expanduser()
    if not _is_dir(folder):
        raise _Skip(f"local folder: ${DATA_DIR_ENV}={env} is not a folder")
    return folder, f"local folder (${DATA_DIR_ENV})"


def _offline() -> bool:
    return os.environ.get(OFFLINE_ENV, "").strip().lower() in ("1", "true", "yes", "on")


_DOWNLOAD_HOST = ("storage.googleapis.com", 443)
# Seconds to wait for Keras' download server before trying the next source. School
# firewalls often drop packets silently, and Keras' download has no timeout of its own.
DOWNLOAD_TIMEOUT = 5.0


def _download(name: str):
    """Keras' own loader: downloads into Keras' cache. The only place TensorFlow is imported."""
    # A quick probe first: no TensorFlow import (seconds, 0.6 GB) and no hang when the
    # network is blocked.
    try:
        socket.create_connection(_DOWNLOAD_HOST, timeout=DOWNLOAD_TIMEOUT).close()
    except OSError as exc:
        raise OSError(f"cannot reach {_DOWNLOAD_HOST[0]} ({exc})") from None
    from keras import datasets

    module = datasets.mnist if name == "mnist" else datasets.fashion_mnist
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(60)  # a stalled transfer fails instead of hanging the notebook
    try:
        (x_train, y_train), (x_test, y_test) = module.load_data()
    finally:
        socket.setdefaulttimeout(previous)
    return x_train, y_train, x_test, y_test


def _from_source(name: str, source: str, data_dir, download: bool):
    """(x_train, y_train, x_test, y_test), location; _Skip if this source has nothing."""
    if source == "local":
        folder, label = _local_dir(data_dir)
        arrays, path = _read_folder(name, folder, label)
        return arrays, str(path)
    if source == "cache":
        arrays, path = _read_folder(name, keras_cache_dir(), "Keras cache")
        return arrays, str(path)
    if source == "download":
        if not download:
            raise _Skip("download: not tried (download=False)")
        if _offline():
            raise _Skip(f"download: not tried (${OFFLINE_ENV}={os.environ[OFFLINE_ENV]})")
        try:
            arrays = _download(name)
        except Exception as exc:  # no network, proxy, DNS, disk: all mean "next source"
            raise _Skip(f"download: failed ({type(exc).__name__}: {exc})") from None
        x_train, y_train = _check_split(*arrays[:2], "x_train", "y_train", "Keras download")
        x_test, y_test = _check_split(*arrays[2:], "x_test", "y_test", "Keras download")
        return (x_train, y_train, x_test, y_test), str(keras_cache_dir())
    if name != "mnist":
        raise _Skip(f"shipped: only MNIST ships with cnnviz, not {_TITLES[name]}")
    return read_mnist_npz(_SHIPPED), str(_SHIPPED)


def _instructions(name: str, tried: list[str]) -> str:
    title = _TITLES[name]
    lines = [f"{title} is not available here: no local copy and no download."]
    lines += ["Tried:"] + [f"  - {t}" for t in tried]
    if name == "mnist":
        files = f"    {_MNIST_FILE}  (from https://storage.googleapis.com/tensorflow/tf-keras-datasets/)"
    else:
        files = "\n".join(f"    {_FASHION_DIR}/{f}" for f in _FASHION_FILES.values())
        files += "\n  from " + " or ".join(_FASHION_ORIGINS)
    lines += [
        "To use it with no network, an instructor pre-fills a folder once, on a machine with "
        "internet:",
        "    python -m cnnviz.data --prefill /path/to/cnnviz-data",
        "or copies these files into that folder by hand:",
        files,
        f"then sets {DATA_DIR_ENV}=/path/to/cnnviz-data before starting Jupyter (or passes "
        f"data_dir='/path/to/cnnviz-data'). Putting the same files in {keras_cache_dir()} "
        "works too.",
    ]
    if name != "mnist":
        lines.append(
            "Meanwhile MNIST always works: load_dataset('mnist') falls back to the digits "
            "shipped with cnnviz (load_first_available does this for you)."
        )
    return "\n".join(lines)


# ----------------------------------------------------------------------------- subsets


def _quota(counts: np.ndarray, n: int) -> np.ndarray:
    """Per-class numbers summing to n, proportional to counts (largest remainders)."""
    exact = counts * n / counts.sum()
    quota = np.floor(exact).astype(np.int64)
    order = np.argsort(-(exact - quota), kind="stable")
    quota[order[: n - quota.sum()]] += 1
    return quota


def _subset(y: np.ndarray, n: int, sample: str, seed: int) -> np.ndarray:
    """Indices (in the original order) of n items: the first n, or a stratified sample."""
    if sample == "first":
        return np.arange(n)
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(y, return_counts=True)
    picked = [
        rng.permutation(np.flatnonzero(y == c))[:q]
        for c, q in zip(classes, _quota(counts, n), strict=True)
    ]
    return np.sort(np.concatenate(picked))


def _check_n(value, name: str):
    if value is None:
        return None
    return check_int(value, name, minimum=1)


# ----------------------------------------------------------------------------- public loaders


def load_dataset(
    name="mnist",
    *,
    data_dir=None,
    source="auto",
    download=True,
    n_train=None,
    n_test=None,
    sample="stratified",
    seed=0,
) -> Dataset:
    """Load MNIST or Fashion-MNIST from the first source that has it, and say which.

    Parameters
    ----------
    name : {"mnist", "fashion_mnist"}, optional
        ``"fashion-mnist"`` is accepted too.
    data_dir : str or pathlib.Path, optional
        A folder laid out like Keras' cache (``mnist.npz``, ``fashion-mnist/*.gz``). Defaults
        to the ``CNNVIZ_DATA_DIR`` environment variable.
    source : {"auto", "local", "cache", "download", "shipped"}, optional
        ``"auto"`` tries local folder, Keras cache, Keras download, shipped subset (MNIST
        only), in that order; any other value uses only that source.
    download : bool, optional
        Allow Keras to download (also switched off by ``CNNVIZ_OFFLINE=1``).
    n_train, n_test : int, optional
        Keep only this many training / test images (all if larger than what the source has;
        the notes say so). Small numbers make notebooks fast.
    sample : {"stratified", "first"}, optional
        How to pick ``n_train``/``n_test`` images: a seeded sample with every class in its
        original proportion (default), or simply the first ones.
    seed : int, optional
        Seed of the stratified sample.

    Returns
    -------
    Dataset
        ``x_train`` (N, 28, 28) uint8, ``y_train`` (N,) int64, ``x_test``, ``y_test``,
        ``class_names``, ``source``, ``location``, ``description``, ``notes``, ``credit``.

    Raises
    ------
    DatasetUnavailable
        (a RuntimeError) if no source has the dataset; the message lists what was tried and
        how an instructor pre-fills a folder.
    DatasetFileError
        (a ValueError) if a file that is there is truncated or corrupted; the message names
        it and says how to fix it.

    Examples
    --------
    >>> data = load_dataset("mnist", source="shipped", n_train=100, n_test=50)
    >>> data.x_train.shape, data.x_train.dtype, np.bincount(data.y_train).tolist()
    ((100, 28, 28), dtype('uint8'), [10, 10, 10, 10, 10, 10, 10, 10, 10, 10])
    >>> print(data.description)
    MNIST: shipped subset, 100 of 4,000 train / 50 of 1,000 test digits (no network needed)
    """
    if isinstance(name, str):
        name = name.replace("-", "_")
    name = check_choice(name, "name", DATASET_NAMES)
    source = check_choice(source, "source", ("auto",) + SOURCES)
    sample = check_choice(sample, "sample", _SAMPLES)
    if not isinstance(download, bool):
        raise TypeError(f"`download` must be True or False; got {describe(download)}.")
    if data_dir is not None:
        if not isinstance(data_dir, str | os.PathLike):
            raise TypeError(f"`data_dir` must be a folder path; got {describe(data_dir)}.")
        if not _is_dir(Path(data_dir).expanduser()):
            raise ValueError(
                f"`data_dir` must be an existing folder; got {describe(str(data_dir))}, which "
                f"is not one. Check the path, or leave it out to use ${DATA_DIR_ENV}."
            )
    if source == "download" and not download:
        raise ValueError("`source='download'` contradicts `download=False`; pass one or the other.")
    n_train, n_test = _check_n(n_train, "n_train"), _check_n(n_test, "n_test")
    seed = check_int(seed, "seed", minimum=0)

    tried = []
    for candidate in SOURCES if source == "auto" else (source,):
        try:
            arrays, location = _from_source(name, candidate, data_dir, download)
        except _Skip as why:
            tried.append(str(why))
            continue
        return _make_dataset(
            name, candidate, location, arrays, tried, n_train, n_test, sample, seed
        )
    raise DatasetUnavailable(_instructions(name, tried))


def _take(x, y, n, split, sample, seed, notes):
    """The requested subset of one split, and how to describe its size."""
    total = len(x)
    if n is not None and n > total:
        notes.append(f"asked for {n:,} {split} images; {total:,} are available, using all")
        n = None
    if n is None:
        return x, y, f"{total:,} {split}"
    keep = _subset(y, n, sample, seed)
    return x[keep], y[keep], f"{n:,} of {total:,} {split}"


def _make_dataset(name, source, location, arrays, notes, n_train, n_test, sample, seed):
    x_train, y_train, x_test, y_test = arrays
    x_train, y_train, train_size = _take(x_train, y_train, n_train, "train", sample, seed, notes)
    x_test, y_test, test_size = _take(x_test, y_test, n_test, "test", sample, seed, notes)
    where = {
        "local": f"local folder {location}",
        "cache": f"Keras cache {location}",
        "download": f"downloaded by Keras into {location}",
        "shipped": "shipped subset",
    }[source]
    tail = " (no network needed)" if source == "shipped" else ""
    return Dataset(
        name=name,
        x_train=x_train,
        y_train=y_train,
        x_test=x_test,
        y_test=y_test,
        class_names=CLASS_NAMES[name],
        source=source,
        location=location,
        description=f"{_TITLES[name]}: {where}, {train_size} / {test_size} {_ITEMS[name]}{tail}",
        notes=tuple(notes),
        credit=_CREDITS[name],
    )


def load_first_available(names=("fashion_mnist", "mnist"), **kwargs) -> Dataset:
    """The first of ``names`` that can be loaded, saying visibly when one was skipped.

    Notebook 04 prefers Fashion-MNIST and falls back to MNIST, which always loads from
    the shipped subset.

    Parameters
    ----------
    names : sequence of {"mnist", "fashion_mnist"}, optional
        In order of preference.
    **kwargs
        Passed to :func:`load_dataset` (``data_dir``, ``download``, ``n_train``, ...).

    Returns
    -------
    Dataset
        If an earlier name was unavailable, ``description`` ends with a sentence saying so
        and ``notes`` starts with the reason.

    Raises
    ------
    DatasetUnavailable
        If none is available (the message of the last one).

    Examples
    --------
    >>> data = load_first_available(["mnist"], source="shipped", n_train=20, n_test=10)
    >>> data.name, data.source
    ('mnist', 'shipped')
    """
    if isinstance(names, str) or not isinstance(names, list | tuple) or not names:
        raise TypeError(
            f"`names` must be a non-empty list of dataset names; got {describe(names)}. "
            f"Pass e.g. ['fashion_mnist', 'mnist']."
        )
    skipped = []
    for name in names[:-1]:
        try:
            data = load_dataset(name, **kwargs)
        except DatasetUnavailable as exc:
            skipped.append((name, str(exc)))
            continue
        break
    else:
        data = load_dataset(names[-1], **kwargs)
    if not skipped:
        return data
    missing = " and ".join(_TITLES[n.replace("-", "_")] for n, _ in skipped)
    return dataclasses.replace(
        data,
        description=(
            f"{data.description}. {missing} was not available, so "
            f"{_TITLES[data.name]} is used instead."
        ),
        notes=tuple(msg for _, msg in skipped) + data.notes,
    )


# ----------------------------------------------------------------------------- instructors


def prepare_data_dir(path, names=DATASET_NAMES, *, download=True) -> list[Path]:
    """Fill a folder with the dataset files, for ``CNNVIZ_DATA_DIR`` on offline machines.

    Copies each dataset's files from Keras' cache into ``path`` (``mnist.npz``,
    ``fashion-mnist/*.gz``), letting Keras download them first if they are not cached.
    Every file is read and checked before it is copied.

    Parameters
    ----------
    path : str or pathlib.Path
        The folder to fill (created if needed).
    names : sequence of {"mnist", "fashion_mnist"}, optional
    download : bool, optional
        Let Keras download files that are not in its cache (needs internet).

    Returns
    -------
    list of pathlib.Path
        The files written.

    Raises
    ------
    DatasetUnavailable
        If a dataset is neither cached nor downloadable.
    DatasetFileError
        If a cached file is truncated or corrupted.

    Examples
    --------
    >>> import tempfile
    >>> prepare_data_dir(tempfile.mkdtemp(), names=[])
    []
    """
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"`path` must be a folder path; got {describe(path)}.")
    if isinstance(names, str):
        names = [names]
    if not isinstance(names, list | tuple):
        raise TypeError(
            f"`names` must be a list of dataset names; got {describe(names)}. "
            f"Pass e.g. ['mnist', 'fashion_mnist']."
        )
    names = [
        check_choice(n.replace("-", "_") if isinstance(n, str) else n, "names", DATASET_NAMES)
        for n in names
    ]
    target = Path(path).expanduser()
    written = []
    cache = keras_cache_dir()
    for name in names:
        try:
            _read_folder(name, cache, "Keras cache")  # validates before anything is copied
        except _Skip as why:
            if not download or _offline():
                tried = [str(why), "download: not allowed"]
                raise DatasetUnavailable(_instructions(name, tried)) from None
            try:
                _download(name)
            except Exception as exc:  # no network: say so with the instructions
                tried = [str(why), f"download: failed ({type(exc).__name__}: {exc})"]
                raise DatasetUnavailable(_instructions(name, tried)) from None
            _read_folder(name, cache, "Keras cache")
        if name == "mnist":
            relative = [_MNIST_FILE]
        else:
            relative = [f"{_FASHION_DIR}/{f}" for f in _FASHION_FILES.values()]
        for rel in relative:
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(cache / rel, target / rel)
            written.append(target / rel)
    return written


def _main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cnnviz.data",
        description="Pre-fill a folder with MNIST and Fashion-MNIST for offline classes, or "
        "show where each dataset would be loaded from.",
    )
    parser.add_argument(
        "--prefill",
        metavar="DIR",
        help=f"folder to fill (then set {DATA_DIR_ENV}=DIR before starting Jupyter)",
    )
    parser.add_argument(
        "--dataset",
        action="append",
        choices=DATASET_NAMES,
        help="only this dataset (repeatable); default: both",
    )
    parser.add_argument("--no-download", action="store_true", help="copy from Keras' cache only")
    args = parser.parse_args(argv)
    names = args.dataset or list(DATASET_NAMES)
    if args.prefill:
        try:
            for p in prepare_data_dir(args.prefill, names, download=not args.no_download):
                print(f"wrote {p}")
        except (DatasetUnavailable, DatasetFileError) as exc:
            print(exc, file=sys.stderr)
            return 1
        print(
            f"Done. Before starting Jupyter: export {DATA_DIR_ENV}={Path(args.prefill).resolve()}"
        )
        return 0
    for name in names:
        try:
            print(load_dataset(name, download=False).description)
        except (DatasetUnavailable, DatasetFileError) as exc:
            print(exc)
    return 0


if __name__ == "__main__":
    sys.exit(_main())
