"""Writes SavedModel warm-up files the way TensorFlow Serving's documentation does
(tf.io.TFRecordWriter of tensorflow_serving.apis PredictionLog protos), for the Java warm-up test.

    write_warmup_requests.py --model NAME --out DIR

Writes into DIR:
  good     three predict_log records for the model's serving_default signature (input "x", float32),
           then one classify_log record (TensorFlow Serving runs it; this server skips it);
  bad      one good predict_log record, then one whose input key "z" the signature does not have.
Prints one JSON object (the last line of stdout): per file the number of records and each
record's byte offset in the file (TFRecord framing: 8 + 4 + len + 4 bytes per record).
"""

import argparse
import json
import os

import tensorflow as tf
from tensorflow_serving.apis import classification_pb2
from tensorflow_serving.apis import predict_pb2
from tensorflow_serving.apis import prediction_log_pb2


def predict_log(model, inputs):
    request = predict_pb2.PredictRequest()
    request.model_spec.name = model
    request.model_spec.signature_name = "serving_default"
    for key, value in inputs.items():
        request.inputs[key].CopyFrom(tf.make_tensor_proto(value, dtype=tf.float32))
    return prediction_log_pb2.PredictionLog(
        predict_log=prediction_log_pb2.PredictLog(request=request))


def classify_log(model):
    request = classification_pb2.ClassificationRequest()
    request.model_spec.name = model
    example = request.input.example_list.examples.add()
    example.features.feature["x"].float_list.value.append(1.0)
    return prediction_log_pb2.PredictionLog(
        classify_log=prediction_log_pb2.ClassifyLog(request=request))


def write(path, logs):
    offsets = []
    offset = 0
    with tf.io.TFRecordWriter(path) as writer:
        for log in logs:
            data = log.SerializeToString()
            writer.write(data)
            offsets.append(offset)
            offset += 8 + 4 + len(data) + 4
    assert offset == os.path.getsize(path), (offset, os.path.getsize(path))
    return {"records": len(logs), "offsets": offsets, "size": offset}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    good = [predict_log(args.model, {"x": [1.0, 2.0, 5.0]}),
            predict_log(args.model, {"x": [[3.0]]}),
            predict_log(args.model, {"x": [0.5, -4.0]}),
            classify_log(args.model)]
    bad = [predict_log(args.model, {"x": [1.0]}),
           predict_log(args.model, {"z": [1.0]})]
    print(json.dumps({"good": write(os.path.join(args.out, "good"), good),
                      "bad": write(os.path.join(args.out, "bad"), bad)}))


if __name__ == "__main__":
    main()
