package org.tfrnn.batching;

import java.time.Duration;
import java.util.List;

/**
 * One batch a {@link BatchScheduler} ran: what TensorFlow Serving's batching metrics record
 * ({@code /tensorflow/serving/batching_session/queuing_latency}, {@code processed_batch_size},
 * {@code padding_size}, {@code input_batch_size}).
 *
 * @param model the model's name
 * @param version the model version that ran it
 * @param signature the signature key
 * @param threadPoolName the scheduler's {@code thread_pool_name} (TensorFlow Serving's label of
 *     the queuing latency)
 * @param batchSize the rows of the requests merged (the sum of {@code taskSizes})
 * @param paddedBatchSize the rows the model ran: {@code batchSize} rounded up to the next allowed
 *     batch size (equal to it without {@code allowed_batch_sizes})
 * @param taskSizes each request's rows, in the batch's order
 * @param queueTimes each request's time from being queued to its batch starting, same order
 * @param succeeded whether the model ran and the answers were split back
 */
public record BatchRun(String model, long version, String signature, String threadPoolName,
    int batchSize, int paddedBatchSize, List<Integer> taskSizes, List<Duration> queueTimes,
    boolean succeeded) {

  public BatchRun {
    taskSizes = List.copyOf(taskSizes);
    queueTimes = List.copyOf(queueTimes);
  }

  /** The rows of padding added: {@code paddedBatchSize - batchSize}. */
  public int paddingSize() {
    return paddedBatchSize - batchSize;
  }

  /** How many requests were merged. */
  public int tasks() {
    return taskSizes.size();
  }
}
