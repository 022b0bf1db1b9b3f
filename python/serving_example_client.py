"""TensorFlow Serving's Python client (tensorflow-serving-api) calling Classify, Regress and
MultiInference on the model of write_example_model.py, for GrpcClassifyRegressIT.

    serving_example_client.py --target HOST:PORT --model NAME

Prints one JSON object (the last line of stdout): the classification of the example list on
serving_default (scores and labels per example), the regression of the examples with the context,
the MultiInference of both on the examples with the context, and the status code of a Classify on
the regression signature.
"""

import argparse
import json

import grpc
from tensorflow_serving.apis import classification_pb2
from tensorflow_serving.apis import inference_pb2
from tensorflow_serving.apis import input_pb2
from tensorflow_serving.apis import prediction_service_pb2_grpc
from tensorflow_serving.apis import regression_pb2

from write_example_model import CONTEXT, EXAMPLES, example


def classification(result):
    return {"scores": [[c.score for c in row.classes] for row in result.classifications],
            "classes": [[c.label for c in row.classes] for row in result.classifications]}


def regression(result):
    return {"values": [r.value for r in result.regressions]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", required=True)
    parser.add_argument("--model", required=True)
    args = parser.parse_args()
    stub = prediction_service_pb2_grpc.PredictionServiceStub(grpc.insecure_channel(args.target))

    example_list = input_pb2.Input(example_list=input_pb2.ExampleList(
        examples=[example(e) for e in EXAMPLES]))
    with_context = input_pb2.Input(example_list_with_context=input_pb2.ExampleListWithContext(
        examples=[example({"x": e["x"]}) for e in EXAMPLES], context=example(CONTEXT)))

    classify = classification_pb2.ClassificationRequest(input=example_list)
    classify.model_spec.name = args.model
    regress = regression_pb2.RegressionRequest(input=with_context)
    regress.model_spec.name = args.model
    regress.model_spec.signature_name = "regress"
    multi = inference_pb2.MultiInferenceRequest(input=with_context)
    for signature, method in (("classify", "tensorflow/serving/classify"),
                              ("regress", "tensorflow/serving/regress")):
        task = multi.tasks.add(method_name=method)
        task.model_spec.name = args.model
        task.model_spec.signature_name = signature
    wrong = classification_pb2.ClassificationRequest(input=example_list)
    wrong.model_spec.name = args.model
    wrong.model_spec.signature_name = "regress"
    try:
        stub.Classify(wrong, timeout=30)
        wrong_code = "OK"
    except grpc.RpcError as e:
        wrong_code = e.code().name

    multi_answer = stub.MultiInference(multi, timeout=30)
    print(json.dumps({
        "classify": classification(stub.Classify(classify, timeout=30).result),
        "regress": regression(stub.Regress(regress, timeout=30).result),
        "multi_classify": classification(multi_answer.results[0].classification_result),
        "multi_regress": regression(multi_answer.results[1].regression_result),
        "wrong_method": wrong_code,
    }))


if __name__ == "__main__":
    main()
