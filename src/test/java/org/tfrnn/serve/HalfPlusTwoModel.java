package org.tfrnn.serve;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;
import org.tfrnn.savedmodel.ModelExporter;

/**
 * A SavedModel written by TF Java for the REST tests, after TensorFlow Serving's
 * {@code saved_model_half_plus_two} test model (which its http_rest_api_handler_test serves):
 *
 * <ul>
 *   <li>{@code serving_default}: {@code x} float32 of any shape, {@code y = 0.5 x + 2};
 *   <li>{@code strings}: {@code text} string of any shape, outputs {@code upper} (the text in
 *       upper case, a string), {@code text_bytes} (the text unchanged: bytes, by its name) and
 *       {@code length} (int32 byte count);
 *   <li>{@code half}: {@code x} float32 to {@code y} float16, a dtype the REST API does not write.
 * </ul>
 */
final class HalfPlusTwoModel {
  static final String PREDICT = "tensorflow/serving/predict";

  private HalfPlusTwoModel() {}

  /** Exports the model as {@code base/1} and returns that directory. */
  static Path export(Path base) throws IOException {
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class,
          Placeholder.shape(Shape.unknown()));
      var y = tf.withName("y").math.add(tf.math.mul(x, tf.constant(0.5f)), tf.constant(2f));
      Placeholder<TString> text = tf.withName("text").placeholder(TString.class,
          Placeholder.shape(Shape.unknown()));
      var upper = tf.withName("upper").strings.upper(text);
      var same = tf.withName("text_bytes").identity(text);
      var length = tf.withName("length").strings.stringLength(text);
      var half = tf.withName("y_half").dtypes.cast(y, TFloat16.class);
      List<Signature> signatures = List.of(
          Signature.builder().key(Signature.DEFAULT_KEY).methodName(PREDICT)
              .input("x", x).output("y", y).build(),
          Signature.builder().key("strings").methodName(PREDICT).input("text", text)
              .output("upper", upper).output("text_bytes", same).output("length", length).build(),
          Signature.builder().key("half").methodName(PREDICT)
              .input("x", x).output("y", half).build());
      return ModelExporter.exportNextVersion(session, signatures, base);
    }
  }
}
