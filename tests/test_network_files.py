"""cnnviz.network.files: reading a .keras file, and every bad, careless or hostile one.

A file that is not what Keras 3 writes (not a zip, truncated, a zip bomb, JSON that is not
an object or nests without end, layer settings of absurd sizes or kinds, weights that
disagree with the configuration or are not finite, an input of huge size, a model that is
not Sequential) must give a ValueError that names the file (and the layer, where there is
one) and says what to do, in at most MESSAGE_LIMIT characters: never another exception, a
MemoryError, a raw zipfile/json/h5py message, or a silently wrong network.
"""

from __future__ import annotations

import io
import json
import re
import struct
import zipfile

import h5py
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnnviz._validation import MESSAGE_LIMIT
from cnnviz.network import SHIPPED_MODEL, Network

NAME = "upload.keras"  # how every message below must name the file
SOURCE = f"`{NAME}`"


# ----------------------------------------------------------------------------- files to build


def members(path=SHIPPED_MODEL):
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def zipped(contents):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data in contents.items():
            z.writestr(name, data)
    return buffer.getvalue()


def with_config(edit):
    contents = members()
    config = json.loads(contents["config.json"])
    edit(config)
    contents["config.json"] = json.dumps(config)
    return zipped(contents)


def with_weights(edit):
    """The shipped file with ``edit(h5file)`` applied to a copy of its weights."""
    contents = members()
    buffer = io.BytesIO(contents["model.weights.h5"])
    with h5py.File(buffer, "r+") as f:
        edit(f)
    contents["model.weights.h5"] = buffer.getvalue()
    return zipped(contents)


def layer_config(config, name):
    return next(lay for lay in config["config"]["layers"] if lay["config"]["name"] == name)


def no_input_shape(config):
    config["config"]["layers"].pop(0)  # the InputLayer
    config["config"].pop("build_input_shape", None)
    config.pop("build_config", None)
    for layer in config["config"]["layers"]:
        layer.pop("build_config", None)


def set_value(path, value):
    def edit(f):
        data = f[path][()]
        data.flat[0] = value
        f[path][...] = data

    return edit


@pytest.mark.parametrize(
    ("blob", "match"),
    [
        (b"", r"the model file is empty, so it is not a Keras 3 \.keras file"),
        (b"just some text", r"is not a zip archive.*model\.save\('my_model\.keras'\)"),
        (SHIPPED_MODEL.read_bytes()[:40_000], r"not a zip archive.*cut short"),
        (zipped({"config.json": "{}"}), r"has no model\.weights\.h5"),
        (zipped({"a.txt": "x"}), r"has no config\.json and no model\.weights\.h5"),
        (
            zipped({**members(), "config.json": "{not json"}),
            r"config\.json is not valid JSON",
        ),
        (
            zipped({**members(), "model.weights.h5": b"\x89HDF garbage"}),
            r"corrupt or truncated: model\.weights\.h5 is not a readable HDF5 file",
        ),
        (
            zipped({**members(), "model.weights.h5": members()["model.weights.h5"][:9_000]}),
            r"corrupt or truncated",
        ),
        (
            with_config(lambda c: c.update(class_name="Functional")),
            r"holds a 'Functional' model; cnnviz\.network runs Sequential models",
        ),
        (
            with_config(lambda c: layer_config(c, "pool1").update(class_name="BatchNormalization")),
            r"layer 'pool1' \(BatchNormalization\) is not supported; cnnviz\.network runs "
            r"Conv2D, MaxPooling2D, .* Rebuild the model without it\.",
        ),
        (
            with_config(lambda c: layer_config(c, "conv1")["config"].update(activation="gelu")),
            r"layer 'conv1' \(Conv2D\) uses the activation 'gelu'; supported: relu, linear",
        ),
        (
            with_config(lambda c: layer_config(c, "pool2")["config"].update(padding="same")),
            r"layer 'pool2' \(MaxPooling2D\) uses padding='same'; only 'valid'",
        ),
        (
            with_config(lambda c: layer_config(c, "conv2")["config"].update(dilation_rate=[2, 2])),
            r"layer 'conv2' \(Conv2D\) uses a dilation_rate other than 1",
        ),
        (
            with_config(lambda c: layer_config(c, "conv2")["config"].update(filters=16)),
            r"layer 'conv2' \(Conv2D\) needs a kernel of shape \(3, 3, 32, 16\) for its input "
            r"\(None, 13, 13, 32\), but the weights hold \(3, 3, 32, 64\): they do not match "
            r"the configuration",
        ),
        (
            with_config(lambda c: layer_config(c, "output")["config"].update(name="out")),
            r"layer 'out' \(Dense\) finds its weights in layers/dense_1, which belong to "
            r"'output'",
        ),
        (with_config(no_input_shape), r"the model has no fixed input shape"),
        (
            with_weights(lambda f: f.__delitem__("layers/dense_1")),
            r"layer 'output' \(Dense\) needs 2 weight arrays \(kernel, bias\) but the weights "
            r"hold none",
        ),
        (
            with_weights(set_value("layers/conv2d/vars/0", np.nan)),
            r"layer 'conv1' \(Conv2D\) has 1 NaN or infinite values in its kernel \(or values "
            r"beyond float32's 3\.4e38\): training diverged",
        ),
        (
            with_weights(set_value("layers/dense/vars/1", np.inf)),
            r"layer 'dense1' \(Dense\) has 1 NaN or infinite values in its bias",
        ),
    ],
    ids=lambda value: value[:48] if isinstance(value, str) else f"{len(value)}-bytes",
)
def test_bad_files(blob, match):
    with pytest.raises(ValueError, match=match):
        Network.from_keras_file(blob)


def test_external_link_is_refused():
    def link(f):
        del f["layers/dense_1/vars/1"]
        f["layers/dense_1/vars/1"] = h5py.ExternalLink("/etc/passwd", "/x")

    link_message = r"layer 'output' \(Dense\) has weight 1 as a link to another file"
    with pytest.raises(ValueError, match=link_message):
        Network.from_keras_file(with_weights(link))


# ----------------------------------------------------------------------------- hostile files


def open_hostile(blob, *, layer=None, fix, what):
    """The ValueError for ``blob``: names the file (and the layer), says ``what`` and the
    ``fix``, and is short."""
    with pytest.raises(ValueError) as info:
        Network.from_keras_file(blob, name=NAME)
    assert type(info.value) is ValueError
    message = str(info.value)
    assert len(message) <= MESSAGE_LIMIT, f"{len(message)} characters: {message}"
    assert message.startswith(SOURCE), message
    if layer is not None:
        assert f"layer {layer!r}" in message, message
    assert re.search(what, message), message
    assert re.search(fix, message), message
    return message


def declared_size(blob, member, size):
    """``blob`` with the uncompressed size the zip declares for ``member`` set to ``size``
    (in the local header and the central directory): what a zip bomb lies about."""
    data = bytearray(blob)
    encoded = member.encode()
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            name_at = start + (30 if offset == 22 else 46)
            if data[name_at : name_at + len(encoded)] == encoded:
                struct.pack_into("<I", data, start + offset, size)
            start += 4
    return bytes(data)


def deflated(contents):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in contents.items():
            z.writestr(name, data)
    return buffer.getvalue()


def conv1(**settings):
    return with_config(lambda c: layer_config(c, "conv1")["config"].update(settings))


def dense1(**settings):
    return with_config(lambda c: layer_config(c, "dense1")["config"].update(settings))


def input_shape(shape):
    return with_config(lambda c: c["config"]["layers"][0]["config"].update(batch_shape=shape))


def huge_compressed_kernel(f):
    # A chunked, compressed dataset claiming 1600 x 10^7 floats (64 GB) in a few bytes:
    # read blindly, it is a MemoryError (or a machine brought to its knees).
    del f["layers/dense/vars/0"]
    f.create_dataset(
        "layers/dense/vars/0",
        shape=(1600, 10**7),
        dtype="f4",
        chunks=(16, 1000),
        compression="gzip",
    )


SAVE_AGAIN = r"[Ss]ave the model again|[Ss]ave the model with Keras 3"
DAMAGED = r"Copy or upload the file again|cut short"
SMALLER = r"Use a smaller model|smaller images"
REBUILD = r"Rebuild the model"
SETTINGS = r"must be a (positive integer|pair of positive integers|number)|it must be true or"

ZIP_BOMBS = {
    "config.json declares 4 GB": (
        declared_size(SHIPPED_MODEL.read_bytes(), "config.json", 0xFFFFFFF0),
        r"config\.json would unpack to 4,294,967,280 bytes, more than the 10,000,000",
    ),
    "weights declare 4 GB": (
        declared_size(SHIPPED_MODEL.read_bytes(), "model.weights.h5", 0xFFFFFFF0),
        r"model\.weights\.h5 would unpack to 4,294,967,280 bytes",
    ),
    "config.json is 11 MB of spaces, deflated": (
        deflated({**members(), "config.json": "{" + " " * 11_000_000 + "}"}),
        r"config\.json would unpack to 11,000,002 bytes",
    ),
}


@pytest.mark.parametrize("blob, what", ZIP_BOMBS.values(), ids=ZIP_BOMBS)
def test_zip_bombs_are_refused_before_unpacking(blob, what):
    open_hostile(blob, what=what, fix=SMALLER)


def test_a_zip_that_declares_less_than_it_holds_is_corrupt():
    # zipfile unpacks no more than declared, then the CRC check fails: a damaged file.
    blob = declared_size(SHIPPED_MODEL.read_bytes(), "config.json", 10)
    open_hostile(blob, what=r"corrupt or truncated: config\.json cannot be unpacked", fix=DAMAGED)


NOT_JSON_OBJECTS = {
    "not JSON": ("{not json", r"config\.json is not valid JSON \(a mistake at character 1\)"),
    "a list": ("[1, 2]", r"config\.json holds list, not a JSON object"),
    "a number": ("42", r"holds int, not a JSON object"),
    "not UTF-8": (b'{"a": "\xff"}', r"config\.json is not readable JSON text"),
    "a number of 5,000 digits": ('{"a": ' + "9" * 5000 + "}", r"is not readable JSON text"),
    "nested 100,000 deep": ("[" * 100_000 + "]" * 100_000, r"is nested too deeply to read"),
    "nested 500 deep": (
        '{"class_name": "Sequential", "config": ' + "[" * 500 + "]" * 500 + "}",
        r"config\.json is nested more than 100 levels deep",
    ),
}


@pytest.mark.parametrize("text, what", NOT_JSON_OBJECTS.values(), ids=NOT_JSON_OBJECTS)
def test_config_that_is_not_a_json_object(text, what):
    open_hostile(zipped({**members(), "config.json": text}), what=what, fix=SAVE_AGAIN)


ABSURD_SETTINGS = {
    "filters=10**9": (conv1(filters=10**9), "conv1", r"would need 10,000,000,000 weights"),
    "filters=True": (conv1(filters=True), "conv1", r"has filters=True; it must be a positive"),
    "filters=32.0": (conv1(filters=32.0), "conv1", r"has filters=32\.0"),
    "filters='32'": (conv1(filters="32"), "conv1", r"has filters='32'"),
    "filters=-1": (conv1(filters=-1), "conv1", r"has filters=-1"),
    "filters=10**30": (conv1(filters=10**30), "conv1", r"filters=an integer of about 31"),
    "kernel_size=10**6": (conv1(kernel_size=[10**6, 10**6]), "conv1", r"larger than its input"),
    "kernel_size=10**12": (conv1(kernel_size=10**12), "conv1", r"has kernel_size=\(10+, 10+\)"),
    "kernel_size=-3": (conv1(kernel_size=[-3, 3]), "conv1", r"kernel_size=\[-3, 3\]"),
    "kernel_size bool": (conv1(kernel_size=[3, True]), "conv1", r"kernel_size=\[3, True\]"),
    "kernel_size float": (conv1(kernel_size=[3.0, 3.0]), "conv1", r"kernel_size=\[3\.0, 3\.0\]"),
    "kernel_size text": (conv1(kernel_size="3x3"), "conv1", r"kernel_size='3x3'"),
    "strides=0": (conv1(strides=[0, 0]), "conv1", r"strides=\[0, 0\]"),
    "units=10**9": (dense1(units=10**9), "dense1", r"would need 1,601,000,000,000 weights"),
    "units bool": (dense1(units=False), "dense1", r"has units=False"),
    "use_bias text": (dense1(use_bias="yes"), "dense1", r"use_bias='yes'; it must be true or"),
    "padding list": (conv1(padding=["same"]), "conv1", r"uses padding=\['same'\]; only"),
    "custom activation": (
        conv1(activation={"module": "x", "class_name": "Evil"}),
        "conv1",
        r"uses the activation a custom function",
    ),
    "huge output": (
        conv1(filters=20_000, kernel_size=1),
        "conv1",
        r"would need 15,680,000 output values per image, more than the 10,000,000",
    ),
}


@pytest.mark.parametrize("blob, layer, what", ABSURD_SETTINGS.values(), ids=ABSURD_SETTINGS)
def test_layer_settings_of_absurd_size_or_kind(blob, layer, what):
    open_hostile(blob, layer=layer, what=what, fix=REBUILD + "|" + SMALLER)


def odd_layer(**entry):
    def edit(c):
        layer_config(c, "pool1").clear()
        layer_config_list = c["config"]["layers"]
        index = next(i for i, lay in enumerate(layer_config_list) if not lay)
        layer_config_list[index] = entry

    return with_config(edit)


ODD_LAYERS = {
    "settings a list": (
        odd_layer(class_name="MaxPooling2D", config=[1, 2]),
        "MaxPooling2D",
        r"has settings \[1, 2\], not a JSON object",
        SAVE_AGAIN,
    ),
    "a name 10,000 long": (
        odd_layer(class_name="MaxPooling2D", config={"name": "p" * 10_000}),
        None,
        r"layer 'p+ \.\.\. p+' \(MaxPooling2D\) finds its weights in layers/max_pooling2d",
        SAVE_AGAIN,
    ),
    "a name that is a number": (
        odd_layer(class_name="MaxPooling2D", config={"name": 7}),
        None,
        r"has the name 7; a layer's name is text",
        SAVE_AGAIN,
    ),
    "class a list": (
        odd_layer(class_name=["Conv2D"], config={"name": "odd"}),
        "odd",
        r"\(\['Conv2D'\]\) is not supported",
        REBUILD,
    ),
    "class unknown": (
        odd_layer(class_name="Lambda", config={"name": "odd", "function": "os.system"}),
        "odd",
        r"\(Lambda\) is not supported; cnnviz\.network runs Conv2D",
        REBUILD,
    ),
}


@pytest.mark.parametrize("blob, layer, what, fix", ODD_LAYERS.values(), ids=ODD_LAYERS)
def test_layers_that_keras_would_not_write(blob, layer, what, fix):
    open_hostile(blob, layer=layer, what=what, fix=fix)


WEIGHTS_THAT_DISAGREE = {
    "kernel of another shape": (
        with_weights(
            lambda f: (
                f["layers/conv2d/vars"].__delitem__("0")
                or f["layers/conv2d/vars"].create_dataset("0", data=np.zeros((5, 5, 1, 32)))
            )
        ),
        "conv1",
        r"needs a kernel of shape \(3, 3, 1, 32\) .* but the weights hold \(5, 5, 1, 32\)",
    ),
    "64 GB compressed kernel": (
        with_weights(huge_compressed_kernel),
        "dense1",
        r"needs a kernel of shape \(1600, 128\) .* hold \(1600, 10000000\)",
    ),
    "a third array": (
        with_weights(lambda f: f["layers/dense/vars"].create_dataset("2", data=[1.0])),
        "dense1",
        r"needs 2 weight arrays \(kernel, bias\) but the weights hold 3",
    ),
    "text weights": (
        with_weights(
            lambda f: (
                f["layers/dense/vars"].__delitem__("1")
                or f["layers/dense/vars"].create_dataset("1", data=np.array(["x"] * 128, "S1"))
            )
        ),
        "dense1",
        r"has a bias of \|S1 values, not numbers",
    ),
    "a stranger's name": (
        with_weights(lambda f: f["layers/dense/vars"].attrs.__setitem__("name", "intruder")),
        "dense1",
        r"finds its weights in layers/dense, which belong to 'intruder'",
    ),
}


@pytest.mark.parametrize(
    "blob, layer, what", WEIGHTS_THAT_DISAGREE.values(), ids=WEIGHTS_THAT_DISAGREE
)
def test_weights_that_disagree_with_the_configuration(blob, layer, what):
    open_hostile(blob, layer=layer, what=what, fix=SAVE_AGAIN)


NOT_FINITE = {
    "NaN in a kernel": (set_value("layers/conv2d/vars/0", np.nan), "conv1", r"has 1 NaN or inf"),
    "inf in a bias": (set_value("layers/dense/vars/1", -np.inf), "dense1", r"in its bias"),
}


def float64_beyond_float32(f):
    del f["layers/dense_1/vars/1"]
    f["layers/dense_1/vars/1"] = np.full(10, 1e300)


@pytest.mark.parametrize("edit, layer, what", NOT_FINITE.values(), ids=NOT_FINITE)
def test_weights_that_are_not_finite_are_refused(edit, layer, what):
    open_hostile(with_weights(edit), layer=layer, what=what, fix=r"Train the model again")


def test_weights_beyond_float32_are_refused():
    open_hostile(
        with_weights(float64_beyond_float32),
        layer="output",
        what=r"10 NaN or infinite values in its bias \(or values beyond float32's 3\.4e38\)",
        fix=r"Train the model again",
    )


def test_weights_so_large_that_float32_overflows_are_named_when_run():
    # Finite weights, accepted; but dense1's sums overflow float32: an error naming that
    # layer (the first whose output is not finite), never NaN probabilities.
    net = Network.from_keras_file(
        with_weights(lambda f: f["layers/dense/vars/0"].__setitem__(..., 1e36)), name=NAME
    )
    ones = np.full((1, 28, 28), 255, np.uint8)
    for run in (net.predict, net.activations, lambda x: net.activations(x, "output")):
        with pytest.raises(ValueError) as info:
            run(ones)
        message = str(info.value)
        assert len(message) <= MESSAGE_LIMIT
        assert re.search(
            r"layer 'dense1' \(Dense\) gives infinite or NaN values for these `images`: its "
            r"weights are so large that float32 overflows\. Train the model again",
            message,
        ), message
    assert np.isfinite(net.activations(ones, ["conv1", "pool2"])["pool2"]).all()


INPUT_SHAPES = {
    "10^6 x 10^6": (
        [None, 10**6, 10**6, 1],
        r"images of shape \(1000000, 1000000, 1\), more",
    ),
    "10^12 rows": ([None, 10**12, 28, 1], r"takes input of shape \[None, 10+, 28, 1\]"),
    "five axes": ([None, 28, 28, 1, 1], r"takes input of shape \[None, 28, 28, 1, 1\]"),
    "no rows": ([None, 0, 28, 1], r"has no fixed input shape"),
    "text": ([None, "28", 28, 1], r"has no fixed input shape"),
}


@pytest.mark.parametrize("shape, what", INPUT_SHAPES.values(), ids=INPUT_SHAPES)
def test_input_shapes_of_huge_or_odd_size(shape, what):
    open_hostile(input_shape(shape), what=what, fix=r"keras\.Input\(shape=\(28, 28, 1\)\)")


NOT_SEQUENTIAL = {
    "Functional": ({"class_name": "Functional"}, r"holds a 'Functional' model; cnnviz\.network"),
    "no class": ({}, r"holds a 'model of unknown kind' model"),
    "class a list": ({"class_name": ["Sequential"] * 1000}, r"holds a \['Sequential', .* model"),
    "no config": ({"class_name": "Sequential", "config": [1]}, r"config\.json lists no layers"),
    "no layers": ({"class_name": "Sequential", "config": {"layers": 5}}, r"lists no layers"),
}


@pytest.mark.parametrize("config, what", NOT_SEQUENTIAL.values(), ids=NOT_SEQUENTIAL)
def test_models_that_are_not_sequential(config, what):
    blob = zipped({**members(), "config.json": json.dumps(config)})
    open_hostile(blob, what=what, fix=r"keras\.Sequential|" + SAVE_AGAIN)


def cut(member, fraction):
    contents = members()
    contents[member] = contents[member][: int(len(contents[member]) * fraction)]
    return zipped(contents)


TRUNCATED = {
    **{
        f"file at {f:.0%}": (SHIPPED_MODEL.read_bytes()[: int(928_960 * f)], r"not a zip archive")
        for f in (0.001, 0.3, 0.99)
    },
    **{
        f"weights at {f:.0%}": (cut("model.weights.h5", f), r"corrupt or truncated")
        for f in (0.001, 0.01, 0.5, 0.999)
    },
    "config.json at 50%": (cut("config.json", 0.5), r"config\.json is not valid JSON"),
    "deflated, damaged": (
        (lambda b: b[:3000] + bytes(200) + b[3200:])(deflated(members())),
        r"corrupt or truncated: .* cannot be unpacked|not a zip archive",
    ),
}


@pytest.mark.parametrize("blob, what", TRUNCATED.values(), ids=TRUNCATED)
def test_truncated_or_damaged_archives(blob, what):
    open_hostile(blob, what=what, fix=DAMAGED + "|" + SAVE_AGAIN)


def test_too_many_members_and_paths_that_are_not_files(tmp_path):
    many = zipped({**members(), **{f"junk/{i}": b"" for i in range(1_001)}})
    open_hostile(many, what=r"a zip archive of 1,004 files, not a Keras 3", fix=SAVE_AGAIN)
    for path, what in ((tmp_path, r"is a folder"), ("/dev/null", r"device, pipe or other")):
        with pytest.raises(ValueError, match=r"`path_or_bytes` .*" + what):
            Network.from_keras_file(path)
    with pytest.raises(ValueError, match=r"`path_or_bytes` .* cannot be used as a \.keras file"):
        Network.from_keras_file("x" * 5000 + ".keras")
    empty = tmp_path / "empty.keras"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match=r"empty\.keras` is empty"):
        Network.from_keras_file(empty)


# ----------------------------------------------------------------------------- fuzzed files
# Damage anywhere in the archive (the zip's CRC-32 then guards the HDF5 bytes: HDF5 itself
# can loop for ever on some damaged metadata, so h5py is never handed damaged bytes here),
# and text anywhere in config.json.

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ARCHIVES = {"stored": SHIPPED_MODEL.read_bytes(), "deflated": deflated(members())}


def only_short_value_errors(blob):
    try:
        Network.from_keras_file(blob, name=NAME)
    except ValueError as exc:
        message = str(exc)
        assert len(message) <= MESSAGE_LIMIT, message
        assert message.startswith(SOURCE), message


@FUZZ
@given(
    kind=st.sampled_from(sorted(ARCHIVES)),
    cuts=st.lists(st.tuples(st.floats(0, 1), st.binary(max_size=8)), min_size=1, max_size=4),
    keep=st.floats(0, 1),
)
def test_damaged_archives_give_only_short_value_errors(kind, cuts, keep):
    data = bytearray(ARCHIVES[kind])
    for where, junk in cuts:
        at = int(where * (len(data) - 1))
        data[at : at + len(junk)] = junk
    only_short_value_errors(bytes(data[: max(1, int(keep * len(data)))] if keep < 0.5 else data))


@FUZZ
@given(
    where=st.floats(0, 1),
    length=st.integers(0, 40),
    text=st.text(max_size=40) | st.sampled_from(["[" * 5000, "1e999", "-1", "true", "null"]),
)
def test_edited_config_gives_a_network_or_a_short_value_error(where, length, text):
    config = members()["config.json"].decode()
    at = int(where * len(config))
    only_short_value_errors(
        zipped({**members(), "config.json": config[:at] + text + config[at + length :]})
    )
