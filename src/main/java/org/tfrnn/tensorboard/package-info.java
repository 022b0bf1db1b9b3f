/**
 * TensorBoard's event files, written and read in Java: TFRecord framing with masked CRC32C, and
 * {@code tensorflow.Event} protos (scalars, histograms with TensorFlow's bucket layout, the graph,
 * session-log markers). Uses only the protobuf classes of TensorFlow Java; knows nothing of training.
 */
package org.tfrnn.tensorboard;
