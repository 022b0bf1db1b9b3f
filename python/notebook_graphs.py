"""The seed notebooks' graphs, rebuilt with tf.compat.v1 in graph mode.

Each builder reproduces one notebook's ops, op order, variable names and initializers, so the
variables are exactly the ones a TF1 checkpoint of that notebook holds and Java can read by name:

    static_lstm      notebooks 000/003/004  X [None,28,28] -> unstack(axis 1) -> static_rnn(BasicLSTMCell(128))
                                            -> matmul(outputs[-1], Variable) + Variable_1
    dynamic_lstm     notebook 001           x -> dynamic_rnn(BasicLSTMCell(128)) -> last output -> same head
    basic_rnn_dense  notebook 002           x -> dynamic_rnn(BasicRNNCell(100)) -> layers.dense(state, 10),
                                            int32 labels, sparse softmax cross-entropy
    stacked_lstm     Java preset `best`     as static_lstm, with MultiRNNCell([BasicLSTMCell(128)] * 2)

Deliberate differences from the notebooks, all in training only: every graph trains with Adam 0.001
(000 used plain gradient descent at 0.001, 004 Adam with a decayed rate starting at 0.5), and 003's
transpose/reshape/split and 004's truncated-normal/constant initializers are not reproduced: 003 slices
the input into the same 28 tensors as 000, and initializers do not change a trained model's graph.

Importing this module switches TensorFlow to TF1 behaviour (graph mode, reference variables, i.e.
VariableV2 ops) for the whole process, and needs TF_USE_LEGACY_KERAS=1 because TF >= 2.16 only
provides the TF1 RNN cells and tf.compat.v1.layers through the tf-keras package.
"""

from __future__ import annotations

import os
import sys
import warnings
from dataclasses import dataclass
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
    model_variables: tuple       # the notebook's variables, in creation order (no optimizer slots)

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


def _finish(name, notebook, graph, x, labels, sparse, logits, probabilities, loss, accuracy,
            expected_names, train) -> NotebookGraph:
    model_variables = _check_names(tf1.global_variables(), expected_names)
    classes = tf.argmax(logits, 1, name="classes")
    train_op = tf1.train.AdamOptimizer(learning_rate=LEARNING_RATE).minimize(loss) if train else None
    return NotebookGraph(name, notebook, graph, x, labels, sparse, logits, probabilities, classes,
                         loss, accuracy, train_op, model_variables)


LSTM_VARIABLES = ("Variable", "Variable_1", "rnn/basic_lstm_cell/kernel", "rnn/basic_lstm_cell/bias")


def static_lstm(train: bool = True, seed: int = 0) -> NotebookGraph:
    """Notebook 000 (and 003/004): BasicLSTMCell(128) unrolled by static_rnn."""
    return _static_rnn_graph("static_lstm", "000/003/004",
                             lambda: tf1.nn.rnn_cell.BasicLSTMCell(128, forget_bias=1.0),
                             LSTM_VARIABLES, train, seed)


STACKED_LSTM_VARIABLES = ("Variable", "Variable_1",
                          "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel",
                          "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/bias",
                          "rnn/multi_rnn_cell/cell_1/basic_lstm_cell/kernel",
                          "rnn/multi_rnn_cell/cell_1/basic_lstm_cell/bias")


def stacked_lstm(train: bool = True, seed: int = 0) -> NotebookGraph:
    """The Java preset `best` (ours, not a notebook): MultiRNNCell of two BasicLSTMCell(128) unrolled
    by static_rnn, with notebook 000's head. Trains here with Adam 0.001 like the others (no clipping,
    no schedule): the point is that the variables cross by name."""
    return _static_rnn_graph(
        "stacked_lstm", "ours (best)",
        lambda: tf1.nn.rnn_cell.MultiRNNCell(
            [tf1.nn.rnn_cell.BasicLSTMCell(128, forget_bias=1.0) for _ in range(2)]),
        STACKED_LSTM_VARIABLES, train, seed)


def _static_rnn_graph(name, notebook, make_cell, expected_names, train, seed) -> NotebookGraph:
    """Notebook 000's graph around any cell with 128 outputs."""
    graph = tf.Graph()
    with graph.as_default():
        tf1.set_random_seed(seed)
        X = tf1.placeholder("float", [None, TIMESTEPS, NUM_INPUT])
        Y = tf1.placeholder("float", [None, NUM_CLASSES])
        # Created before the RNN, as in the notebook, so they are named Variable and Variable_1.
        weights = {"out": tf1.Variable(tf1.random_normal([128, NUM_CLASSES]))}
        biases = {"out": tf1.Variable(tf1.random_normal([NUM_CLASSES]))}

        x = tf.unstack(X, TIMESTEPS, 1)
        outputs, states = tf1.nn.static_rnn(make_cell(), x, dtype=tf.float32)
        logits = tf.matmul(outputs[-1], weights["out"]) + biases["out"]

        prediction = tf.nn.softmax(logits)
        loss_op = tf.reduce_mean(tf1.nn.softmax_cross_entropy_with_logits(logits=logits, labels=Y))
        correct_pred = tf.equal(tf.argmax(prediction, 1), tf.argmax(Y, 1))
        accuracy = tf.reduce_mean(tf.cast(correct_pred, tf.float32))
        return _finish(name, notebook, graph, X, Y, False, logits, prediction, loss_op,
                       accuracy, expected_names, train)


def dynamic_lstm(train: bool = True, seed: int = 0) -> NotebookGraph:
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
                       LSTM_VARIABLES, train)


def basic_rnn_dense(train: bool = True, seed: int = 0) -> NotebookGraph:
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
                       train)


BUILDERS: dict[str, Callable[..., NotebookGraph]] = {
    "static_lstm": static_lstm,
    "dynamic_lstm": dynamic_lstm,
    "basic_rnn_dense": basic_rnn_dense,
    "stacked_lstm": stacked_lstm,
}


def train(g: NotebookGraph, sess, data, steps: int, batch_size: int = BATCH_SIZE,
          log: Callable[[str], None] = print, log_every: int = 100) -> None:
    """Runs `steps` Adam steps on data.next_batch(batch_size), logging like the notebooks do."""
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


def export_savedmodel(name: str, values: dict, export_dir: str, seed: int = 0) -> NotebookGraph:
    """Writes a SavedModel of notebook graph `name` holding `values` (model variables by TF1 name).

    The export rebuilds the graph without the optimizer, so the SavedModel holds the notebook's
    forward graph (placeholders, loss and accuracy included) and only the model variables, without
    Adam's slots. export_dir must not exist yet. Returns the graph (closed session) for reference.
    """
    g = BUILDERS[name](train=False, seed=seed)
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
