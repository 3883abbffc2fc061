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

The rooms: ``files`` reads the file formats (idx, ``mnist.npz``); ``loading`` chooses the
source and loads, subsets and describes a dataset, and pre-fills a folder for a class.
"""

from cnnviz.data.files import (
    DatasetFileError,
    read_fashion_mnist_dir,
    read_idx,
    read_mnist_npz,
)
from cnnviz.data.loading import (
    CLASS_NAMES,
    DATA_DIR_ENV,
    DATASET_NAMES,
    DOWNLOAD_TIMEOUT,
    OFFLINE_ENV,
    SOURCES,
    Dataset,
    DatasetUnavailable,
    keras_cache_dir,
    load_dataset,
    load_first_available,
    prepare_data_dir,
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
