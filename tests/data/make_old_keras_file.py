"""Write ``keras_3_0_5_all_layers.keras``: a tiny model saved by an old Keras 3, for
tests/test_network.py (cnnviz.network must read files of every Keras 3 version).

Keras 3.0's weight file lacks the layer names that newer versions store, so it is the
hardest case. Run it in a throwaway environment, not the project's::

    python -m venv /tmp/k30 && /tmp/k30/bin/pip install 'keras==3.0.5' 'numpy<2' h5py \\
        'jax==0.4.30' 'jaxlib==0.4.30' packaging
    /tmp/k30/bin/python tests/data/make_old_keras_file.py tests/data/keras_3_0_5_all_layers.keras

(Keras 3.0's NumPy backend imports torch, so the JAX backend writes the file; only the
weights' values matter, and they are random.)
"""

import os
import sys

os.environ["KERAS_BACKEND"] = "jax"

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402

rng = np.random.default_rng(0)
model = keras.Sequential(
    [
        keras.Input(shape=(12, 12, 1), name="image"),
        layers.Rescaling(0.5, offset=0.1, name="rescale"),
        layers.Conv2D(4, 3, activation="relu", name="conv1"),
        layers.MaxPooling2D(2, name="pool1"),
        layers.Dropout(0.3, name="drop"),
        layers.Conv2D(
            3,
            (2, 3),
            strides=(1, 2),
            padding="same",
            use_bias=False,
            activation="tanh",
            name="conv2",
        ),
        layers.AveragePooling2D(2, name="pool2"),
        layers.Activation("sigmoid", name="act"),
        layers.Flatten(name="flatten"),
        layers.Dense(6, name="dense1"),
        layers.ReLU(name="relu"),
        layers.Dense(3, name="logits"),
        layers.Softmax(name="softmax"),
    ],
    name=f"tiny_keras_{keras.__version__}",
)
model.set_weights([rng.normal(size=w.shape).astype("float32") for w in model.get_weights()])
model.save(sys.argv[1])
print(keras.__version__, sys.argv[1])
