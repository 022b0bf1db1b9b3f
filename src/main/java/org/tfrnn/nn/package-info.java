/**
 * Graph building blocks under TF1's names: the BasicLSTMCell and BasicRNNCell (stacked by
 * MultiRNNCell for the static unroll), time unrolled as
 * {@code static_rnn} (a Java loop) or as {@code dynamic_rnn} (a TensorFlow while loop) with its own
 * back-propagation through time, or as {@link org.tfrnn.nn.FastLstm} (a static LSTM unroll built
 * for speed, with its own backward pass), any of them cut into batch lanes ({@link org.tfrnn.nn.BatchLanes}),
 * variables and initializers, losses, and a gradient entry point
 * that refuses to differentiate a while loop instead of aborting the JVM. It uses TensorFlow's Ops
 * API only (it may use {@code tensors}); nothing here knows of data sets, training loops or models.
 */
package org.tfrnn.nn;
