"""Calls a TensorFlow Serving gRPC server with TensorFlow Serving's own Python client
(tensorflow-serving-api) and checks its answers against the same SavedModel run here in Python.

    serving_grpc_client.py --target HOST:PORT --model NAME --version N --saved-model DIR \
        --inputs INPUTS.npy --count 8

Prints one JSON object (the last line of stdout) for the Java integration test to assert on:
GetModelStatus and GetModelMetadata as the client decoded them, per output of Predict the dtype,
shape and largest absolute difference from Python's own run, and the status code of each
request that must fail.
"""

import argparse
import json

import grpc
import numpy as np
import tensorflow as tf
from google.protobuf import json_format
from tensorflow_serving.apis import classification_pb2
from tensorflow_serving.apis import get_model_metadata_pb2
from tensorflow_serving.apis import get_model_status_pb2
from tensorflow_serving.apis import model_service_pb2_grpc
from tensorflow_serving.apis import predict_pb2
from tensorflow_serving.apis import prediction_service_pb2_grpc


def as_dict(message):
    """The message as TensorFlow Serving's JSON writes it: proto field names, defaults included."""
    try:  # protobuf 5.26+ renamed the option
        return json_format.MessageToDict(message, preserving_proto_field_name=True,
                                         always_print_fields_with_no_presence=True)
    except TypeError:
        return json_format.MessageToDict(message, preserving_proto_field_name=True,
                                         including_default_value_fields=True)


def dtype_name(enum_value):
    """float32, int64, ...; DT_INVALID (the __saved_model_init_op output) as 'invalid'."""
    return tf.dtypes.as_dtype(enum_value).name if enum_value else "invalid"


def error_code(call):
    """The gRPC status name a failing call ends with, or 'OK'."""
    try:
        call()
        return "OK"
    except grpc.RpcError as e:
        return e.code().name


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--version", type=int, required=True)
    parser.add_argument("--saved-model", required=True)
    parser.add_argument("--inputs", required=True)
    parser.add_argument("--count", type=int, default=8)
    args = parser.parse_args()

    channel = grpc.insecure_channel(args.target)
    prediction = prediction_service_pb2_grpc.PredictionServiceStub(channel)
    models = model_service_pb2_grpc.ModelServiceStub(channel)
    result = {}

    status_request = get_model_status_pb2.GetModelStatusRequest()
    status_request.model_spec.name = args.model
    result["status"] = as_dict(models.GetModelStatus(status_request, timeout=30))

    metadata_request = get_model_metadata_pb2.GetModelMetadataRequest()
    metadata_request.model_spec.name = args.model
    metadata_request.metadata_field.append("signature_def")
    metadata = prediction.GetModelMetadata(metadata_request, timeout=30)
    signature_map = get_model_metadata_pb2.SignatureDefMap()
    metadata.metadata["signature_def"].Unpack(signature_map)
    result["metadata_model_spec"] = as_dict(metadata.model_spec)
    result["signatures"] = {
        key: {
            "method_name": sig.method_name,
            "inputs": {k: {"dtype": dtype_name(v.dtype), "name": v.name,
                           "shape": [d.size for d in v.tensor_shape.dim]}
                       for k, v in sig.inputs.items()},
            "outputs": {k: {"dtype": dtype_name(v.dtype), "name": v.name,
                            "shape": [d.size for d in v.tensor_shape.dim]}
                        for k, v in sig.outputs.items()},
        }
        for key, sig in signature_map.signature_def.items()
    }

    serving = signature_map.signature_def["serving_default"]
    (input_key, input_info), = serving.inputs.items()
    images = np.load(args.inputs)[: args.count].astype(np.float32)
    shape = [args.count] + [d.size for d in input_info.tensor_shape.dim][1:]
    images = images.reshape(shape)

    reference = tf.saved_model.load(args.saved_model).signatures["serving_default"]
    python_outputs = {k: v.numpy() for k, v in reference(**{input_key: tf.constant(images)}).items()}

    request = predict_pb2.PredictRequest()
    request.model_spec.name = args.model
    request.model_spec.signature_name = "serving_default"
    request.inputs[input_key].CopyFrom(tf.make_tensor_proto(images))
    response = prediction.Predict(request, timeout=60)
    result["predict_model_spec"] = as_dict(response.model_spec)
    result["predict"] = {}
    for key, tensor in response.outputs.items():
        served = tf.make_ndarray(tensor)
        expected = python_outputs[key]
        result["predict"][key] = {
            "dtype": served.dtype.name,
            "python_dtype": expected.dtype.name,
            "shape": list(served.shape),
            "python_shape": list(expected.shape),
            "max_abs_diff": float(np.max(np.abs(served.astype(np.float64)
                                                - expected.astype(np.float64)))),
        }

    # The same request by version number, with an output filter.
    first_output = sorted(python_outputs)[0]
    request.model_spec.version.value = args.version
    request.output_filter.append(first_output)
    filtered = prediction.Predict(request, timeout=60)
    result["filtered_outputs"] = sorted(filtered.outputs)
    result["filtered_equal"] = bool(np.array_equal(
        tf.make_ndarray(filtered.outputs[first_output]),
        tf.make_ndarray(response.outputs[first_output])))

    def predict_with(change):
        bad = predict_pb2.PredictRequest()
        bad.CopyFrom(request)
        change(bad)
        return lambda: prediction.Predict(bad, timeout=60)

    def classify():
        classification = classification_pb2.ClassificationRequest()
        classification.model_spec.name = args.model
        return prediction.Classify(classification, timeout=30)

    result["errors"] = {
        "unknown_model": error_code(predict_with(lambda r: setattr(r.model_spec, "name", "nope"))),
        "unknown_version": error_code(predict_with(
            lambda r: r.model_spec.version.__setattr__("value", args.version + 100))),
        "unknown_signature": error_code(predict_with(
            lambda r: setattr(r.model_spec, "signature_name", "nope"))),
        "unknown_input": error_code(predict_with(
            lambda r: r.inputs["nope"].CopyFrom(tf.make_tensor_proto(images)))),
        "wrong_dtype": error_code(predict_with(
            lambda r: r.inputs[input_key].CopyFrom(tf.make_tensor_proto(images.astype(np.int32))))),
        "unknown_output": error_code(predict_with(lambda r: r.output_filter.append("nope"))),
        "classify": error_code(classify),
    }
    status_request.model_spec.name = "nope"
    result["errors"]["status_unknown_model"] = error_code(
        lambda: models.GetModelStatus(status_request, timeout=30))
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
