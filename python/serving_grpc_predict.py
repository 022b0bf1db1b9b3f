"""One gRPC Predict through TensorFlow Serving's own Python client (tensorflow-serving-api),
addressed by model name and version label, as a deployment's client sends it:

    serving_grpc_predict.py --target HOST:PORT --model NAME --version-label LABEL \
        --inputs INPUTS.npy --count 8

Prints one JSON object (the last line of stdout): the model_spec the server answered with, and
per output its dtype, shape and values (flat, row-major) for the Java test to compare with the
outputs Python TensorFlow recorded for the fixture.
"""

import argparse
import json

import grpc
import numpy as np
import tensorflow as tf
from tensorflow_serving.apis import predict_pb2
from tensorflow_serving.apis import prediction_service_pb2_grpc


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--version-label", required=True)
    parser.add_argument("--input-key", default="x")
    parser.add_argument("--inputs", required=True)
    parser.add_argument("--count", type=int, default=8)
    args = parser.parse_args()

    images = np.load(args.inputs)[: args.count].astype(np.float32).reshape(args.count, 28, 28)
    request = predict_pb2.PredictRequest()
    request.model_spec.name = args.model
    request.model_spec.version_label = args.version_label
    request.inputs[args.input_key].CopyFrom(tf.make_tensor_proto(images))
    stub = prediction_service_pb2_grpc.PredictionServiceStub(grpc.insecure_channel(args.target))
    response = stub.Predict(request, timeout=60)
    result = {
        "model_spec": {"name": response.model_spec.name,
                       "version": response.model_spec.version.value,
                       "signature_name": response.model_spec.signature_name},
        "outputs": {},
    }
    for key, tensor in response.outputs.items():
        values = tf.make_ndarray(tensor)
        result["outputs"][key] = {"dtype": values.dtype.name, "shape": list(values.shape),
                                  "values": values.ravel().tolist()}
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
