package org.tfrnn.batching;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.tfrnn.inference.PredictionException;
import org.tfrnn.inference.Predictor;
import org.tfrnn.tensors.NdValue;

/**
 * TensorFlow Serving's {@code SharedBatchScheduler} under its {@code BatchingSession}, for
 * {@link Predictor}s: one queue per model version, signature and set of outputs (TensorFlow
 * Serving's "tensor signature"), all served round-robin by one pool of
 * {@link BatchingOptions#numBatchThreads()} threads.
 *
 * <p>A request joins its queue's open batch if its rows fit, else it closes that batch and opens
 * a new one; if {@link BatchingOptions#maxEnqueuedBatches()} batches are already waiting it is
 * refused at once ({@link PredictionException.Reason#UNAVAILABLE}). A free thread takes a closed
 * batch, or the open one once it is full or its first request has waited
 * {@link BatchingOptions#batchTimeoutMicros()}; it merges the requests along dimension 0, pads the
 * batch to the next allowed size, runs the signature once, and splits each output back by rows.
 * Every request is checked against the signature before it is queued, so a bad request fails
 * alone; a failure of the merged run fails every request of the batch, as in TensorFlow Serving.
 *
 * <p>{@link #close()} refuses new requests, runs those queued without waiting for their timeout,
 * and stops the threads.
 */
public final class BatchScheduler implements AutoCloseable {
  private final BatchingOptions options;
  private final BatchListener listener;
  private final long timeoutNanos;
  private final ReentrantLock lock = new ReentrantLock();
  /** Signalled when a request is queued or the scheduler closes. */
  private final Condition work = lock.newCondition();
  // Guarded by lock. Only queues with work are kept: a queue is dropped once it is empty, so a
  // retired model version leaves nothing behind.
  private final Map<QueueKey, Queue> queues = new LinkedHashMap<>();
  private int nextQueue;
  private boolean closed;
  private final List<Thread> threads = new ArrayList<>();

  private BatchScheduler(BatchingOptions options, BatchListener listener) {
    this.options = options;
    this.listener = listener;
    long micros = options.batchTimeoutMicros();
    this.timeoutNanos = micros > Long.MAX_VALUE / 1000 ? Long.MAX_VALUE : micros * 1000;
  }

  /** Starts the batch threads (daemons named after {@code thread_pool_name}). */
  public static BatchScheduler start(BatchingOptions options, BatchListener listener) {
    BatchScheduler scheduler = new BatchScheduler(options, listener);
    for (int i = 0; i < options.numBatchThreads(); i++) {
      Thread thread = new Thread(scheduler::runBatches, options.threadPoolName() + "_" + i);
      thread.setDaemon(true);
      scheduler.threads.add(thread);
    }
    scheduler.threads.forEach(Thread::start);
    return scheduler;
  }

  public BatchingOptions options() {
    return options;
  }

  /**
   * Runs a request as part of a batch and waits for its answer; the same contract as
   * {@link Predictor#predict(String, Map, List)}. The caller keeps {@code predictor} open until
   * this returns (a server holds the model version for the request).
   *
   * @param model the model's name (for the {@link BatchListener})
   * @param version the model version {@code predictor} serves
   * @throws PredictionException for a bad request (as unbatched, plus: an input without
   *     dimension 0, or more rows than {@code max_batch_size}), a full queue or a closed
   *     scheduler ({@code UNAVAILABLE}), or the failure of the batch it ran in
   */
  public Map<String, NdValue> predict(String model, long version, Predictor predictor,
      String signatureKey, Map<String, NdValue> inputs, List<String> outputKeys) {
    String signature = predictor.signature(signatureKey).key();
    List<String> fetched = predictor.check(signature, inputs, outputKeys);
    int rows = BatchTensors.taskSize(inputs);
    if (rows > options.maxBatchSize()) {
      throw PredictionException.badRequest("Task size " + rows + " is larger than maximum input "
          + "batch size " + options.maxBatchSize());
    }
    Task task = new Task(Map.copyOf(inputs), rows, System.nanoTime());
    enqueue(new QueueKey(predictor, model, version, signature, fetched), task);
    try {
      return task.answer.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  private void enqueue(QueueKey key, Task task) {
    lock.lock();
    try {
      if (closed) {
        throw PredictionException.unavailable("the server is shutting down: request batching "
            + "has stopped");
      }
      Queue queue = queues.computeIfAbsent(key, Queue::new);
      if (queue.open().rows + task.rows > options.maxBatchSize()) {
        if (queue.batches.size() >= options.maxEnqueuedBatches()) {
          if (queue.idle()) {
            queues.remove(key);
          }
          throw PredictionException.unavailable("The batch scheduling queue to which this task "
              + "was submitted is full; currently " + queue.batches.size() + " batches enqueued "
              + "and max_enqueued_batches is " + options.maxEnqueuedBatches());
        }
        queue.batches.addLast(new Batch());
      }
      if (queue.open().tasks.isEmpty()) {
        queue.openSince = task.queuedAt;
      }
      queue.open().add(task);
      work.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Requests queued and not yet taken by a batch thread. */
  public int queuedRequests() {
    lock.lock();
    try {
      return queues.values().stream()
          .mapToInt(q -> q.batches.stream().mapToInt(b -> b.tasks.size()).sum()).sum();
    } finally {
      lock.unlock();
    }
  }

  /** A batch thread: takes the next batch that may run, runs it; ends once closed and drained. */
  private void runBatches() {
    while (true) {
      Queue queue;
      Batch batch;
      lock.lock();
      try {
        while (true) {
          long now = System.nanoTime();
          queue = nextReadyQueue(now);
          if (queue != null) {
            batch = queue.batches.pollFirst();
            queue.running++;
            break;
          }
          if (closed && queues.isEmpty()) {
            return;
          }
          long wait = nanosUntilAnOpenBatchTimesOut(now);
          try {
            if (wait == Long.MAX_VALUE) {
              work.await();
            } else {
              work.awaitNanos(wait);
            }
          } catch (InterruptedException e) {
            // Nobody interrupts these threads but close() never does either: keep serving.
          }
        }
      } finally {
        lock.unlock();
      }
      try {
        run(queue.key, batch);
      } finally {
        lock.lock();
        try {
          queue.running--;
          if (queue.idle()) {
            queues.remove(queue.key);
          }
          if (closed) {
            work.signalAll();
          }
        } finally {
          lock.unlock();
        }
      }
    }
  }

  /** Round-robin over the queues: the next one with a closed batch, or an open one due. */
  private Queue nextReadyQueue(long now) {
    List<Queue> all = new ArrayList<>(queues.values());
    for (int i = 0; i < all.size(); i++) {
      Queue queue = all.get((nextQueue + i) % all.size());
      if (queue.batches.size() == 1 && queue.openBatchDue(now)) {
        queue.batches.addLast(new Batch());
      }
      if (queue.batches.size() >= 2) {
        nextQueue = (nextQueue + i + 1) % all.size();
        return queue;
      }
    }
    return null;
  }

  private long nanosUntilAnOpenBatchTimesOut(long now) {
    long wait = Long.MAX_VALUE;
    for (Queue queue : queues.values()) {
      if (!queue.open().tasks.isEmpty()) {
        wait = Math.min(wait, Math.max(1, timeoutNanos - (now - queue.openSince)));
      }
    }
    return wait;
  }

  /** Merges, runs, splits, reports, and answers every request of the batch on every path. */
  private void run(QueueKey key, Batch batch) {
    long started = System.nanoTime();
    List<Task> tasks = batch.tasks;
    int padded = batch.rows == 0 ? 0 : options.paddedBatchSize(batch.rows);
    int[] taskRows = tasks.stream().mapToInt(t -> t.rows).toArray();
    List<Map<String, NdValue>> answers = new ArrayList<>(tasks.size());
    RuntimeException failure = null;
    try {
      Map<String, NdValue> merged = BatchTensors.merge(
          tasks.stream().map(t -> t.inputs).toList(), padded, options.padVariableLengthInputs());
      Map<String, NdValue> outputs = key.predictor.predict(key.signature, merged, key.outputs);
      tasks.forEach(t -> answers.add(new LinkedHashMap<>()));
      outputs.forEach((name, output) -> {
        List<NdValue> parts = BatchTensors.split(name, output, taskRows, padded);
        for (int i = 0; i < parts.size(); i++) {
          answers.get(i).put(name, parts.get(i));
        }
      });
    } catch (RuntimeException e) {
      failure = e;
    } catch (Error e) {
      // E.g. out of memory on a large batch: its requests fail (500), the thread keeps serving.
      failure = PredictionException.modelFailed("the batch failed: " + e, e);
    } finally {
      report(key, batch, padded, started, failure == null);
      for (int i = 0; i < tasks.size(); i++) {
        if (failure == null) {
          tasks.get(i).answer.complete(answers.get(i));
        } else {
          tasks.get(i).answer.completeExceptionally(failure);
        }
      }
    }
  }

  private void report(QueueKey key, Batch batch, int padded, long started, boolean succeeded) {
    List<Integer> sizes = new ArrayList<>(batch.tasks.size());
    List<Duration> waits = new ArrayList<>(batch.tasks.size());
    for (Task task : batch.tasks) {
      sizes.add(task.rows);
      waits.add(Duration.ofNanos(started - task.queuedAt));
    }
    try {
      listener.batchRun(new BatchRun(key.model, key.version, key.signature,
          options.threadPoolName(), batch.rows, padded, sizes, waits, succeeded));
    } catch (RuntimeException e) {
      // A listener must not fail the requests (see BatchListener).
    }
  }

  /**
   * Refuses new requests, runs the queued ones (without waiting for their timeout), then stops
   * the batch threads. Idempotent.
   */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      work.signalAll();
    } finally {
      lock.unlock();
    }
    boolean interrupted = false;
    for (Thread thread : threads) {
      while (thread.isAlive()) {
        try {
          thread.join(TimeUnit.SECONDS.toMillis(1));
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Requests that may share a batch: same loaded model, signature and outputs. */
  private record QueueKey(Predictor predictor, String model, long version, String signature,
      List<String> outputs) {}

  private record Task(Map<String, NdValue> inputs, int rows, long queuedAt,
      CompletableFuture<Map<String, NdValue>> answer) {
    Task(Map<String, NdValue> inputs, int rows, long queuedAt) {
      this(inputs, rows, queuedAt, new CompletableFuture<>());
    }
  }

  private static final class Batch {
    final List<Task> tasks = new ArrayList<>();
    int rows;

    void add(Task task) {
      tasks.add(task);
      rows += task.rows;
    }
  }

  /** One queue: closed batches waiting for a thread, then the open batch (always last). */
  private final class Queue {
    final QueueKey key;
    final Deque<Batch> batches = new ArrayDeque<>();
    long openSince;
    int running;

    Queue(QueueKey key) {
      this.key = key;
      batches.add(new Batch());
    }

    Batch open() {
      return batches.peekLast();
    }

    boolean openBatchDue(long now) {
      Batch open = open();
      return !open.tasks.isEmpty() && (closed || open.rows >= options.maxBatchSize()
          || now - openSince >= timeoutNanos);
    }

    boolean idle() {
      return running == 0 && batches.size() == 1 && open().tasks.isEmpty();
    }
  }
}
