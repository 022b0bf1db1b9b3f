package org.tfrnn.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tfrnn.inference.Predictor;
import org.tfrnn.tensors.NdValue;
import org.tfrnn.tensors.Npy;

/** The README's "load a notebook's SavedModel in ten lines" example, run as written. */
class ReadmeExampleTest {

  @Test
  void readmeExampleRuns() throws Exception {
    float[] image = Arrays.copyOf(
        Npy.read(Path.of("savedmodels/py-static-lstm/expected/inputs.npy")).floats(), 28 * 28);

    // --- README example (keep in sync with README.md) ---
    try (Predictor model = Predictor.open(Path.of("savedmodels/py-static-lstm"))) {
      System.out.println(model.signature("serving_default").describe());
      Map<String, NdValue> out = model.predict("serving_default",
          Map.of("x", NdValue.ofFloats(image, 1, 28, 28)));   // one image: 28 rows of 28 pixels
      long digit = out.get("classes").longs()[0];
      float[] probabilities = out.get("probabilities").floats();
      System.out.println("digit " + digit + ", p = " + probabilities[(int) digit]);
      // --- end of README example ---
      assertEquals(7, digit, "the first MNIST test image is a 7");
    }
  }
}
