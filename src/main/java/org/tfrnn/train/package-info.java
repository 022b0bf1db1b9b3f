/**
 * Training: the TF1 optimizers (Adam and gradient descent with TF1's slot names, so checkpoints
 * cross to Python), learning-rate schedules, TF1's {@code clip_by_global_norm}, the training loop over any
 * {@link org.tfrnn.data.SequenceDataset} that fits a {@link org.tfrnn.train.TrainingGraph}, its
 * listener and evaluation. It may use {@code data}, {@code nn} and {@code tensors}; it sees a
 * model only through {@code TrainingGraph}, never through {@code models}.
 */
package org.tfrnn.train;
