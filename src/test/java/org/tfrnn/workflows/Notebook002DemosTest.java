package org.tfrnn.workflows;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class Notebook002DemosTest {

  @Test
  void fromScratchComputesTheWrittenOutFormula() {
    List<String> lines = new ArrayList<>();
    Notebook002Demos.FromScratch r = Notebook002Demos.fromScratch(7, lines::add);
    for (int row = 0; row < 4; row++) {
      double[] y0 = new double[5];
      for (int j = 0; j < 5; j++) {
        double s = r.b()[j];
        for (int i = 0; i < 3; i++) {
          s += Notebook002Demos.X0[row][i] * r.wx()[i * 5 + j];
        }
        y0[j] = Math.tanh(s);
        assertEquals(y0[j], r.y0()[row * 5 + j], 1e-5, "y0");
      }
      for (int j = 0; j < 5; j++) {
        double s = r.b()[j];
        for (int i = 0; i < 3; i++) {
          s += Notebook002Demos.X1[row][i] * r.wx()[i * 5 + j];
        }
        for (int k = 0; k < 5; k++) {
          s += y0[k] * r.wy()[k * 5 + j];
        }
        assertEquals(Math.tanh(s), r.y1()[row * 5 + j], 1e-5, "y1");
      }
    }
    assertTrue(lines.get(1).startsWith("y0_val\narray([["), lines.get(1));
  }

  @Test
  void staticAndDynamicAgree() {
    Notebook002Demos.StaticVsDynamic r = Notebook002Demos.staticVsDynamic(7, line -> {});
    assertEquals(4 * 2 * 5, r.staticOutputs().length);
    assertArrayEquals(r.staticOutputs(), r.dynamicOutputs(), 1e-6f);
  }

  @Test
  void variableLengthZeroesPastTheEndAndCarriesTheState() {
    Notebook002Demos.VariableLength r = Notebook002Demos.variableLength(7, line -> {});
    // Sequence 0 has length 1: its step-1 output is zero and its state is its step-0 output.
    assertEquals(0f, r.outputs()[1]);
    assertEquals(r.outputs()[0], r.state()[0]);
    // Sequence 1 runs both steps: its state is its step-1 output, which is not zero.
    assertEquals(r.outputs()[3], r.state()[1]);
    assertTrue(r.outputs()[3] != 0f);
  }
}
