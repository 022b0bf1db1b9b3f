package org.tfrnn.batching;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import org.tfrnn.textproto.TextProtoFiles;
import tensorflow.serving.SessionBundleConfigOuterClass.BatchingParameters;

/**
 * How a {@link BatchScheduler} batches: TensorFlow Serving's {@code BatchingParameters}, with its
 * defaults for what a file leaves out ({@code SharedBatchScheduler}'s: batches of up to 1000 rows,
 * no waiting, 10 batches queued, one batch thread per core).
 *
 * @param maxBatchSize the most rows in one batch; a larger request is refused
 * @param batchTimeoutMicros how long a batch that is not full may wait for more requests
 * @param maxEnqueuedBatches batches that may wait for a thread, the open one included; a request
 *     that would need one more is refused with {@code UNAVAILABLE}
 * @param numBatchThreads threads running batches, shared by every queue
 * @param threadPoolName the batch threads' name (and metrics label)
 * @param allowedBatchSizes batch sizes the model is run at, increasing, the last equal to
 *     {@code maxBatchSize}; a batch is padded up to the next one. Empty: any size
 * @param padVariableLengthInputs whether inputs differing in a dimension other than 0 are padded
 *     to the largest (with their own first element, as TensorFlow Serving does) instead of failing
 *     the batch
 */
public record BatchingOptions(long maxBatchSize, long batchTimeoutMicros, long maxEnqueuedBatches,
    int numBatchThreads, String threadPoolName, long[] allowedBatchSizes,
    boolean padVariableLengthInputs) {

  /** {@code SharedBatchScheduler::QueueOptions::input_batch_size_limit}'s default. */
  public static final long DEFAULT_MAX_BATCH_SIZE = 1000;
  /** {@code SharedBatchScheduler::QueueOptions::max_enqueued_batches}'s default. */
  public static final long DEFAULT_MAX_ENQUEUED_BATCHES = 10;
  /** The pool name tensorflow_model_server gives when no parameters file is given. */
  public static final String SERVER_THREAD_POOL_NAME = "model_server_batch_threads";
  /** {@code SharedBatchScheduler::Options::thread_pool_name}'s default. */
  public static final String DEFAULT_THREAD_POOL_NAME = "batch_threads";

  public BatchingOptions {
    Objects.requireNonNull(threadPoolName, "threadPoolName");
    allowedBatchSizes = allowedBatchSizes.clone();
    // TensorFlow Serving's checks and messages (SharedBatchScheduler::Create/AddQueue,
    // WrapSessionForBatching), plus the limits of a Java array index.
    if (numBatchThreads < 1) {
      throw new IllegalArgumentException("num_batch_threads must be positive; was "
          + numBatchThreads);
    }
    if (maxBatchSize < 1 || maxBatchSize > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("max_batch_size must be positive (at most "
          + Integer.MAX_VALUE + "); was " + maxBatchSize);
    }
    if (batchTimeoutMicros < 0) {
      throw new IllegalArgumentException("batch_timeout_micros must be non-negative; was "
          + batchTimeoutMicros);
    }
    if (maxEnqueuedBatches < 0) {
      throw new IllegalArgumentException("max_enqueued_batches must be non-negative; was "
          + maxEnqueuedBatches);
    }
    if (allowedBatchSizes.length > 0) {
      long last = allowedBatchSizes[allowedBatchSizes.length - 1];
      if (last != maxBatchSize) {
        throw new IllegalArgumentException("Last entry in allowed_batch_sizes must match "
            + "max_batch_size; last entry was " + last + "; expected " + maxBatchSize);
      }
      for (int i = 0; i < allowedBatchSizes.length; i++) {
        if (allowedBatchSizes[i] < 1 || i > 0 && allowedBatchSizes[i] <= allowedBatchSizes[i - 1]) {
          throw new IllegalArgumentException("allowed_batch_sizes entries must be positive and "
              + "monotonically increasing; got " + Arrays.toString(allowedBatchSizes));
        }
      }
    }
  }

  /** What {@code --enable_batching} without {@code --batching_parameters_file} runs with. */
  public static BatchingOptions defaults() {
    return of(BatchingParameters.newBuilder()
        .setThreadPoolName(com.google.protobuf.StringValue.of(SERVER_THREAD_POOL_NAME)).build());
  }

  /**
   * The options a {@code BatchingParameters} message sets, TensorFlow Serving's defaults for the
   * fields it leaves out.
   *
   * @throws IllegalArgumentException for a value TensorFlow Serving refuses, or
   *     {@code enable_large_batch_splitting}, which this server does not do
   */
  public static BatchingOptions of(BatchingParameters parameters) {
    if (parameters.getEnableLargeBatchSplitting().getValue()) {
      throw new IllegalArgumentException("enable_large_batch_splitting is not supported by this "
          + "server; leave it out (a request over max_batch_size is then refused)");
    }
    long maxBatchSize = parameters.hasMaxBatchSize() ? parameters.getMaxBatchSize().getValue()
        : DEFAULT_MAX_BATCH_SIZE;
    long threads = parameters.hasNumBatchThreads() ? parameters.getNumBatchThreads().getValue()
        : Runtime.getRuntime().availableProcessors();
    if (threads > Short.MAX_VALUE) {
      throw new IllegalArgumentException("num_batch_threads must be at most " + Short.MAX_VALUE
          + "; was " + threads);
    }
    return new BatchingOptions(maxBatchSize,
        parameters.hasBatchTimeoutMicros() ? parameters.getBatchTimeoutMicros().getValue() : 0,
        parameters.hasMaxEnqueuedBatches() ? parameters.getMaxEnqueuedBatches().getValue()
            : DEFAULT_MAX_ENQUEUED_BATCHES,
        (int) threads,
        parameters.hasThreadPoolName() ? parameters.getThreadPoolName().getValue()
            : DEFAULT_THREAD_POOL_NAME,
        parameters.getAllowedBatchSizesList().stream().mapToLong(Long::longValue).toArray(),
        parameters.getPadVariableLengthInputs());
  }

  /**
   * Reads a {@code --batching_parameters_file}: a {@code BatchingParameters} message in protobuf
   * text format, e.g. {@code max_batch_size { value: 32 } batch_timeout_micros { value: 1000 }}.
   *
   * @throws IOException if it cannot be read or parsed or holds a value that is refused (one line
   *     naming the file and the problem)
   */
  public static BatchingOptions read(Path file) throws IOException {
    BatchingParameters.Builder parameters =
        TextProtoFiles.read(file, BatchingParameters.newBuilder(), "batching parameters file");
    try {
      return of(parameters.build());
    } catch (IllegalArgumentException e) {
      throw new IOException("batching parameters file " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public long[] allowedBatchSizes() {
    return allowedBatchSizes.clone();
  }

  /** The batch size a batch of {@code rows} is run at: the next allowed size, or rows itself. */
  public int paddedBatchSize(int rows) {
    for (long allowed : allowedBatchSizes) {
      if (allowed >= rows) {
        return (int) allowed;
      }
    }
    return rows;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BatchingOptions other && maxBatchSize == other.maxBatchSize
        && batchTimeoutMicros == other.batchTimeoutMicros
        && maxEnqueuedBatches == other.maxEnqueuedBatches
        && numBatchThreads == other.numBatchThreads
        && threadPoolName.equals(other.threadPoolName)
        && Arrays.equals(allowedBatchSizes, other.allowedBatchSizes)
        && padVariableLengthInputs == other.padVariableLengthInputs;
  }

  @Override
  public int hashCode() {
    return Objects.hash(maxBatchSize, batchTimeoutMicros, threadPoolName,
        Arrays.hashCode(allowedBatchSizes));
  }

  @Override
  public String toString() {
    return "max_batch_size " + maxBatchSize + ", batch_timeout_micros " + batchTimeoutMicros
        + ", max_enqueued_batches " + maxEnqueuedBatches + ", num_batch_threads "
        + numBatchThreads + ", allowed_batch_sizes " + Arrays.toString(allowedBatchSizes)
        + ", pad_variable_length_inputs " + padVariableLengthInputs;
  }
}
