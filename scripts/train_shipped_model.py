"""Train the small CNN that ships with cnnviz: ``cnnviz/_data/mnist_cnn.keras``.

``cnnviz.models.build_cnn(filters=(32, 64))`` (the classic lab's network with 32 instead of
64 first-layer filters: half that layer's compute, under 1 MB on disk, the same accuracy)
is trained on the 4,000 training digits of the shipped MNIST subset with fixed seeds and
deterministic TensorFlow ops, then saved without optimizer state. Notebooks 05 and 06 load
it with ``cnnviz.models.load_pretrained()`` and start in seconds instead of training.

The training set is the 4,000 digits plus two copies of each, slightly moved, turned and
resized (at most 2 pixels, 12 degrees, 10 %; a seeded NumPy generator and
``scipy.ndimage.affine_transform``). On 4,000 digits this lifts test accuracy from about
0.97 to about 0.98, and a student's own digit (notebook 06) is rarely centred as neatly as
MNIST's. The 1,000 test digits are never trained on, but the augmentation and the epoch
count were picked by comparing their accuracy over two seeds, so the accuracy printed at
the end is slightly optimistic.

Beside the model it writes ``mnist_cnn_keras_outputs.npz``: what Keras computes with the
saved model for the shipped test digits (the probabilities for all 1,000 and every layer's
output for the first three), so that notebooks can show that ``cnnviz.network`` (NumPy)
agrees with Keras without importing TensorFlow.

Run from the repository root (under a minute on 2 CPUs)::

    python scripts/train_shipped_model.py
    python scripts/train_shipped_model.py --outputs-only   # the outputs of the existing model
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import zipfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from scipy import ndimage  # noqa: E402

from cnnviz import models, network  # noqa: E402
from cnnviz.data import load_dataset  # noqa: E402

SEED = 1234
EPOCHS = 8
BATCH_SIZE = 64
LEARNING_RATE = 1e-3
AUGMENTED_COPIES = 2
MAX_SHIFT = 2.0  # pixels
MAX_ROTATION = 12.0  # degrees
MAX_ZOOM = 0.1  # relative
ACTIVATION_DIGITS = (0, 1, 2)  # test digits whose every layer output is stored

# Config keys that newer Keras writes and older Keras 3 refuses ("unexpected keyword
# argument"), with the value that means "not used". Dropped when they hold it, so every
# supported Keras (pyproject.toml: keras>=3.3) loads the file: Keras 3.15 added the
# initializers' input_axes/output_axes; InputLayer's optional and Dense's
# quantization_config came after 3.3 too.
NEW_KEYS_AT_DEFAULT = {
    "input_axes": None,
    "output_axes": None,
    "optional": False,
    "quantization_config": None,
}


def augment(images: np.ndarray, copies: int, seed: int = SEED) -> np.ndarray:
    """``copies`` randomly moved, turned and resized versions of every image, uint8."""
    rng = np.random.default_rng(seed)
    centre = (np.array(images.shape[1:]) - 1) / 2
    out = np.empty((copies * len(images), *images.shape[1:]), np.uint8)
    for i, image in enumerate(np.tile(images, (copies, 1, 1))):
        angle = np.deg2rad(rng.uniform(-MAX_ROTATION, MAX_ROTATION))
        zoom = rng.uniform(1 - MAX_ZOOM, 1 + MAX_ZOOM)
        shift = rng.uniform(-MAX_SHIFT, MAX_SHIFT, size=2)
        # affine_transform maps output coordinates to input ones: the inverse motion.
        inverse = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]) / zoom
        offset = centre - inverse @ (centre + shift)
        moved = ndimage.affine_transform(image.astype(np.float64), inverse, offset, order=1)
        out[i] = np.clip(np.round(moved), 0, 255)
    return out


def write_keras_outputs(model_path: Path, output_path: Path) -> None:
    """Keras' outputs of the model at ``model_path`` for the shipped test digits, saved to
    ``output_path`` (read them with ``cnnviz.network.keras_outputs``)."""
    import keras

    model = models.load_pretrained(model_path, compile=False)
    x_test = load_dataset("mnist", source="shipped").x_test
    probabilities = models.predict(model, x_test)
    digits = np.array(ACTIVATION_DIGITS)
    probe = keras.Model(model.inputs[0], [layer.output for layer in model.layers])
    outputs = probe(models.preprocess(x_test[digits]), training=False)
    names = [layer.name for layer in model.layers]
    np.savez_compressed(
        output_path,
        probabilities=probabilities.astype(np.float32),
        digits=digits,
        layer_names=np.array(names),
        keras_version=np.array(keras.__version__),
        **{f"layer_{n}": np.asarray(o, np.float32) for n, o in zip(names, outputs, strict=True)},
    )
    print(
        f"wrote {output_path} ({output_path.stat().st_size:,} bytes): Keras {keras.__version__} "
        f"probabilities for {len(x_test)} test digits, layer outputs for digits "
        f"{list(ACTIVATION_DIGITS)}"
    )


def without_new_defaults(config):
    """``config`` (parsed config.json) without the keys of :data:`NEW_KEYS_AT_DEFAULT`
    that hold their default."""
    if isinstance(config, dict):
        return {
            key: without_new_defaults(value)
            for key, value in config.items()
            if not (key in NEW_KEYS_AT_DEFAULT and value == NEW_KEYS_AT_DEFAULT[key])
        }
    if isinstance(config, list):
        return [without_new_defaults(value) for value in config]
    return config


def make_portable(path: Path) -> None:
    """Rewrite the ``.keras`` file at ``path`` so that older Keras 3 versions read it."""
    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info.filename)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w") as archive:
        for info, data in members:
            if info.filename == "config.json":
                data = json.dumps(without_new_defaults(json.loads(data))).encode()
            archive.writestr(info, data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=models.PRETRAINED_PATH)
    parser.add_argument("--keras-outputs", type=Path, default=network.SHIPPED_KERAS_OUTPUTS)
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument(
        "--outputs-only",
        action="store_true",
        help="do not train: write Keras' outputs of the existing model file",
    )
    args = parser.parse_args(argv)

    models.configure_threads()
    if args.outputs_only:
        write_keras_outputs(args.output, args.keras_outputs)
        return 0
    import keras
    import tensorflow as tf

    # Same seed and deterministic kernels: the same weights on every run on this platform.
    keras.utils.set_random_seed(SEED)
    tf.config.experimental.enable_op_determinism()

    data = load_dataset("mnist", source="shipped")
    print(data.description)
    x_train = np.concatenate([data.x_train, augment(data.x_train, AUGMENTED_COPIES)])
    y_train = np.tile(data.y_train, AUGMENTED_COPIES + 1)
    print(f"training on {len(x_train):,} digits ({AUGMENTED_COPIES} augmented copies)")
    model = models.build_cnn(
        filters=models.PRETRAINED_FILTERS, learning_rate=LEARNING_RATE, seed=SEED
    )
    start = time.perf_counter()
    result = models.train(
        model,
        (x_train, y_train, data.x_test, data.y_test),
        epochs=args.epochs,
        batch_size=BATCH_SIZE,
        progress=False,
        seed=SEED,
    )
    elapsed = time.perf_counter() - start
    for epoch, (acc, val) in enumerate(
        zip(result.metrics["accuracy"], result.metrics["val_accuracy"], strict=True), start=1
    ):
        print(f"epoch {epoch:2d}: train accuracy {acc:.4f}, test accuracy {val:.4f}")

    # Saved from an uncompiled twin: the file holds the weights and no optimizer state.
    clean = models.build_cnn(filters=models.PRETRAINED_FILTERS, compile=False, name="mnist_cnn")
    clean.set_weights(model.get_weights())
    args.output.parent.mkdir(parents=True, exist_ok=True)
    clean.save(args.output)
    make_portable(args.output)

    reloaded = models.load_pretrained(args.output)
    probs = models.predict(reloaded, data.x_test)
    accuracy = float(np.mean(probs.argmax(axis=1) == data.y_test))
    print(
        f"wrote {args.output} ({args.output.stat().st_size:,} bytes), "
        f"{model.count_params():,} parameters, trained in {elapsed:.0f} s; "
        f"accuracy on the 1,000 shipped test digits: {accuracy:.4f}"
    )
    write_keras_outputs(args.output, args.keras_outputs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
