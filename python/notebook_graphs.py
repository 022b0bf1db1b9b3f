"""The seed notebooks' graphs, rebuilt with tf.compat.v1 in graph mode, and how each notebook trains.

Each builder reproduces one notebook's ops, op order, variable names and initializers, so the
variables are exactly the ones a TF1 checkpoint of that notebook holds and Java can read by name:

    static_lstm      notebooks 000/003/004  X [None,28,28] -> unstack(axis 1) (003: transpose, reshape,
                                            split) -> static_rnn(BasicLSTMCell(128))
                                            -> matmul(outputs[-1], Variable) + Variable_1
    dynamic_lstm     notebook 001           x -> dynamic_rnn(BasicLSTMCell(128)) -> last output -> same head
    basic_rnn_dense  notebook 002           x -> dynamic_rnn(BasicRNNCell(100)) -> layers.dense(state, 10),
                                            int32 labels, sparse softmax cross-entropy
    stacked_lstm     Java preset `best`     static_lstm with layers=2: MultiRNNCell([BasicLSTMCell(128)] * 2)
    static_basic_rnn_dense                  the same with static_rnn (benchmark only, not in BUILDERS)

NOTEBOOKS maps each Java preset (notebook-000 ... notebook-004, best) to its builder, the builder's
options (003's input slicing, 004's truncated-normal/constant initializers) and the notebook's own
optimizer and schedule (000: gradient descent 0.001; 004: Adam on exponential_decay(0.5, 10000, 0.9)
of a tf.Variable(0) global step; the others Adam 0.001). A builder called without a schedule
trains with Adam 0.001.

Importing this module switches TensorFlow to TF1 behaviour (graph mode, reference variables, i.e.
VariableV2 ops) for the whole process, and needs TF_USE_LEGACY_KERAS=1 because TF >= 2.16 only
provides the TF1 RNN cells and tf.compat.v1.layers through the tf-keras package.
"""

from __future__ import annotations

import os
import sys
import warnings
from dataclasses import dataclass, field, replace
from typing import Callable

if "tensorflow" in sys.modules and os.environ.get("TF_USE_LEGACY_KERAS") != "1":
    raise RuntimeError("notebook_graphs must be imported before tensorflow, or with TF_USE_LEGACY_KERAS=1 "
                       "set in the environment: the TF1 RNN cells come from tf-keras")
os.environ["TF_USE_LEGACY_KERAS"] = "1"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

tf1 = tf.compat.v1
tf1.logging.set_verbosity(tf1.logging.ERROR)  # the TF1 API's deprecation notices, one per call
tf1.disable_v2_behavior()
# Using the deprecated TF1 cells and layers is the point of this module.
warnings.filterwarnings("ignore", message=r"`tf\.(nn\.rnn_cell|layers)\.", category=UserWarning)

TIMESTEPS = 28
NUM_INPUT = 28
NUM_CLASSES = 10
LEARNING_RATE = 0.001
BATCH_SIZE = 128

SIGNATURE_KEY = "serving_default"
PREDICT_METHOD = "tensorflow/serving/predict"
INPUT_KEY = "x"
OUTPUT_KEYS = ("logits", "probabilities", "classes")


@dataclass(frozen=True)
class Schedule:
    """How a notebook trains: optimizer, learning rate (constant, or tf.train.exponential_decay of
    the global step), batch size and number of steps.

    global_step: None (no step counter), "tf.Variable" (the notebook's tf.Variable(0,
    trainable=False): int32, named Variable_N) or "get_or_create" (tf.train.get_or_create_global_step:
    int64, named global_step)."""

    optimizer: str = "Adam"             # "Adam" or "GradientDescent"
    learning_rate: float = LEARNING_RATE
    batch_size: int = BATCH_SIZE
    steps: int = 400
    decay_steps: int | None = None
    decay_rate: float | None = None
    global_step: str | None = None
    clip_norm: float | None = None      # tf.clip_by_global_norm of the gradients, if set

    def with_learning_rate(self, rate: float) -> "Schedule":
        return replace(self, learning_rate=rate)

    def describe(self) -> str:
        rate = (f"exponential_decay({self.learning_rate}, {self.decay_steps}, {self.decay_rate})"
                if self.decay_steps else f"{self.learning_rate}")
        return f"{self.optimizer} {rate}, batch {self.batch_size}, {self.steps} steps"


ADAM_0001 = Schedule()


@dataclass(frozen=True)
class NotebookGraph:
    """Typed handles into one notebook graph."""

    name: str
    notebook: str
    graph: tf.Graph
    x: tf.Tensor                 # float32 [None, 28, 28]
    labels: tf.Tensor            # float32 one-hot [None, 10], or int32 [None] when sparse_labels
    sparse_labels: bool
    logits: tf.Tensor            # float32 [None, 10]
    probabilities: tf.Tensor     # softmax(logits)
    classes: tf.Tensor           # int64 argmax(logits)
    loss: tf.Tensor
    accuracy: tf.Tensor
    train_op: tf.Operation | None
    model_variables: tuple       # the notebook's trainable variables, in creation order
    global_step: tf.Variable | None = None

    def feed(self, images: np.ndarray, labels: np.ndarray | None = None) -> dict:
        feed = {self.x: images}
        if labels is not None:
            feed[self.labels] = (labels.astype(np.int32) if self.sparse_labels
                                 else np.eye(NUM_CLASSES, dtype=np.float32)[labels])
        return feed

    def outputs(self) -> dict:
        return {"logits": self.logits, "probabilities": self.probabilities, "classes": self.classes}

    def variable_shapes(self) -> dict:
        return {v.op.name: v.shape.as_list() for v in self.model_variables}


def _check_names(variables, expected) -> tuple:
    names = [v.op.name for v in variables]
    if names != list(expected):
        raise RuntimeError(f"TensorFlow named the variables {names}, expected {list(expected)}; "
                           f"checkpoints would no longer cross to Java by name")
    bad = [v.op.name for v in variables if v.op.type != "VariableV2"]
    if bad:
        raise RuntimeError(f"variables {bad} are not reference variables (VariableV2)")
    return tuple(variables)


def _global_step(kind: str | None):
    if kind is None:
        return None
    if kind == "tf.Variable":
        return tf1.Variable(0, trainable=False)  # notebook 004: int32, named Variable_N
    if kind == "get_or_create":
        return tf1.train.get_or_create_global_step()
    raise ValueError(f"unknown global step kind {kind!r}")


def _optimizer(schedule: Schedule, global_step):
    rate = schedule.learning_rate
    if schedule.decay_steps is not None:
        rate = tf1.train.exponential_decay(learning_rate=rate, global_step=global_step,
                                           decay_steps=schedule.decay_steps, decay_rate=schedule.decay_rate)
    if schedule.optimizer == "Adam":
        return tf1.train.AdamOptimizer(learning_rate=rate)
    if schedule.optimizer == "GradientDescent":
        return tf1.train.GradientDescentOptimizer(learning_rate=rate)
    raise ValueError(f"unknown optimizer {schedule.optimizer!r}")


def _finish(name, notebook, graph, x, labels, sparse, logits, probabilities, loss, accuracy,
            expected_names, train, schedule: Schedule) -> NotebookGraph:
    model_variables = _check_names(tf1.global_variables(), expected_names)
    classes = tf.argmax(logits, 1, name="classes")
    global_step = train_op = None
    if train:
        # Created after the model, as notebook 004 does: so it is Variable_2 there.
        global_step = _global_step(schedule.global_step)
        optimizer = _optimizer(schedule, global_step)
        if schedule.clip_norm is None:
            train_op = optimizer.minimize(loss, global_step=global_step)
        else:
            gradients, variables = zip(*optimizer.compute_gradients(loss))
            clipped, _ = tf1.clip_by_global_norm(gradients, schedule.clip_norm)
            train_op = optimizer.apply_gradients(zip(clipped, variables), global_step=global_step)
    return NotebookGraph(name, notebook, graph, x, labels, sparse, logits, probabilities, classes,
                         loss, accuracy, train_op, model_variables, global_step)


LSTM_VARIABLES = ("Variable", "Variable_1", "rnn/basic_lstm_cell/kernel", "rnn/basic_lstm_cell/bias")

# The output layer's initial values in the static-LSTM notebooks: shape -> tensor.
OUTPUT_INITIALIZERS = {
    "random_normal": (tf1.random_normal, tf1.random_normal),                          # 000, 003
    "truncated_normal_constant": (lambda shape: tf1.truncated_normal(shape, stddev=0.1),
                                  lambda shape: tf1.constant(0.1, shape=shape)),      # 004
    "glorot_zeros": (lambda shape: tf1.glorot_uniform_initializer()(shape), tf1.zeros),  # best (ours)
}


STACKED_LSTM_VARIABLES = ("Variable", "Variable_1",
                          "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel",
                          "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/bias",
                          "rnn/multi_rnn_cell/cell_1/basic_lstm_cell/kernel",
                          "rnn/multi_rnn_cell/cell_1/basic_lstm_cell/bias")


def static_lstm(train: bool = True, seed: int = 0, schedule: Schedule = ADAM_0001,
                input_slicing: str = "unstack", initializers: str = "random_normal",
                layers: int = 1) -> NotebookGraph:
    """Notebooks 000, 003 and 004: BasicLSTMCell(128) unrolled by static_rnn.

    input_slicing: "unstack" (000, 004: tf.unstack(X, 28, 1)) or "transpose_reshape_split" (003:
    transpose [1, 0, 2], reshape [-1, 28], split into 28 along axis 0).
    layers: 1 (the notebooks), or 2 (the Java preset `best`: MultiRNNCell of two BasicLSTMCell(128))."""
    if layers not in (1, 2):
        raise ValueError(f"layers must be 1 or 2, got {layers}")
    weights_init, bias_init = OUTPUT_INITIALIZERS[initializers]
    graph = tf.Graph()
    with graph.as_default():
        tf1.set_random_seed(seed)
        X = tf1.placeholder("float", [None, TIMESTEPS, NUM_INPUT])
        Y = tf1.placeholder("float", [None, NUM_CLASSES])
        # Created before the RNN, as in the notebook, so they are named Variable and Variable_1.
        weights = {"out": tf1.Variable(weights_init([128, NUM_CLASSES]))}
        biases = {"out": tf1.Variable(bias_init([NUM_CLASSES]))}

        if input_slicing == "unstack":
            x = tf.unstack(X, TIMESTEPS, 1)
        elif input_slicing == "transpose_reshape_split":
            x = tf.transpose(X, [1, 0, 2])
            x = tf.reshape(x, [-1, NUM_INPUT])
            x = tf.split(x, TIMESTEPS, 0)
        else:
            raise ValueError(f"unknown input slicing {input_slicing!r}")
        lstm_cell = (tf1.nn.rnn_cell.BasicLSTMCell(128, forget_bias=1.0) if layers == 1 else
                     tf1.nn.rnn_cell.MultiRNNCell(
                         [tf1.nn.rnn_cell.BasicLSTMCell(128, forget_bias=1.0) for _ in range(layers)]))
        outputs, states = tf1.nn.static_rnn(lstm_cell, x, dtype=tf.float32)
        logits = tf.matmul(outputs[-1], weights["out"]) + biases["out"]

        prediction = tf.nn.softmax(logits)
        loss_op = tf.reduce_mean(tf1.nn.softmax_cross_entropy_with_logits(logits=logits, labels=Y))
        correct_pred = tf.equal(tf.argmax(prediction, 1), tf.argmax(Y, 1))
        accuracy = tf.reduce_mean(tf.cast(correct_pred, tf.float32))
        return _finish("static_lstm" if layers == 1 else "stacked_lstm",
                       "000/003/004" if layers == 1 else "ours (best)", graph, X, Y, False, logits,
                       prediction, loss_op, accuracy,
                       LSTM_VARIABLES if layers == 1 else STACKED_LSTM_VARIABLES, train, schedule)


def stacked_lstm(train: bool = True, seed: int = 0, schedule: Schedule = ADAM_0001,
                 initializers: str = "glorot_zeros") -> NotebookGraph:
    """The Java preset `best`'s graph: static_lstm with two stacked cells (MultiRNNCell)."""
    return static_lstm(train, seed, schedule, initializers=initializers, layers=2)


def dynamic_lstm(train: bool = True, seed: int = 0, schedule: Schedule = ADAM_0001) -> NotebookGraph:
    """Notebook 001: BasicLSTMCell(128) run by dynamic_rnn (a while loop), last time step's output."""
    graph = tf.Graph()
    with graph.as_default():
        tf1.set_random_seed(seed)
        n_steps, n_input, n_hidden, n_classes = TIMESTEPS, NUM_INPUT, 128, NUM_CLASSES
        x = tf1.placeholder(dtype="float", shape=[None, n_steps, n_input], name="x")
        y = tf1.placeholder(dtype="float", shape=[None, n_classes], name="y")
        weights = {"out": tf1.Variable(tf1.random_normal([n_hidden, n_classes]))}
        biases = {"out": tf1.Variable(tf1.random_normal([n_classes]))}

        lstm_cell = tf1.nn.rnn_cell.BasicLSTMCell(n_hidden, forget_bias=1.0)
        outputs, states = tf1.nn.dynamic_rnn(lstm_cell, inputs=x, dtype=tf.float32)
        output = tf.reshape(tf.split(outputs, 28, axis=1, num=None, name="split")[-1], [-1, 128])
        pred = tf.matmul(output, weights["out"]) + biases["out"]

        cost = tf.reduce_mean(tf1.nn.softmax_cross_entropy_with_logits(labels=y, logits=pred))
        correct_pred = tf.equal(tf.argmax(pred, 1), tf.argmax(y, 1))
        accuracy = tf.reduce_mean(tf.cast(correct_pred, tf.float32))
        probabilities = tf.nn.softmax(pred, name="probabilities")
        return _finish("dynamic_lstm", "001", graph, x, y, False, pred, probabilities, cost, accuracy,
                       LSTM_VARIABLES, train, schedule)


def basic_rnn_dense(train: bool = True, seed: int = 0, schedule: Schedule = ADAM_0001) -> NotebookGraph:
    """Notebook 002: BasicRNNCell(100) run by dynamic_rnn, tf.layers.dense on the final state."""
    graph = tf.Graph()
    with graph.as_default():
        tf1.set_random_seed(seed)
        n_inputs, n_steps, n_neurons, n_outputs = NUM_INPUT, TIMESTEPS, 100, NUM_CLASSES
        x = tf1.placeholder(tf.float32, shape=[None, n_steps, n_inputs])
        y = tf1.placeholder(tf.int32, [None])
        basic_cell = tf1.nn.rnn_cell.BasicRNNCell(n_neurons, reuse=tf1.AUTO_REUSE)
        # The notebook's cell reads `initial_state=)` (a syntax error); the default zero state is meant.
        outputs, stats = tf1.nn.dynamic_rnn(basic_cell, inputs=x, dtype=tf.float32)
        logits = tf1.layers.dense(stats, n_outputs)
        xentropy = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
        loss = tf.reduce_mean(xentropy)
        correct = tf1.nn.in_top_k(logits, y, 1)
        accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
        probabilities = tf.nn.softmax(logits, name="probabilities")
        return _finish("basic_rnn_dense", "002", graph, x, y, True, logits, probabilities, loss, accuracy,
                       ("rnn/basic_rnn_cell/kernel", "rnn/basic_rnn_cell/bias", "dense/kernel", "dense/bias"),
                       train, schedule)


def static_basic_rnn_dense(train: bool = True, seed: int = 0, schedule: Schedule = ADAM_0001) -> NotebookGraph:
    """Notebook 002's model unrolled by static_rnn instead of dynamic_rnn (no notebook does this; the
    training benchmark compares it with Java's static unroll of the same model)."""
    graph = tf.Graph()
    with graph.as_default():
        tf1.set_random_seed(seed)
        x = tf1.placeholder(tf.float32, shape=[None, TIMESTEPS, NUM_INPUT])
        y = tf1.placeholder(tf.int32, [None])
        basic_cell = tf1.nn.rnn_cell.BasicRNNCell(100)
        outputs, state = tf1.nn.static_rnn(basic_cell, tf.unstack(x, TIMESTEPS, 1), dtype=tf.float32)
        logits = tf1.layers.dense(state, NUM_CLASSES)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
        accuracy = tf.reduce_mean(tf.cast(tf1.nn.in_top_k(logits, y, 1), tf.float32))
        probabilities = tf.nn.softmax(logits, name="probabilities")
        return _finish("static_basic_rnn_dense", "002 (static)", graph, x, y, True, logits, probabilities,
                       loss, accuracy,
                       ("rnn/basic_rnn_cell/kernel", "rnn/basic_rnn_cell/bias", "dense/kernel", "dense/bias"),
                       train, schedule)


# The notebooks' graphs, by name (fixtures and checkpoint crossing use these).
BUILDERS: dict[str, Callable[..., NotebookGraph]] = {
    "static_lstm": static_lstm,
    "dynamic_lstm": dynamic_lstm,
    "basic_rnn_dense": basic_rnn_dense,
    "stacked_lstm": stacked_lstm,
}


@dataclass(frozen=True)
class Notebook:
    """One seed notebook as the Java preset of the same name reproduces it: its graph builder, the
    builder's options, and the notebook's own training schedule."""

    preset: str                  # the Java preset, e.g. notebook-003
    builder: str                 # a key of BUILDERS
    options: dict = field(default_factory=dict)
    schedule: Schedule = ADAM_0001

    def build(self, train: bool = True, seed: int = 0, schedule: Schedule | None = None) -> NotebookGraph:
        return BUILDERS[self.builder](train=train, seed=seed, schedule=schedule or self.schedule,
                                      **self.options)


NOTEBOOKS: dict[str, Notebook] = {n.preset: n for n in (
    Notebook("notebook-000", "static_lstm", {}, Schedule("GradientDescent", 0.001, 128, 10000)),
    Notebook("notebook-001", "dynamic_lstm", {}, Schedule("Adam", 0.001, 100, 999)),
    Notebook("notebook-002", "basic_rnn_dense", {}, Schedule("Adam", 0.001, 1000, 100 * 55)),
    Notebook("notebook-003", "static_lstm", {"input_slicing": "transpose_reshape_split"},
             Schedule("Adam", 0.001, 128, 781)),
    Notebook("notebook-004", "static_lstm", {"initializers": "truncated_normal_constant"},
             Schedule("Adam", 0.5, 100, 1000, decay_steps=10000, decay_rate=0.9, global_step="tf.Variable")),
    # Not a notebook: the Java preset `best`, written the way a TF1 notebook would write it.
    Notebook("best", "static_lstm", {"initializers": "glorot_zeros", "layers": 2},
             Schedule("Adam", 0.002, 128, 6000, decay_steps=2000, decay_rate=0.5, global_step="get_or_create",
                      clip_norm=5.0)),
)}


def train(g: NotebookGraph, sess, data, steps: int, batch_size: int = BATCH_SIZE,
          log: Callable[[str], None] = print, log_every: int = 100) -> None:
    """Runs `steps` optimizer steps on data.next_batch(batch_size), logging like the notebooks do."""
    if g.train_op is None:
        raise ValueError(f"{g.name} was built with train=False")
    for step in range(1, steps + 1):
        images, labels = data.next_batch(batch_size)
        feed = g.feed(images, labels)
        sess.run(g.train_op, feed_dict=feed)
        if step == 1 or step % log_every == 0 or step == steps:
            loss, acc = sess.run([g.loss, g.accuracy], feed_dict=feed)
            log(f"Step {step}, Minibatch Loss= {loss:.4f}, Training Accuracy= {acc:.3f}")


def predict(g: NotebookGraph, sess, images: np.ndarray, batch_size: int = 1000) -> dict:
    """The signature outputs for `images`, computed in batches."""
    parts = [sess.run(g.outputs(), feed_dict=g.feed(images[i:i + batch_size]))
             for i in range(0, len(images), batch_size)]
    return {k: np.concatenate([p[k] for p in parts]) for k in OUTPUT_KEYS}


def accuracy(g: NotebookGraph, sess, images: np.ndarray, labels: np.ndarray) -> float:
    classes = predict(g, sess, images)["classes"]
    return float(np.mean(classes == labels))


def variable_values(g: NotebookGraph, sess) -> dict:
    return dict(zip((v.op.name for v in g.model_variables), sess.run(list(g.model_variables))))


def restore_variables(g: NotebookGraph, sess, checkpoint_prefix: str) -> None:
    """Restores only the model variables, by their TF1 names, from a checkpoint that may hold more
    (a Java export also saves optimizer slots). Shapes and presence are checked first."""
    try:
        available = dict(tf.train.list_variables(checkpoint_prefix))
    except Exception as e:  # NotFoundError, DataLossError, ...: report the file, not the stack
        hint = (f" (for a SavedModel pass {checkpoint_prefix.rstrip('/')}/variables/variables)"
                if os.path.isdir(checkpoint_prefix) else "")
        raise ValueError(f"cannot read checkpoint {checkpoint_prefix}{hint}: {e}") from e
    problems = []
    for name, shape in g.variable_shapes().items():
        if name not in available:
            problems.append(f"{name} missing")
        elif list(available[name]) != shape:
            problems.append(f"{name} has shape {list(available[name])}, the graph needs {shape}")
    if problems:
        raise ValueError(f"checkpoint {checkpoint_prefix} does not fit {g.name}: " + "; ".join(problems)
                         + f". It holds: {sorted(available)}")
    saver = tf1.train.Saver({v.op.name: v for v in g.model_variables})
    saver.restore(sess, checkpoint_prefix)


def signature_def(g: NotebookGraph):
    info = tf1.saved_model.utils.build_tensor_info
    return tf1.saved_model.signature_def_utils.build_signature_def(
        inputs={INPUT_KEY: info(g.x)},
        outputs={k: info(t) for k, t in g.outputs().items()},
        method_name=PREDICT_METHOD)


def export_savedmodel(name: str, values: dict, export_dir: str, seed: int = 0, **options) -> NotebookGraph:
    """Writes a SavedModel of notebook graph `name` holding `values` (model variables by TF1 name).

    The export rebuilds the graph without the optimizer, so the SavedModel holds the notebook's
    forward graph (placeholders, loss and accuracy included) and only the model variables, without
    Adam's slots. options go to the builder (e.g. input_slicing). export_dir must not exist yet.
    Returns the graph (closed session) for reference.
    """
    g = BUILDERS[name](train=False, seed=seed, **options)
    with g.graph.as_default(), tf1.Session(graph=g.graph) as sess:
        sess.run(tf1.global_variables_initializer())
        for v in g.model_variables:
            v.load(values[v.op.name], sess)
        builder = tf1.saved_model.builder.SavedModelBuilder(export_dir)
        builder.add_meta_graph_and_variables(
            sess, [tf1.saved_model.tag_constants.SERVING],
            signature_def_map={SIGNATURE_KEY: signature_def(g)},
            saver=tf1.train.Saver(list(g.model_variables)),
            # Leaves out attrs at their default value: older runtimes can then read the graph.
            strip_default_attrs=True)
        builder.save()
    return g
