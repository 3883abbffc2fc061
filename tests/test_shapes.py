"""cnnviz.shapes: output sizes and parameter counts by hand, against Keras layers and a real
``keras.Sequential``, and against what cnnviz.filters and cnnviz.pooling actually produce."""

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnviz.filters import apply_filter
from cnnviz.pooling import max_pool
from cnnviz.shapes import (
    Conv2D,
    Dense,
    Flatten,
    LayerRow,
    LayerTable,
    Pool2D,
    conv_output_size,
    conv_params,
    dense_params,
    explain_conv_output_size,
    layer_table,
    pool_output_size,
)

PAIRS = st.integers(1, 4) | st.tuples(st.integers(1, 4), st.integers(1, 4))


def pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)


# --- by hand -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((28, 3), 26),  # (28 - 3) // 1 + 1
        ((28, 3, "same"), 28),
        ((28, 3, "SAME"), 28),
        ((28, 3, "same", 2), 14),  # ceil(28 / 2)
        ((27, 4, "same", 2), 14),  # ceil(27 / 2)
        ((28, 5, 2), 28),  # (28 + 4 - 5) // 1 + 1
        ((7, 3, 1, 2), 4),  # (7 + 2 - 3) // 2 + 1
        ((7, 3, "valid", 3), 2),  # (7 - 3) // 3 + 1
        ((3, 3), 1),
        ((1, 3, 1), 1),  # (1 + 2 - 3) // 1 + 1
        (((28, 32), 3), (26, 30)),
        ((28, (3, 5)), (26, 24)),
        ((28, 3, "same", (1, 2)), (28, 14)),
        (((28, 32), (5, 3), 2, (3, 2)), (10, 17)),  # 27//3+1, 33//2+1
    ],
)
def test_conv_output_size_by_hand(args, expected):
    out = conv_output_size(*args)
    assert out == expected
    assert type(out) is type(expected)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((28,), 14),
        ((27,), 13),  # the odd trailing row is dropped
        ((27, 2, None, "same"), 14),
        ((28, 3, 2), 13),  # (28 - 3) // 2 + 1
        ((28, 3, 1), 26),
        ((5, 5), 1),
        (((28, 27),), (14, 13)),
        ((28, (2, 4)), (14, 7)),
        ((28, 2, (1, 2)), (27, 14)),
    ],
)
def test_pool_output_size_by_hand(args, expected):
    out = pool_output_size(*args)
    assert out == expected
    assert type(out) is type(expected)


def test_conv_params_by_hand():
    assert conv_params(3, 1, 32) == 3 * 3 * 1 * 32 + 32
    assert conv_params(3, 32, 64) == 3 * 3 * 32 * 64 + 64
    assert conv_params(3, 3, 64, bias=False) == 3 * 3 * 3 * 64
    assert conv_params((3, 5), 3, 16) == 3 * 5 * 3 * 16 + 16
    # sharing: the image size does not matter
    assert conv_params(3, 1, 32, input_size=28) == conv_params(3, 1, 32, input_size=280) == 320


def test_locally_connected_params_by_hand():
    # 26 x 26 positions, each with its own 32 kernels of 3x3 and 32 biases
    assert conv_params(3, 1, 32, weight_sharing=False, input_size=28) == 26 * 26 * (9 * 32 + 32)
    assert conv_params(3, 1, 32, weight_sharing=False, input_size=28, padding="same") == (
        28 * 28 * (9 * 32 + 32)
    )
    assert conv_params(
        (2, 3), 3, 4, bias=False, weight_sharing=False, input_size=(6, 9), stride=(2, 3)
    ) == (3 * 3) * (2 * 3 * 3 * 4)


def test_dense_params_by_hand():
    assert dense_params(784, 128) == 784 * 128 + 128
    assert dense_params(128, 10, bias=False) == 1280
    assert dense_params(1, 1) == 2


# --- against Keras ---------------------------------------------------------------------


@pytest.mark.tensorflow
@settings(deadline=None, max_examples=40)
@given(
    st.tuples(st.integers(1, 40), st.integers(1, 40)),
    st.integers(1, 4),
    st.integers(1, 7) | st.tuples(st.integers(1, 7), st.integers(1, 7)),
    st.integers(1, 5),
    st.sampled_from(["valid", "same"]),
    PAIRS,
    st.booleans(),
)
def test_conv_matches_keras(keras, size, channels, kernel, filters, padding, stride, bias):
    layer = keras.layers.Conv2D(filters, kernel, strides=stride, padding=padding, use_bias=bias)
    try:
        expected = layer.compute_output_shape((None, *size, channels))
    except ValueError:  # Keras: "Computed output size would be zero or negative"
        with pytest.raises(ValueError, match="is larger than the padded input"):
            conv_output_size(size, kernel, padding, stride)
        return
    assert conv_output_size(size, kernel, padding, stride) == tuple(expected[1:3])
    layer.build((None, *size, channels))
    assert conv_params(kernel, channels, filters, bias=bias) == layer.count_params()
    # without sharing: one set of the layer's weights per output position
    positions = expected[1] * expected[2]
    assert (
        conv_params(
            kernel,
            channels,
            filters,
            bias=bias,
            weight_sharing=False,
            input_size=size,
            padding=padding,
            stride=stride,
        )
        == positions * layer.count_params()
    )


@pytest.mark.tensorflow
@settings(deadline=None, max_examples=30)
@given(
    st.tuples(st.integers(1, 30), st.integers(1, 30)),
    st.integers(1, 5),
    st.integers(0, 3),
    PAIRS,
)
def test_integer_padding_matches_keras_zero_padding_then_valid(keras, size, kernel, pad, stride):
    padded = keras.layers.ZeroPadding2D(pad).compute_output_shape((None, *size, 1))
    layer = keras.layers.Conv2D(1, kernel, strides=stride, padding="valid")
    try:
        expected = layer.compute_output_shape(padded)
    except ValueError:
        with pytest.raises(ValueError, match="is larger than the padded input"):
            conv_output_size(size, kernel, pad, stride)
        return
    assert conv_output_size(size, kernel, pad, stride) == tuple(expected[1:3])


@pytest.mark.tensorflow
@settings(deadline=None, max_examples=40)
@given(
    st.tuples(st.integers(1, 30), st.integers(1, 30)),
    st.integers(1, 5) | st.tuples(st.integers(1, 5), st.integers(1, 5)),
    st.none() | PAIRS,
    st.sampled_from(["valid", "same"]),
    st.sampled_from(["max", "average"]),
)
def test_pool_matches_keras(keras, size, pool, stride, padding, kind):
    cls = keras.layers.MaxPooling2D if kind == "max" else keras.layers.AveragePooling2D
    layer = cls(pool_size=pool, strides=stride, padding=padding)
    try:
        expected = layer.compute_output_shape((None, *size, 3))
    except ValueError:  # Keras: "Computed output size would be zero or negative"
        with pytest.raises(ValueError, match="`pool_size` .* is larger than the padded input"):
            pool_output_size(size, pool, stride, padding)
        return
    assert pool_output_size(size, pool, stride, padding) == tuple(expected[1:3])


@pytest.mark.tensorflow
@pytest.mark.parametrize(
    ("size", "kernel", "padding", "stride"),
    [((28, 28), 3, "valid", 1), ((28, 27), 4, "same", 2), ((9, 13), (2, 5), "same", (3, 2))],
)
def test_conv_output_size_matches_an_actual_keras_call(keras, size, kernel, padding, stride):
    layer = keras.layers.Conv2D(2, kernel, strides=stride, padding=padding)
    out = layer(np.zeros((1, *size, 3), dtype=np.float32))
    assert conv_output_size(size, kernel, padding, stride) == tuple(out.shape[1:3])
    pooled = keras.layers.MaxPooling2D(kernel, strides=stride)(np.zeros((1, *size, 1), "float32"))
    assert pool_output_size(size, kernel, stride) == tuple(pooled.shape[1:3])


@pytest.mark.tensorflow
@pytest.mark.parametrize(
    ("inputs", "units", "bias"), [(784, 128, True), (5, 3, False), (1, 1, True)]
)
def test_dense_params_matches_keras(keras, inputs, units, bias):
    layer = keras.layers.Dense(units, use_bias=bias)
    layer.build((None, inputs))
    assert dense_params(inputs, units, bias) == layer.count_params()


def to_keras(keras, layer):
    if isinstance(layer, Conv2D):
        return keras.layers.Conv2D(
            layer.filters,
            layer.kernel_size,
            strides=layer.stride,
            padding=layer.padding,
            use_bias=layer.bias,
        )
    if isinstance(layer, Pool2D):
        cls = keras.layers.MaxPooling2D if layer.kind == "max" else keras.layers.AveragePooling2D
        return cls(pool_size=layer.size, strides=layer.stride, padding=layer.padding)
    if isinstance(layer, Flatten):
        return keras.layers.Flatten()
    return keras.layers.Dense(layer.units, use_bias=layer.bias)


ARCHITECTURES = {
    "classic_cnn": (
        (28, 28, 1),
        [Conv2D(32, 3), Pool2D(), Conv2D(64, 3), Pool2D(), Flatten(), Dense(128), Dense(10)],
    ),
    "dense_on_raw_pixels": ((28, 28), [Flatten(), Dense(128), Dense(10)]),
    "strides_same_average_no_bias": (
        (32, 32, 3),
        [
            Conv2D(16, (3, 5), "same", 2),
            Pool2D(3, 2, "average"),
            Conv2D(8, 2, "same", (1, 2), bias=False),
            Pool2D((2, 1), padding="same"),
            Flatten(),
            Dense(7, bias=False),
        ],
    ),
    "odd_sizes_and_dense_on_a_feature_map": (
        (27, 27, 1),
        [Conv2D(4, 4), Pool2D(), Dense(5), Flatten(), Dense(1)],
    ),
}


@pytest.mark.tensorflow
@pytest.mark.parametrize("name", list(ARCHITECTURES))
def test_layer_table_matches_a_keras_sequential(keras, name):
    input_shape, layers = ARCHITECTURES[name]
    model = keras.Sequential(
        [keras.Input(shape=input_shape), *(to_keras(keras, la) for la in layers)]
    )
    table = layer_table(input_shape, layers)
    assert len(table.rows) == len(model.layers)
    for row, keras_layer in zip(table.rows, model.layers, strict=True):
        assert row.output_shape == tuple(keras_layer.output.shape), row.label
        assert row.params == keras_layer.count_params(), row.label
    assert table.total == model.count_params()

    summary = []
    model.summary(print_fn=lambda line, *args, **kwargs: summary.append(line))
    text = "\n".join(summary)
    assert f"Total params: {table.total:,}" in text
    for row in table.rows:  # the same shapes and counts, written the same way
        assert str(row.output_shape) in text
        assert f"{row.params:,}" in text


def test_layer_table_with_a_locally_connected_layer():
    table = layer_table((10, 10, 2), [Conv2D(3, 3, stride=2, weight_sharing=False), Flatten()])
    # positions start at 0, 2, 4, 6 on each axis: 16, each with 3*3*2*3 weights and 3 biases
    starts = range(0, 10 - 3 + 1, 2)
    assert table.rows[0].output_shape == (None, len(starts), len(starts), 3)
    assert table.rows[0].params == len(starts) ** 2 * (3 * 3 * 2 * 3 + 3)
    assert table.rows[0].label.startswith("LocallyConnected2D")
    assert table.total == 16 * 57


@settings(deadline=None, max_examples=200)
@given(
    st.tuples(st.integers(1, 25), st.integers(1, 25)),
    st.integers(1, 5) | st.tuples(st.integers(1, 5), st.integers(1, 5)),
    st.sampled_from(["valid", "same"]) | st.integers(0, 3),
    PAIRS,
    st.integers(1, 3),
    st.integers(1, 3),
    st.booleans(),
)
def test_locally_connected_count_by_enumerating_positions(
    size, kernel, padding, stride, channels, filters, bias
):
    (kh, kw), (sr, sc) = pair(kernel), pair(stride)
    if padding == "valid":
        pads = (0, 0)
    elif padding == "same":  # Keras "same": enough zeros for ceil(n / s) positions
        pads = tuple(
            max((math.ceil(n / s) - 1) * s + k - n, 0)
            for n, k, s in zip(size, (kh, kw), (sr, sc), strict=True)
        )
    else:
        pads = (2 * padding, 2 * padding)
    positions = [
        (i, j)
        for i in range(0, size[0] + pads[0] - kh + 1, sr)
        for j in range(0, size[1] + pads[1] - kw + 1, sc)
    ]
    weights_per_position = kh * kw * channels * filters + (filters if bias else 0)
    expected = sum(weights_per_position for _ in positions)
    call = dict(bias=bias, weight_sharing=False, input_size=size, padding=padding, stride=stride)
    if not positions:
        with pytest.raises(ValueError, match="is larger than the padded input"):
            conv_params(kernel, channels, filters, **call)
        return
    assert conv_params(kernel, channels, filters, **call) == expected


# --- the shapes the package's own filters and pooling produce ---------------------------


@settings(deadline=None, max_examples=300)
@given(
    st.tuples(st.integers(1, 12), st.integers(1, 12)),
    st.tuples(st.integers(1, 5), st.integers(1, 5)),
    st.sampled_from(["valid", "same"]) | st.integers(0, 3),
    PAIRS,
)
def test_conv_output_size_never_disagrees_with_apply_filter(size, kernel, padding, stride):
    image, weights = np.zeros(size), np.ones(kernel)
    try:
        shape = apply_filter(image, weights, padding, stride=stride).shape
    except ValueError:
        with pytest.raises(ValueError, match="is larger than the padded input"):
            conv_output_size(size, kernel, padding, stride)
        return
    assert conv_output_size(size, kernel, padding, stride) == shape


@settings(deadline=None, max_examples=200)
@given(
    st.tuples(st.integers(1, 12), st.integers(1, 12)),
    st.integers(1, 5) | st.tuples(st.integers(1, 5), st.integers(1, 5)),
    st.none() | PAIRS,
)
def test_pool_output_size_never_disagrees_with_max_pool(size, pool, stride):
    try:
        shape = max_pool(np.zeros(size), pool, stride).shape
    except ValueError:
        with pytest.raises(ValueError, match="is larger than the padded input"):
            pool_output_size(size, pool, stride)
        return
    assert pool_output_size(size, pool, stride) == shape


# --- the formula, written out --------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((28, 3), "(28 + 2*0 - 3) // 1 + 1 = 26"),
        ((28, 3, 1), "(28 + 2*1 - 3) // 1 + 1 = 28"),
        ((7, 3, 1, 2), "(7 + 2*1 - 3) // 2 + 1 = 4"),
        ((28, 3, "same"), "ceil(28 / 1) = 28"),
        ((27, 4, "same", 2), "ceil(27 / 2) = 14"),
        (((28, 28), (3, 3)), "(28 + 2*0 - 3) // 1 + 1 = 26"),
        (
            ((28, 32), 5, "same", (2, 4)),
            "rows: ceil(28 / 2) = 14\ncolumns: ceil(32 / 4) = 8",
        ),
    ],
)
def test_explain_conv_output_size_by_hand(args, expected):
    assert explain_conv_output_size(*args) == expected


FORMULA = re.compile(r"\((\d+) \+ 2\*(\d+) - (\d+)\) // (\d+) \+ 1 = (\d+)")
CEIL = re.compile(r"ceil\((\d+) / (\d+)\) = (\d+)")


@settings(deadline=None, max_examples=200)
@given(
    st.integers(1, 40),
    st.integers(1, 7),
    st.sampled_from(["valid", "same"]) | st.integers(0, 3),
    st.integers(1, 4),
)
def test_explained_arithmetic_is_right(n, k, padding, s):
    if (padding == "valid" and n < k) or (isinstance(padding, int) and n + 2 * padding < k):
        with pytest.raises(ValueError, match="is larger than the padded input"):
            explain_conv_output_size(n, k, padding, s)
        return
    text = explain_conv_output_size(n, k, padding, s)
    if padding == "same":
        got_n, got_s, out = map(int, CEIL.fullmatch(text).groups())
        assert (got_n, got_s) == (n, s)
        assert out == -(-n // s)
    else:
        got_n, p, got_k, got_s, out = map(int, FORMULA.fullmatch(text).groups())
        assert (got_n, p, got_k, got_s) == (n, 0 if padding == "valid" else padding, k, s)
        assert out == (n + 2 * p - k) // s + 1


# --- layer descriptions and the table --------------------------------------------------------


def test_layer_labels():
    assert Conv2D(32, 3).label == "Conv2D: 32 filters 3x3, valid"
    assert Conv2D(8, (3, 5), "same", 2).label == "Conv2D: 8 filters 3x5, same, stride 2"
    assert Conv2D(8, 3, 1).label == "Conv2D: 8 filters 3x3, padding 1"
    assert Conv2D(8, 3, weight_sharing=False).label.startswith("LocallyConnected2D: 8 filters")
    assert Pool2D().label == "MaxPooling2D: 2x2"
    assert Pool2D(3, 2, "average", "same").label == "AveragePooling2D: 3x3, stride 2, same"
    assert Pool2D(2, 2).label == "MaxPooling2D: 2x2"
    assert Flatten().label == "Flatten"
    assert Dense(10).label == "Dense: 10 units"


def test_layer_table_rows_total_and_text():
    table = layer_table((28, 28, 1), [Conv2D(32, 3), Pool2D(), Flatten(), Dense(10)])
    assert isinstance(table, LayerTable)
    rows, total = table  # unpacks like a pair
    assert rows[0] == LayerRow("Conv2D: 32 filters 3x3, valid", (None, 26, 26, 32), 320)
    assert rows[1] == LayerRow("MaxPooling2D: 2x2", (None, 13, 13, 32), 0)
    assert rows[2] == LayerRow("Flatten", (None, 13 * 13 * 32), 0)
    assert rows[3] == LayerRow("Dense: 10 units", (None, 10), 13 * 13 * 32 * 10 + 10)
    assert total == 320 + 54090
    text = str(table)
    assert text == table.text()
    lines = text.splitlines()
    assert lines[0].split() == ["Layer", "Output", "shape", "Params"]
    assert "(None, 26, 26, 32)" in lines[2] and lines[2].endswith("320")
    assert lines[5].endswith("54,090")
    assert lines[-1] == "Total params: 54,410"


def test_layer_table_accepts_a_tuple_of_layers_and_an_empty_model():
    assert layer_table([4, 4, 1], (Flatten(),)).rows[0].output_shape == (None, 16)
    assert layer_table((4, 4, 1), []) == LayerTable([], 0)


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: conv_output_size(3, 5),
            ValueError,
            r"`kernel_size` 5 is larger than the padded input along the rows \(3 < 5\).*"
            r"Use padding='same', a `kernel_size` of at most 3, or a larger input",
        ),
        (
            lambda: conv_output_size((8, 3), 5, padding=0),
            ValueError,
            r"`kernel_size` 5 is larger than the padded input along the columns",
        ),
        (
            lambda: conv_output_size(3, 7, padding=1),
            ValueError,
            r"along the rows \(3 \+ 2\*1 = 5 < 7\).*at most 5",
        ),
        (lambda: conv_output_size("28", 3), TypeError, r"`size` must be an integer or a pair"),
        (lambda: conv_output_size(0, 3), ValueError, r"`size` must be at least 1; got 0"),
        (lambda: conv_output_size(28, (3, 0)), ValueError, r"`kernel_size\[1\]` must be at least"),
        (lambda: conv_output_size(28, 3, "full"), ValueError, r"`padding` must be one of 'valid'"),
        (lambda: conv_output_size(28, 3, 1.5), TypeError, r"`padding` must be 'valid', 'same' or"),
        (lambda: conv_output_size(28, 3, None), TypeError, r"`padding` must be 'valid', 'same' or"),
        (lambda: conv_output_size(28, 3, -1), ValueError, r"`padding` must be at least 0"),
        (lambda: conv_output_size(28, 3, stride=0), ValueError, r"`stride` must be at least 1"),
        (
            lambda: pool_output_size(3, 5),
            ValueError,
            r"`pool_size` 5 is larger than the padded input along the rows \(3 < 5\)",
        ),
        (lambda: pool_output_size(28, 2, padding=1), TypeError, r"`padding` must be one of"),
        (lambda: pool_output_size(28, 2, 0), ValueError, r"`stride` must be at least 1"),
        (lambda: pool_output_size(28, True), TypeError, r"`pool_size` must be an integer"),
        (
            lambda: conv_params(3, 1, 32, weight_sharing=False),
            TypeError,
            r"`input_size` is required when weight_sharing=False.*input_size=28",
        ),
        (lambda: conv_params(3, 0, 32), ValueError, r"`in_channels` must be at least 1"),
        (lambda: conv_params(3, 1, 2.5), TypeError, r"`filters` must be an integer"),
        (lambda: conv_params(3, 1, 8, bias="yes"), TypeError, r"`bias` must be True or False"),
        (lambda: conv_params(3, 1, 8, weight_sharing=1), TypeError, r"`weight_sharing` must be"),
        (
            lambda: conv_params(5, 1, 8, weight_sharing=False, input_size=3),
            ValueError,
            r"`kernel_size` 5 is larger than the padded input",
        ),
        (lambda: conv_params(3, 1, 8, input_size=(28,)), TypeError, r"`input_size` must be an int"),
        (lambda: dense_params(0, 10), ValueError, r"`inputs` must be at least 1"),
        (lambda: dense_params(784, None), TypeError, r"`units` must be an integer"),
        (lambda: dense_params(784, 10, bias=None), TypeError, r"`bias` must be True or False"),
        (lambda: explain_conv_output_size(3, 5), ValueError, r"`kernel_size` 5 is larger than"),
        (lambda: explain_conv_output_size(28, 3, "full"), ValueError, r"`padding` must be one of"),
        (lambda: Conv2D(0, 3), ValueError, r"`filters` must be at least 1"),
        (lambda: Conv2D(8, "3x3"), TypeError, r"`kernel_size` must be an integer or a pair"),
        (lambda: Conv2D(8, 3, padding="full"), ValueError, r"`padding` must be one of"),
        (lambda: Conv2D(8, 3, stride=0), ValueError, r"`stride` must be at least 1"),
        (lambda: Conv2D(8, 3, bias=0), TypeError, r"`bias` must be True or False"),
        (lambda: Pool2D(0), ValueError, r"`size` must be at least 1"),
        (lambda: Pool2D(2, (2, 0)), ValueError, r"`stride\[1\]` must be at least 1"),
        (lambda: Pool2D(kind="min"), ValueError, r"`kind` must be one of 'max', 'average'"),
        (lambda: Pool2D(padding=1), TypeError, r"`padding` must be one of"),
        (lambda: Dense(0), ValueError, r"`units` must be at least 1"),
        (lambda: Dense(10, bias=1), TypeError, r"`bias` must be True or False"),
        (lambda: layer_table("28x28", [Flatten()]), TypeError, r"`input_shape` must be a tuple"),
        (lambda: layer_table((), [Flatten()]), TypeError, r"`input_shape` must be a tuple"),
        (lambda: layer_table((28, 2.5), [Flatten()]), TypeError, r"`input_shape` must be a tuple"),
        (lambda: layer_table((28, 0, 1), []), ValueError, r"sizes of at least 1; got \(28, 0, 1\)"),
        (lambda: layer_table((28, 28, 1), Dense(10)), TypeError, r"`layers` must be a list"),
        (
            lambda: layer_table((28, 28, 1), [Flatten(), "Dense(10)"]),
            TypeError,
            r"`layers\[1\]` must be a Conv2D, Pool2D, Flatten or Dense from cnnviz.shapes",
        ),
        (
            lambda: layer_table((28, 28, 1), [Flatten(), Conv2D(8, 3)]),
            ValueError,
            r"`layers\[1\]` \(Conv2D: 8 filters 3x3, valid\) needs a \(rows, columns, channels\) "
            r"input, but the shape before it is \(None, 784\)",
        ),
        (
            lambda: layer_table((28, 28), [Pool2D()]),
            ValueError,
            r"`layers\[0\]` \(MaxPooling2D: 2x2\) needs a \(rows, columns, channels\)",
        ),
        (
            lambda: layer_table((5, 5, 1), [Conv2D(2, 3), Conv2D(2, 3), Conv2D(2, 3)]),
            ValueError,
            r"`layers\[2\]` \(Conv2D: 2 filters 3x3, valid\) does not fit its input of shape "
            r"\(None, 1, 1, 2\): `kernel_size` 3 is larger than the padded input",
        ),
        (
            lambda: layer_table((3, 3, 1), [Pool2D(4)]),
            ValueError,
            r"`layers\[0\]` \(MaxPooling2D: 4x4\) does not fit.*`pool_size` 4 is larger",
        ),
    ],
)
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
