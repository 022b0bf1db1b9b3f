/**
 * The network front ends over {@code inference}, as TensorFlow Serving's: its REST API on the
 * JDK's HTTP server ({@link org.tfrnn.serve.ModelServer}, configured by {@link
 * org.tfrnn.serve.ServerConfig}) with its JSON formats and HTTP statuses, and its gRPC API
 * ({@link org.tfrnn.serve.GrpcServer}: {@code PredictionService} and {@code ModelService}, from
 * messages generated out of TensorFlow Serving's {@code .proto} files) in front of the same models:
 * one or several, from a model config file ({@link org.tfrnn.serve.ServedModelConfig}), with
 * graceful shutdown. Everything about HTTP, gRPC and JSON lives here and nowhere below; models,
 * versions, policies, labels and prediction errors come from {@code inference}. It may use
 * {@code inference}, {@code tensors} and {@code textproto}; only the command line uses it.
 */
package org.tfrnn.serve;
