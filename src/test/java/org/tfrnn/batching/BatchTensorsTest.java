package org.tfrnn.batching;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tfrnn.inference.PredictionException;
import org.tfrnn.tensors.NdValue;

/** Merging along dimension 0, padding and splitting, against arrays written out by hand. */
class BatchTensorsTest {
  private static NdValue floats(long[] shape, float... values) {
    return NdValue.ofFloats(values, shape);
  }

  @Test
  void requestsAreConcatenatedInOrderAndPaddedWithTheLastRequestsFirstRow() {
    NdValue a = floats(new long[] {1, 2}, 1, 2);
    NdValue b = floats(new long[] {2, 2}, 3, 4, 5, 6);
    NdValue merged = BatchTensors.merge(List.of(Map.of("x", a), Map.of("x", b)), 5, false)
        .get("x");
    assertArrayEquals(new long[] {5, 2}, merged.shape());
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 3, 4, 3, 4}, merged.floats());
  }

  @Test
  void variableLengthInputsArePaddedWithTheirOwnFirstElement() {
    NdValue a = floats(new long[] {1, 2, 1}, 7, 8);
    NdValue b = floats(new long[] {1, 1, 2}, 9, 10);
    NdValue merged = BatchTensors.merge(List.of(Map.of("x", a), Map.of("x", b)), 2, true)
        .get("x");
    assertArrayEquals(new long[] {2, 2, 2}, merged.shape());
    assertArrayEquals(new float[] {7, 7, 8, 7, 9, 10, 9, 9}, merged.floats());
  }

  @Test
  void differentShapesWithoutPaddingFailWithTensorFlowServingsMessage() {
    PredictionException e = assertThrows(PredictionException.class, () -> BatchTensors.merge(
        List.of(Map.of("x", floats(new long[] {1, 2}, 1, 2)),
            Map.of("x", floats(new long[] {1, 3}, 1, 2, 3))), 2, false));
    assertEquals("Tensors with name 'x' from different tasks have different shapes and padding "
        + "is turned off. Set pad_variable_length_inputs to true, or ensure that all tensors "
        + "with the same name have equal dimensions starting with the first dim.",
        e.getMessage());
  }

  @Test
  void outputsAreSplitByRowsAndThePaddingDropped() {
    NdValue output = NdValue.ofLongs(new long[] {10, 11, 12, 13, 14, 15, 16, 17}, 4, 2);
    List<NdValue> parts = BatchTensors.split("y", output, new int[] {1, 2}, 4);
    assertEquals(NdValue.ofLongs(new long[] {10, 11}, 1, 2), parts.get(0));
    assertEquals(NdValue.ofLongs(new long[] {12, 13, 14, 15}, 2, 2), parts.get(1));
    assertEquals(2, parts.size());
  }

  @Test
  void anOutputThatIsNotBatchMajorFailsTheBatch() {
    assertEquals("Batched output tensor has 0 dimensions (output 'y')", assertThrows(
        PredictionException.class, () -> BatchTensors.split("y",
            NdValue.ofFloats(new float[] {1}), new int[] {1}, 1)).getMessage());
    assertEquals("Batched output tensor's 0th dimension does not equal the sum of the 0th "
        + "dimension sizes of the input tensors (output 'y': 3 rows for 2)", assertThrows(
        PredictionException.class, () -> BatchTensors.split("y",
            NdValue.ofFloats(new float[] {1, 2, 3}, 3), new int[] {1, 1}, 2)).getMessage());
  }

  @Test
  void aRequestsBatchSizeIsItsInputsCommonDimension0() {
    assertEquals(3, BatchTensors.taskSize(Map.of("a", floats(new long[] {3}, 1, 2, 3),
        "b", NdValue.ofInts(new int[6], 3, 2))));
    assertEquals("Batching Run() input tensors must have at least one dimension",
        assertThrows(PredictionException.class, () -> BatchTensors.taskSize(
            Map.of("x", NdValue.ofFloats(new float[] {1})))).getMessage());
    assertEquals("Batching Run() input tensors must have equal 0th-dimension size",
        assertThrows(PredictionException.class, () -> BatchTensors.taskSize(Map.of(
            "a", floats(new long[] {1}, 1), "b", floats(new long[] {2}, 1, 2)))).getMessage());
  }
}
