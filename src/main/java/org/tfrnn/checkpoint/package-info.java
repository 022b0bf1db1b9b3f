/**
 * TensorFlow 1 checkpoints, as {@code tf.compat.v1.train.Saver} writes them: the variables of a
 * graph (model weights, optimizer slots, beta powers, global step) saved and restored by name with
 * the {@code SaveV2}/{@code RestoreV2} ops, the {@code checkpoint} state file, and a directory of
 * numbered checkpoints kept to the last K; and the checkpoint index read in Java, so that a
 * missing or truncated data shard is named before TensorFlow reads it (SavedModel variables are a
 * checkpoint too). Works on any graph; knows nothing of training.
 */
package org.tfrnn.checkpoint;
