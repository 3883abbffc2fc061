"""Reading a Keras 3 ``.keras`` file without TensorFlow: zipfile, json and h5py only.

A ``.keras`` file is a zip archive holding ``config.json`` (the model's layers, as plain
data), ``model.weights.h5`` (the weights, one HDF5 group per layer) and ``metadata.json``.
:func:`open_keras_file` checks the archive, reads the configuration and opens the weights;
it never unpickles and never runs code from the file. A careless or hostile file (not a zip,
truncated, a zip bomb, JSON nested without end, absurd sizes, weights that disagree with the
configuration) gets a short ValueError that names the file, the part and the fix, before
anything large is unpacked or allocated.
"""

from __future__ import annotations

import io
import json
import lzma
import re
import struct
import zipfile
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from cnnviz._validation import MAX_LENGTH, check_file, describe, shorten
from cnnviz.network.layers import _RESAVE, _shown, _Spec, _supported_text

__all__ = ["SHIPPED_MODEL", "KerasFile", "open_keras_file"]

#: The small CNN that ships with cnnviz, trained on the shipped MNIST subset.
SHIPPED_MODEL = Path(__file__).parent.parent / "_data" / "mnist_cnn.keras"
# Limits on what is unpacked from a file before it is parsed: far above any model a notebook
# can run, far below what would exhaust a student's memory. Sizes are the ones the zip
# declares; zipfile never unpacks more than declared (and then the CRC check fails).
_MAX_CONFIG_BYTES = 10_000_000
_MAX_WEIGHTS_BYTES = 500_000_000
_MAX_MEMBERS = 1_000  # a .keras file has 3
_MAX_DEPTH = 100  # Keras' configs nest about 6 levels deep
_MAX_LAYERS = 10_000
_MAX_WEIGHT_ARRAYS = 8  # a supported layer has at most 2 (kernel, bias)
_SAVE_HINT = _RESAVE
_DAMAGED = "Copy or upload the file again, or save the model again."
# What zipfile and its decompressors raise on a damaged archive (zlib.error and
# lzma.LZMAError are not OSErrors; an unknown compression method is NotImplementedError, an
# encrypted member RuntimeError).
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    struct.error,
    OverflowError,
)
# What h5py raises on a damaged HDF5 file (its own messages are not shown to students).
_H5_ERRORS = (OSError, KeyError, RuntimeError, TypeError, ValueError)


def _snake(class_name):
    """Keras' folder name for a layer class in ``model.weights.h5``: "MaxPooling2D" ->
    "max_pooling2d", "ReLU" -> "re_lu" (a word is a capital followed by small letters)."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", class_name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def _depth(document) -> int:
    """How deeply ``document`` (parsed JSON) nests, counted without recursion."""
    deepest, stack = 0, [(document, 1)]
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > _MAX_DEPTH:
            break
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return deepest


def _json_object(data, member, source):
    """``data`` parsed as a JSON object, or a ValueError naming ``member`` of the file."""
    try:
        document = json.loads(data)
    except RecursionError:
        document = None
        problem = "is nested too deeply to read"
    except json.JSONDecodeError as exc:
        document = None
        problem = f"is not valid JSON (a mistake at character {exc.pos:,})"
    except ValueError:  # not UTF-8, or a number with thousands of digits
        document = None
        problem = "is not readable JSON text"
    else:
        problem = None
        if not isinstance(document, dict):
            problem = f"holds {type(document).__name__}, not a JSON object"
        elif _depth(document) > _MAX_DEPTH:
            problem = f"is nested more than {_MAX_DEPTH} levels deep"
    if problem:
        raise ValueError(f"{source}: {member} {problem}; the file is damaged. {_SAVE_HINT}")
    return document


def _object(value) -> dict:
    """``value`` if it is a dict, else an empty one (settings that are absent or damaged)."""
    return value if isinstance(value, dict) else {}


def _input_shape(model_config, layer_configs, source):
    """The (H, W, C) a Sequential model takes, from its InputLayer or its build config."""
    candidates = []
    first = layer_configs[0] if layer_configs else {}
    if first.get("class_name") == "InputLayer":
        config = _object(first.get("config"))
        candidates += [config.get("batch_shape"), config.get("batch_input_shape")]
    candidates.append(model_config.get("build_input_shape"))
    candidates.append(_object(first.get("config")).get("batch_input_shape"))
    candidates.append(_object(first.get("build_config")).get("input_shape"))
    # The first shape the file gives is the one: a damaged one is refused, not replaced.
    shape = next((shape for shape in candidates if shape is not None), None)
    if isinstance(shape, list | tuple) and len(shape) >= 2:
        dims = shape[1:]
        if all(isinstance(d, int) and not isinstance(d, bool) and d >= 1 for d in dims):
            if len(dims) > 3 or max(dims) > MAX_LENGTH:
                raise ValueError(
                    f"{source}: the model takes input of shape {_shown([None, *dims])}; "
                    f"cnnviz.network runs models on images (rows, columns, channels) of "
                    f"a notebook's size. Use e.g. `keras.Input(shape=(28, 28, 1))`."
                )
            return tuple(dims)
    raise ValueError(
        f"{source}: the model has no fixed input shape (rows, columns, channels). Build it "
        f"with an explicit input, e.g. `keras.Input(shape=(28, 28, 1))`, then save it again."
    )


class _WeightStore:
    """The per-layer weights of ``model.weights.h5``: ``layers/<folder>/vars/0, 1, ...``.

    Keras 3 names each layer's folder after its class (``conv2d``, ``conv2d_1``, ...) in
    model order; since Keras 3.6 or so the ``vars`` group also carries the layer's name,
    which is checked when present. Only plain datasets inside this file are handed out, not
    yet read (their shapes are checked first): links to other files, external or virtual
    storage are refused.
    """

    def __init__(self, h5file, source):
        import h5py

        self.source = source
        self.counts: dict[str, int] = {}
        layers = h5file.get("layers")
        if not isinstance(layers, h5py.Group):
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
        parent = self.layers.get(folder)
        group = parent.get("vars") if isinstance(parent, h5py.Group) else None
        if not isinstance(group, h5py.Group):
            return None
        stored_name = group.attrs.get("name")
        if isinstance(stored_name, bytes):
            stored_name = stored_name.decode("utf-8", "replace")
        if stored_name is not None and stored_name != spec.name:
            spec.fail(
                f"finds its weights in layers/{folder}, which belong to "
                f"{_shown(stored_name)}: config.json and model.weights.h5 do not match",
                _SAVE_HINT,
            )
        if len(group) > _MAX_WEIGHT_ARRAYS:
            spec.fail(f"has {len(group):,} weight arrays in layers/{folder}", _SAVE_HINT)
        arrays = []
        for i in range(len(group)):
            link = group.get(str(i), getlink=True)
            if not isinstance(link, h5py.HardLink):
                spec.fail(
                    f"has weight {i} as a link to another file, which cnnviz does not follow",
                    _SAVE_HINT,
                )
            data = group[str(i)]
            if not isinstance(data, h5py.Dataset) or data.external or data.is_virtual:
                spec.fail(f"has weight {i} not stored in the file as an array", _SAVE_HINT)
            arrays.append(data)  # read once its shape and type are checked
        return arrays


def _read_archive(stream, source):
    """(config dict, metadata dict, weights bytes) from a .keras file (path or file object)."""
    try:
        archive = zipfile.ZipFile(stream)
        infos = archive.infolist()
    except _ZIP_ERRORS:
        raise ValueError(
            f"{source} is not a zip archive, so it is not a Keras 3 .keras file (or it was "
            f"cut short while copying or uploading). {_SAVE_HINT}"
        ) from None
    with archive:
        if len(infos) > _MAX_MEMBERS:
            raise ValueError(
                f"{source} is a zip archive of {len(infos):,} files, not a Keras 3 .keras "
                f"file (it holds 3). {_SAVE_HINT}"
            )
        sizes = {info.filename: info.file_size for info in infos}
        missing = [m for m in ("config.json", "model.weights.h5") if m not in sizes]
        if missing:
            held = shorten(sorted(sizes)[:5], 60)
            raise ValueError(
                f"{source} is a zip archive but not a Keras 3 .keras file: it has no "
                f"{' and no '.join(missing)} (it holds {held}). {_SAVE_HINT}"
            )
        limits = {
            "config.json": _MAX_CONFIG_BYTES,
            "model.weights.h5": _MAX_WEIGHTS_BYTES,
            "metadata.json": _MAX_CONFIG_BYTES,
        }
        contents = {}
        for member, limit in limits.items():
            if member not in sizes:
                continue
            if sizes[member] > limit:
                raise ValueError(
                    f"{source}: {member} would unpack to {sizes[member]:,} bytes, more than "
                    f"the {limit:,} cnnviz reads (a model too large for a notebook, or a zip "
                    f"bomb). Use a smaller model."
                )
            try:
                contents[member] = archive.read(member)
            except _ZIP_ERRORS:
                raise ValueError(
                    f"{source} is corrupt or truncated: {member} cannot be unpacked. {_DAMAGED}"
                ) from None
    config = _json_object(contents["config.json"], "config.json", source)
    metadata = {}
    if "metadata.json" in contents:
        metadata = _json_object(contents["metadata.json"], "metadata.json", source)
    return config, metadata, contents["model.weights.h5"]


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


def _source_and_stream(path_or_bytes, name):
    """How messages name the file, and what zipfile opens."""
    if isinstance(path_or_bytes, bytes | bytearray | memoryview):
        data = bytes(path_or_bytes)
        source = f"`{shorten(name, 60, path=True)}`" if name else "the model file"
        if not data:
            raise ValueError(f"{source} is empty, so it is not a Keras 3 .keras file.")
        return source, io.BytesIO(data)
    if not isinstance(path_or_bytes, str | bytes) and not hasattr(path_or_bytes, "__fspath__"):
        raise TypeError(
            f"`path_or_bytes` must be the path of a .keras file or its bytes; got "
            f"{describe(path_or_bytes)}. Pass e.g. 'notebooks/my_models/my_cnn.keras'."
        )
    path = check_file(
        path_or_bytes,
        "path_or_bytes",
        what=".keras file",
        fix="Check the name, or save the model there first with `model.save(path)`.",
    )
    source = f"`{shorten(name or path, 60, path=True)}`"
    if path.stat().st_size == 0:
        raise ValueError(f"{source} is empty, so it is not a Keras 3 .keras file.")
    return source, path


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
    source, stream = _source_and_stream(path_or_bytes, name)
    config, metadata, weights = _read_archive(stream, source)
    if config.get("class_name") != "Sequential":
        kind = config.get("class_name", "model of unknown kind")
        raise ValueError(
            f"{source} holds a {_shown(kind)} model; cnnviz.network runs Sequential models "
            f"(`keras.Sequential([...])`) of {_supported_text()}."
        )
    model_config = _object(config.get("config"))
    layer_configs = model_config.get("layers")
    if not isinstance(layer_configs, list) or not all(
        isinstance(layer, dict) for layer in layer_configs
    ):
        raise ValueError(f"{source}: config.json lists no layers. {_SAVE_HINT}")
    if len(layer_configs) > _MAX_LAYERS:
        raise ValueError(
            f"{source}: config.json lists {len(layer_configs):,} layers, more than the "
            f"{_MAX_LAYERS:,} cnnviz.network runs. Use a smaller model."
        )
    input_shape = _input_shape(model_config, layer_configs, source)
    specs = [
        _Spec(layer.get("class_name"), layer.get("config"), source)
        for layer in layer_configs
        if layer.get("class_name") != "InputLayer"
    ]
    for spec in specs:
        spec.check()
    model_name = model_config.get("name", "model")
    version = metadata.get("keras_version")

    import h5py

    try:
        h5file = h5py.File(io.BytesIO(weights), "r")
    except _H5_ERRORS:
        raise ValueError(
            f"{source} is corrupt or truncated: model.weights.h5 is not a readable HDF5 "
            f"file. {_DAMAGED}"
        ) from None
    with h5file:
        try:
            yield KerasFile(
                model_name if isinstance(model_name, str) else _shown(model_name),
                input_shape,
                specs,
                _WeightStore(h5file, source).take,
                source,
                version if isinstance(version, str) else None,
            )
        except _H5_ERRORS as exc:
            if type(exc) is ValueError and str(exc).startswith(source):
                raise  # cnnviz's own message about this file
            raise ValueError(
                f"{source} is corrupt or truncated: its weights cannot be read. {_DAMAGED}"
            ) from None
