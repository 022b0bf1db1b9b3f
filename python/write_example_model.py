"""Writes a SavedModel whose signatures take serialized tf.Example strings (TensorFlow Serving's
Classify / Regress / MultiInference), and Python TensorFlow's answers for it, for the Java tests.

    write_example_model.py --out DIR

The graph (tf.compat.v1): tf.io.parse_example of features "x" (float [3]) and "c" (float [1],
default 0), a linear model; logits = x W + b + c, scores = softmax(logits) [N,4], classes = the
labels "a".."d" tiled [N,4], value = x v + c [N,1].
Signatures: serving_default and "classify" (classification: classes and scores), "scores_only"
(classification: scores), "regress" (regression: value), "regress_wide" (regression whose output is
[N,2], which TensorFlow Serving refuses), "predict" (a predict signature with a classification's
keys), and TensorFlow Serving's half_plus_two test signatures "regress_x_to_y" and
"classify_x_to_y" (y = 0.5 x + 2 of a float feature "x" of one value, through a second input).
Writes DIR/1 (the SavedModel) and prints one JSON object (the last line of stdout): the examples,
the context, and the answers of Python TensorFlow for the example list and for the examples merged
with the context (protobuf MergeFrom of context then example, as TensorFlow Serving means it).
"""

import argparse
import json
import os

import numpy as np
import tensorflow as tf

LABELS = [b"a", b"b", b"c", b"d"]
EXAMPLES = [
    {"x": [0.5, -1.0, 2.0], "c": [0.25]},
    {"x": [1.5, 0.0, -0.75], "c": [-1.0]},
    {"x": [-2.0, 3.0, 0.125], "c": [0.0]},
]
# Context for the ExampleListWithContext case: "c" comes from the context, "x" from each example.
CONTEXT = {"c": [0.75]}


def example(features):
    return tf.train.Example(features=tf.train.Features(feature={
        key: tf.train.Feature(float_list=tf.train.FloatList(value=values))
        for key, values in features.items()}))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    rng = np.random.default_rng(11)
    weights = rng.normal(size=(3, 4)).astype(np.float32)
    bias = rng.normal(size=(4,)).astype(np.float32)
    value_weights = rng.normal(size=(3, 1)).astype(np.float32)

    graph = tf.Graph()
    with graph.as_default():
        serialized = tf.compat.v1.placeholder(tf.string, [None], name="tf_example")
        features = tf.io.parse_example(serialized, {
            "x": tf.io.FixedLenFeature([3], tf.float32),
            "c": tf.io.FixedLenFeature([1], tf.float32, default_value=[0.0]),
        })
        w = tf.compat.v1.get_variable("w", initializer=weights)
        b = tf.compat.v1.get_variable("b", initializer=bias)
        v = tf.compat.v1.get_variable("v", initializer=value_weights)
        logits = tf.matmul(features["x"], w) + b + features["c"]
        scores = tf.nn.softmax(logits, name="scores")
        classes = tf.tile(tf.constant([LABELS]), [tf.shape(serialized)[0], 1], name="classes")
        value = tf.add(tf.matmul(features["x"], v), features["c"], name="value")
        wide = tf.concat([value, value], axis=1, name="wide")
        serialized_x = tf.compat.v1.placeholder(tf.string, [None], name="tf_example_x")
        x = tf.io.parse_example(serialized_x, {"x": tf.io.FixedLenFeature([1], tf.float32)})["x"]
        y = tf.add(tf.multiply(x, 0.5), 2.0, name="y")
        sig = tf.compat.v1.saved_model
        classify = sig.classification_signature_def(serialized, classes, scores)
        signatures = {
            "serving_default": classify,
            "classify": classify,
            "scores_only": sig.classification_signature_def(serialized, None, scores),
            "regress": sig.regression_signature_def(serialized, value),
            "regress_wide": sig.regression_signature_def(serialized, wide),
            "predict": sig.predict_signature_def({"inputs": serialized}, {"scores": scores}),
            "regress_x_to_y": sig.regression_signature_def(serialized_x, y),
            "classify_x_to_y": sig.classification_signature_def(serialized_x, None, y),
        }
        with tf.compat.v1.Session(graph=graph) as session:
            session.run(tf.compat.v1.global_variables_initializer())
            builder = sig.Builder(os.path.join(args.out, "1"))
            builder.add_meta_graph_and_variables(
                session, [tf.saved_model.SERVING], signature_def_map=signatures)
            builder.save()

            def answers(batch):
                s, k, r = session.run([scores, classes, value], {serialized: batch})
                return {"scores": s.tolist(), "classes": [[c.decode() for c in row] for row in k],
                        "values": r[:, 0].tolist()}

            plain = [example(e).SerializeToString() for e in EXAMPLES]
            merged = []
            for e in EXAMPLES:
                one = tf.train.Example()
                one.MergeFrom(example(CONTEXT))
                one.MergeFrom(example({"x": e["x"]}))
                merged.append(one.SerializeToString())
            print(json.dumps({
                "examples": EXAMPLES, "context": CONTEXT,
                "example_list": answers(plain), "with_context": answers(merged)}))


if __name__ == "__main__":
    main()
