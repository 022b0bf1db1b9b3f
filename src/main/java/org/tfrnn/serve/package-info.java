/**
 * The network front ends over {@code inference}: today TensorFlow Serving's REST API on the JDK's
 * HTTP server ({@link org.tfrnn.serve.ModelServer}, configured by {@link
 * org.tfrnn.serve.ServerConfig}), with its JSON request and response formats, HTTP statuses and
 * graceful shutdown. Everything about HTTP and JSON lives here and nowhere below; models, versions
 * and prediction errors come from {@code inference}. It may use {@code inference} and
 * {@code tensors}; only the command line uses it.
 */
package org.tfrnn.serve;
