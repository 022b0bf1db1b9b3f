/**
 * Server-side request batching as TensorFlow Serving does it ({@code --enable_batching},
 * {@code --batching_parameters_file}): {@link org.tfrnn.batching.BatchScheduler} merges concurrent
 * predict requests to the same model version, signature and outputs along dimension 0, up to
 * {@code max_batch_size}, waiting at most {@code batch_timeout_micros}, runs the merged batch on
 * one of {@code num_batch_threads} threads, pads it to the next of {@code allowed_batch_sizes} and
 * splits the answers back per request; {@link org.tfrnn.batching.BatchingOptions} reads
 * TensorFlow Serving's {@code BatchingParameters} text proto with its defaults and checks. Each
 * batch run is reported to a {@link org.tfrnn.batching.BatchListener} (for metrics). It works on
 * {@code inference} and {@code tensors} values only (and reads its file through {@code
 * textproto}); the network front ends in {@code serve} route their predict calls through it.
 */
package org.tfrnn.batching;
