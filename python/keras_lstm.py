"""The same MNIST LSTM as a 2024-era notebook writes it: Keras 3, Sequential, fit, model.export.

Must run without TF_USE_LEGACY_KERAS (that would make tf.keras the Keras 2 package); write_fixtures.py
runs it in a process of its own for that reason.
"""

from __future__ import annotations

import os

if os.environ.get("TF_USE_LEGACY_KERAS", "0").lower() in ("1", "true"):
    raise RuntimeError("keras_lstm needs Keras 3: run it without TF_USE_LEGACY_KERAS=1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras import layers  # noqa: E402

if not keras.__version__.startswith("3."):
    raise RuntimeError(f"keras {keras.__version__} is installed; this fixture is a Keras 3 model")


def build_model() -> keras.Model:
    model = keras.Sequential([
        keras.Input((28, 28)),
        layers.LSTM(128),
        layers.Dense(10),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


def train(model: keras.Model, data, steps: int, batch_size: int, seed: int) -> None:
    """Exactly `steps` batches of shuffled training data (one epoch of 55000 is 430 batches)."""
    dataset = (tf.data.Dataset.from_tensor_slices((data.train.images, data.train.labels))
               .shuffle(data.train.num_examples, seed=seed)
               .repeat()
               .batch(batch_size))
    model.fit(dataset, epochs=1, steps_per_epoch=steps, shuffle=False,  # the dataset shuffles itself
              validation_data=(data.validation.images, data.validation.labels), verbose=2)
