"""Reading a Keras 3 ``.keras`` file without TensorFlow: zipfile, json and h5py only.

A ``.keras`` file is a zip archive holding ``config.json`` (the model's layers, as plain
data), ``model.weights.h5`` (the weights, one HDF5 group per layer) and ``metadata.json``.
:func:`open_keras_file` checks the archive, reads the configuration and opens the weights;
it never unpickles and never runs code from the file. Every problem is a ValueError that
names the file and says what to do.
"""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from cnnviz._validation import describe
from cnnviz.network.layers import SUPPORTED_LAYERS, _Spec, _supported_text

__all__ = ["SHIPPED_MODEL", "KerasFile", "open_keras_file"]

#: The small CNN that ships with cnnviz, trained on the shipped MNIST subset.
SHIPPED_MODEL = Path(__file__).parent.parent / "_data" / "mnist_cnn.keras"
# Limits on what is read from a file before it is parsed: far above any model a notebook
# can run, far below what would exhaust a student's memory.
_MAX_CONFIG_BYTES = 10_000_000
_MAX_WEIGHTS_BYTES = 500_000_000
_SAVE_HINT = "Save the model with Keras 3: `model.save('my_model.keras')`."


def _snake(class_name):
    """Keras' folder name for a layer class in ``model.weights.h5``: "MaxPooling2D" ->
    "max_pooling2d", "ReLU" -> "re_lu" (a word is a capital followed by small letters)."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", class_name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def _input_shape(model_config, layer_configs, source):
    """The (H, W, C) a Sequential model takes, from its InputLayer or its build config."""
    candidates = []
    if layer_configs and layer_configs[0].get("class_name") == "InputLayer":
        config = layer_configs[0].get("config") or {}
        candidates += [config.get("batch_shape"), config.get("batch_input_shape")]
    candidates.append(model_config.get("build_input_shape"))
    for layer in layer_configs[:1]:
        candidates.append((layer.get("config") or {}).get("batch_input_shape"))
        candidates.append((layer.get("build_config") or {}).get("input_shape"))
    for shape in candidates:
        if isinstance(shape, list | tuple) and len(shape) >= 2:
            dims = shape[1:]
            if all(isinstance(d, int) and not isinstance(d, bool) and d >= 1 for d in dims):
                return tuple(dims)
    raise ValueError(
        f"{source}: the model has no fixed input shape (rows, columns, channels). Build it "
        f"with an explicit input, e.g. `keras.Input(shape=(28, 28, 1))`, then save it again."
    )


class _WeightStore:
    """The per-layer weights of ``model.weights.h5``: ``layers/<folder>/vars/0, 1, ...``.

    Keras 3 names each layer's folder after its class (``conv2d``, ``conv2d_1``, ...) in
    model order; since Keras 3.6 or so the ``vars`` group also carries the layer's name,
    which is checked when present. Only plain datasets inside this file are read: links to
    other files, external or virtual storage are refused.
    """

    def __init__(self, h5file, source):
        self.file = h5file
        self.source = source
        self.counts: dict[str, int] = {}
        layers = h5file.get("layers")
        if layers is None or not hasattr(layers, "keys"):
            raise ValueError(
                f"{source}: model.weights.h5 has no 'layers' group, so it was not written by "
                f"Keras 3. {_SAVE_HINT}"
            )
        self.layers = layers

    def take(self, spec):
        import h5py

        base = _snake(spec.kind)
        count = self.counts.get(base, 0)
        self.counts[base] = count + 1
        folder = base if count == 0 else f"{base}_{count}"
        group = self.layers.get(f"{folder}/vars")
        if group is None:
            return None
        stored_name = group.attrs.get("name")
        if isinstance(stored_name, bytes):
            stored_name = stored_name.decode()
        if stored_name is not None and stored_name != spec.name:
            raise ValueError(
                f"{self.source}: the weights in layers/{folder} belong to layer "
                f"{stored_name!r}, not {spec.name!r}: config.json and model.weights.h5 do not "
                f"match. {_SAVE_HINT}"
            )
        arrays = []
        for i in range(len(group)):
            link = group.get(str(i), getlink=True)
            if not isinstance(link, h5py.HardLink):
                raise ValueError(
                    f"{self.source}: weight {i} of layer {spec.name!r} is a link to another "
                    f"file, which cnnviz does not follow. {_SAVE_HINT}"
                )
            data = group[str(i)]
            if not isinstance(data, h5py.Dataset) or data.external or data.is_virtual:
                raise ValueError(
                    f"{self.source}: weight {i} of layer {spec.name!r} is not an array stored "
                    f"in the file. {_SAVE_HINT}"
                )
            if data.dtype.kind not in "fiu":
                raise ValueError(
                    f"{self.source}: weight {i} of layer {spec.name!r} holds {data.dtype} "
                    f"values, not numbers. {_SAVE_HINT}"
                )
            arrays.append(data[()])
        return arrays


def _read_archive(data, source):
    """(config dict, metadata dict, weights bytes) from the bytes of a .keras file."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        what = "is empty" if not data else "is not a zip archive"
        raise ValueError(
            f"{source} {what}, so it is not a Keras 3 .keras file (or it was cut short while "
            f"copying or uploading). {_SAVE_HINT}"
        ) from None
    with archive:
        names = set(archive.namelist())
        missing = [m for m in ("config.json", "model.weights.h5") if m not in names]
        if missing:
            raise ValueError(
                f"{source} is a zip archive but not a Keras 3 .keras file: it has no "
                f"{' and no '.join(missing)} (it holds {sorted(names)[:5]}). {_SAVE_HINT}"
            )
        limits = {"config.json": _MAX_CONFIG_BYTES, "model.weights.h5": _MAX_WEIGHTS_BYTES}
        contents = {}
        for member, limit in (*limits.items(), ("metadata.json", _MAX_CONFIG_BYTES)):
            if member not in names:
                continue
            size = archive.getinfo(member).file_size
            if size > limit:
                raise ValueError(
                    f"{source}: {member} is {size:,} bytes, more than the {limit:,} cnnviz "
                    f"reads; this model is too large to explore in a notebook."
                )
            try:
                contents[member] = archive.read(member)
            except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
                raise ValueError(
                    f"{source} is corrupt or truncated: {member} cannot be read ({exc}). "
                    f"Copy or upload the file again, or save the model again. {_SAVE_HINT}"
                ) from None
    documents = {}
    for member in ("config.json", "metadata.json"):
        if member not in contents:
            documents[member] = {}
            continue
        try:
            documents[member] = json.loads(contents[member])
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValueError(
                f"{source}: {member} is not valid JSON ({exc}); the file is damaged. {_SAVE_HINT}"
            ) from None
        if not isinstance(documents[member], dict):
            raise ValueError(f"{source}: {member} is not a JSON object. {_SAVE_HINT}")
    return documents["config.json"], documents["metadata.json"], contents["model.weights.h5"]


class KerasFile(NamedTuple):
    """What :func:`open_keras_file` found in a ``.keras`` file."""

    name: str
    """The model's name."""
    input_shape: tuple
    """What one input is: (rows, columns, channels) or (rows, columns)."""
    specs: list
    """Every layer but the input, as read from ``config.json``, in order."""
    weights_for: object
    """``weights_for(spec)``: that layer's weight arrays in the open HDF5 file, or None."""
    source: str
    """How messages name the file."""
    keras_version: object
    """The Keras version that saved it (from ``metadata.json``), or None."""


@contextmanager
def open_keras_file(path_or_bytes, *, name=None):
    """Open a ``.keras`` file: its configuration read and checked, its weights open.

    Used as ``with open_keras_file(path) as found: ...``; the weights can be read until the
    block ends. :meth:`cnnviz.network.Network.from_keras_file` is the way to use it.

    Parameters
    ----------
    path_or_bytes : str, pathlib.Path, bytes, bytearray or memoryview
        A path to the file, or its contents (e.g. ``FileUpload.value[0].content``).
    name : str, optional
        How error messages name the file; defaults to the path, or "the model file".

    Yields
    ------
    KerasFile

    Raises
    ------
    TypeError, FileNotFoundError, ValueError
        As :meth:`cnnviz.network.Network.from_keras_file`.

    Examples
    --------
    >>> with open_keras_file(SHIPPED_MODEL) as found:
    ...     print(found.name, found.input_shape, [spec.kind for spec in found.specs][:2])
    mnist_cnn (28, 28, 1) ['Conv2D', 'MaxPooling2D']
    """
    if isinstance(path_or_bytes, bytes | bytearray | memoryview):
        data = bytes(path_or_bytes)
        source = f"`{name}`" if name else "the model file"
    elif isinstance(path_or_bytes, str | os.PathLike):
        path = Path(path_or_bytes)
        source = f"`{name or path}`"
        if not path.is_file():
            raise FileNotFoundError(
                f"`path_or_bytes`: there is no file at {path}. Check the name, or save the "
                f"model there first with `model.save({str(path)!r})`."
            )
        data = path.read_bytes()
    else:
        raise TypeError(
            f"`path_or_bytes` must be the path of a .keras file or its bytes; got "
            f"{describe(path_or_bytes)}. Pass e.g. 'notebooks/my_models/my_cnn.keras'."
        )
    config, metadata, weights = _read_archive(data, source)
    if config.get("class_name") != "Sequential":
        raise ValueError(
            f"{source} holds a {config.get('class_name', 'model of unknown kind')!r} model; "
            f"cnnviz.network runs Sequential models (`keras.Sequential([...])`). Rebuild "
            f"the model as a Sequential with {_supported_text()}."
        )
    model_config = config.get("config") or {}
    layer_configs = model_config.get("layers")
    if not isinstance(layer_configs, list) or not all(
        isinstance(layer, dict) for layer in layer_configs
    ):
        raise ValueError(f"{source}: config.json lists no layers. {_SAVE_HINT}")
    input_shape = _input_shape(model_config, layer_configs, source)
    specs = [
        _Spec(layer.get("class_name"), layer.get("config"), source)
        for layer in layer_configs
        if layer.get("class_name") != "InputLayer"
    ]
    for spec in specs:
        if not isinstance(spec.kind, str) or spec.kind not in SUPPORTED_LAYERS:
            spec.fail("is not supported")

    import h5py

    try:
        h5file = h5py.File(io.BytesIO(weights), "r")
    except OSError as exc:
        raise ValueError(
            f"{source} is corrupt or truncated: model.weights.h5 is not a readable HDF5 "
            f"file ({exc}). Copy or upload the file again, or save the model again."
        ) from None
    with h5file:
        store = _WeightStore(h5file, source)
        try:
            yield KerasFile(
                str(model_config.get("name", "model")),
                input_shape,
                specs,
                store.take,
                source,
                metadata.get("keras_version"),
            )
        except (OSError, KeyError) as exc:
            raise ValueError(
                f"{source} is corrupt or truncated: its weights cannot be read ({exc}). "
                f"Copy or upload the file again, or save the model again."
            ) from None
