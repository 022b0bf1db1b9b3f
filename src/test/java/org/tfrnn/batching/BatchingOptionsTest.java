package org.tfrnn.batching;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TensorFlow Serving's {@code batching_parameters_file}: its text format, its defaults
 * (shared_batch_scheduler.h, model_servers/server.cc) and its checks with their messages
 * (SharedBatchScheduler::Create/AddQueue, bundle_factory_util.cc).
 */
class BatchingOptionsTest {
  @TempDir Path temp;

  private BatchingOptions read(String text) throws IOException {
    Path file = temp.resolve("batching.config");
    Files.writeString(file, text);
    return BatchingOptions.read(file);
  }

  private String refusal(String text) {
    Path file = temp.resolve("batching.config");
    IOException e = assertThrows(IOException.class, () -> read(text));
    String prefix = "batching parameters file " + file + ": ";
    assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
    assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    return e.getMessage().substring(prefix.length());
  }

  @Test
  void anEmptyFileGivesSharedBatchSchedulersDefaults() throws IOException {
    BatchingOptions options = read("");
    assertEquals(new BatchingOptions(1000, 0, 10, Runtime.getRuntime().availableProcessors(),
        "batch_threads", new long[0], false), options);
  }

  @Test
  void enableBatchingWithoutAFileNamesThePoolAsTheModelServerDoes() {
    assertEquals(new BatchingOptions(1000, 0, 10, Runtime.getRuntime().availableProcessors(),
        "model_server_batch_threads", new long[0], false), BatchingOptions.defaults());
  }

  @Test
  void tensorFlowServingsDocumentedExampleParses() throws IOException {
    // The example of tensorflow_serving/batching/README.md ("Batch Scheduling Parameters").
    BatchingOptions options = read("max_batch_size { value: 128 }\n"
        + "batch_timeout_micros { value: 0 }\n"
        + "max_enqueued_batches { value: 1000000 }\n"
        + "num_batch_threads { value: 8 }\n");
    assertEquals(new BatchingOptions(128, 0, 1_000_000, 8, "batch_threads", new long[0], false),
        options);
  }

  @Test
  void allowedBatchSizesPadToTheNextOne() throws IOException {
    BatchingOptions options = read("max_batch_size { value: 8 } allowed_batch_sizes: 2 "
        + "allowed_batch_sizes: 5 allowed_batch_sizes: 8 pad_variable_length_inputs: true "
        + "thread_pool_name { value: 'pool' }");
    assertArrayEquals(new long[] {2, 5, 8}, options.allowedBatchSizes());
    assertEquals("pool", options.threadPoolName());
    assertTrue(options.padVariableLengthInputs());
    int[] padded = new int[9];
    for (int rows = 1; rows <= 8; rows++) {
      padded[rows] = options.paddedBatchSize(rows);
    }
    assertArrayEquals(new int[] {0, 2, 2, 5, 5, 5, 8, 8, 8}, padded);
    assertEquals(7, read("max_batch_size { value: 8 }").paddedBatchSize(7));
  }

  @Test
  void tensorFlowServingsRefusalsAndMessages() {
    assertEquals("num_batch_threads must be positive; was 0",
        refusal("num_batch_threads { value: 0 }"));
    assertEquals("max_batch_size must be positive (at most 2147483647); was 0",
        refusal("max_batch_size { value: 0 }"));
    assertEquals("batch_timeout_micros must be non-negative; was -1",
        refusal("batch_timeout_micros { value: -1 }"));
    assertEquals("max_enqueued_batches must be non-negative; was -2",
        refusal("max_enqueued_batches { value: -2 }"));
    assertEquals("Last entry in allowed_batch_sizes must match max_batch_size; last entry was "
        + "16; expected 32", refusal("max_batch_size { value: 32 } allowed_batch_sizes: 8 "
        + "allowed_batch_sizes: 16"));
    // Without max_batch_size, the last entry must match the default, as in TensorFlow Serving.
    assertEquals("Last entry in allowed_batch_sizes must match max_batch_size; last entry was "
        + "64; expected 1000", refusal("allowed_batch_sizes: 64"));
    assertEquals("allowed_batch_sizes entries must be positive and monotonically increasing; "
        + "got [8, 4, 8]", refusal("max_batch_size { value: 8 } allowed_batch_sizes: 8 "
        + "allowed_batch_sizes: 4 allowed_batch_sizes: 8"));
    assertEquals("enable_large_batch_splitting is not supported by this server; leave it out "
        + "(a request over max_batch_size is then refused)",
        refusal("enable_large_batch_splitting { value: true }"));
  }

  @Test
  void aSyntaxErrorNamesTheFileAndTheLine() {
    Path file = temp.resolve("batching.config");
    IOException e = assertThrows(IOException.class, () -> read("max_batch_size { value: 8 }\n"
        + "max_batch_sise { value: 8 }\n"));
    assertEquals("cannot parse the batching parameters file " + file + ": 2:1: Input contains "
        + "unknown fields and/or extensions: 2:1: "
        + "tensorflow.serving.BatchingParameters.max_batch_sise", e.getMessage());
    e = assertThrows(IOException.class, () -> read("max_batch_size { value: 'eight' }"));
    assertEquals("cannot parse the batching parameters file " + file + ": 1:25: Couldn't "
        + "parse integer: For input string: \"'eight'\"", e.getMessage());
  }

  @Test
  void aMissingFileIsNamed() {
    Path missing = temp.resolve("missing.config");
    IOException e = assertThrows(IOException.class, () -> BatchingOptions.read(missing));
    assertEquals("cannot read the batching parameters file " + missing + ": it does not exist",
        e.getMessage());
  }
}
