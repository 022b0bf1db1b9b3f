/**
 * Labelled data sets for sequence classifiers: the {@link org.tfrnn.data.SequenceDataset}
 * abstraction (train, validation and test splits of {@code [n, time, features]} float sequences
 * with int labels), its splits and batches drawn as TensorFlow's {@code next_batch} draws them, the
 * IDX file reader, and MNIST (read, split as {@code input_data.read_data_sets} splits it, fetched
 * and checked). The bottom of the stack: it uses no other package of the project and no
 * TensorFlow.
 */
package org.tfrnn.data;
