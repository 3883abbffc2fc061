"""Choosing and loading a dataset: local folder, Keras' cache, download, shipped subset.

See :mod:`cnnviz.data` for the order of the sources; also pre-filling a folder for a class.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import socket
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cnnviz._validation import check_choice, check_int, describe
from cnnviz.data.files import (
    _FASHION_DIR,
    _FASHION_FILES,
    _MNIST_FILE,
    DatasetFileError,
    _check_split,
    _is_file,
    read_fashion_mnist_dir,
    read_mnist_npz,
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
    "load_dataset",
    "load_first_available",
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


_FASHION_ORIGINS = (
    "https://github.com/zalandoresearch/fashion-mnist (folder data/fashion)",
    "https://storage.googleapis.com/tensorflow/tf-keras-datasets/ (where Keras downloads them)",
)


_SHIPPED = Path(__file__).parent.parent / "_data" / "mnist_subset.npz"


_SAMPLES = ("stratified", "first")


class DatasetUnavailable(RuntimeError):
    """No source could provide the dataset; the message says how to make it available.

    ``tried`` holds one line per source that was tried and why it had nothing.
    """

    def __init__(self, message: str, tried=()):
        super().__init__(message)
        self.tried = tuple(tried)


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
        One human sentence: which data and, after a fallback, why, e.g. ``"MNIST: shipped
        subset, 4,000 train / 1,000 test digits (no network needed)"``.
    notes : tuple of str
        For instructors: why earlier sources were skipped, and any subset adjustments,
        each once. :meth:`summary` is what a student reads.
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

    def summary(self, width=88) -> str:
        """What a student reads: which data and why, then the credit, in short lines.

        The details an instructor needs (every source tried, how to pre-fill a folder) stay
        in ``notes`` and in the instructor guide; after a fallback one line says where.
        Lines are wrapped at word boundaries, so a notebook never breaks a word.

        Parameters
        ----------
        width : int, optional
            Longest line, in characters.

        Returns
        -------
        str
            A few lines, e.g. ``"MNIST: shipped subset, ...\nCredit: MNIST by ..."``.

        Examples
        --------
        >>> data = load_dataset("mnist", source="shipped", n_train=100, n_test=50)
        >>> print(data.summary(width=60))
        MNIST: shipped subset, 100 of 4,000 train / 50 of 1,000 test
        digits (no network needed)
        Credit: MNIST by Yann LeCun and Corinna Cortes, CC BY-SA 3.0
        """
        width = check_int(width, "width", minimum=40)
        missing = [n.split(_UNAVAILABLE)[0] for n in self.notes if _UNAVAILABLE in n]
        text = [self.description]
        if missing:
            text.append(
                f"(Instructors: data.notes lists what was tried; docs/instructor-guide.md, "
                f'"Running the course offline", says how to provide {" and ".join(missing)}.)'
            )
        text.append(f"Credit: {self.credit}")
        return "\n".join(
            line
            for paragraph in text
            for line in textwrap.wrap(
                paragraph, width, break_long_words=False, break_on_hyphens=False
            )
        )


_UNAVAILABLE = " not available: "


class _Skip(Exception):
    """This source cannot provide the dataset; the message says why (for the notes)."""


def _is_dir(path: Path) -> bool:
    """Path.is_dir() that says False for names the system refuses (too long, NUL bytes)."""
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


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
    raise DatasetUnavailable(_instructions(name, tried), tried)


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
            skipped.append((name, exc.tried))
            continue
        break
    else:
        data = load_dataset(names[-1], **kwargs)
    if not skipped:
        return data
    titles = [_TITLES[n.replace("-", "_")] for n, _ in skipped]
    missing = " and ".join(titles)
    verb = "is" if len(titles) == 1 else "are"
    # One note per skipped dataset (its sources on one line), then the used dataset's own
    # notes minus those that say the same thing again (the same folder, the same offline
    # switch): every note once.
    notes = [
        f"{title}{_UNAVAILABLE}{'; '.join(tried)}"
        for title, (_, tried) in zip(titles, skipped, strict=True)
    ]
    said = {line for _, tried in skipped for line in tried}
    notes += [note for note in data.notes if note not in said and note not in notes]
    return dataclasses.replace(
        data,
        description=(
            f"{data.description}. {missing} {verb} not on this computer and could not be "
            f"downloaded, so {_TITLES[data.name]} is used instead."
        ),
        notes=tuple(notes),
    )


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
