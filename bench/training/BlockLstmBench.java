import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.BlockLSTM;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tfrnn.nn.BasicLstmCell;
import org.tfrnn.nn.FastLstm;
import org.tfrnn.nn.RnnCell;

/**
 * TensorFlow's fused LSTM kernels ({@code BlockLSTMV2} + {@code BlockLSTMGradV2}, TF Java's
 * {@code tf.nn.blockLSTM}) against {@link FastLstm}'s forward and backward, same sizes, same
 * session, alternated in rounds: the RNN's forward and kernel/bias gradients only (no head, no
 * optimizer). Prints the median ms of each per round and their ratio.
 *
 * <pre>
 *   flock /tmp/bench.lock java -cp ... BlockLstmBench [rounds] [steps]
 * </pre>
 */
public final class BlockLstmBench {
  private static final int TIME = 28;
  private static final int BATCH = 128;
  private static final int INPUT = 28;
  private static final int UNITS = 128;

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int steps = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      Operand<TFloat32> kernel = tf.variable(tf.random.randomUniform(
          tf.constant(new long[] {INPUT + UNITS, 4 * UNITS}), TFloat32.class));
      Operand<TFloat32> bias = tf.variable(tf.zeros(tf.constant(new long[] {4 * UNITS}),
          TFloat32.class));
      Operand<TFloat32> x = tf.variable(tf.random.randomUniform(
          tf.constant(new long[] {BATCH, TIME, INPUT}), TFloat32.class));

      // Fused: time-major x, zero state, no peepholes; h's gradient 1 at every step.
      Operand<TFloat32> timeMajor = tf.linalg.transpose(x, tf.constant(new int[] {1, 0, 2}));
      Operand<TFloat32> zeros = tf.zeros(tf.constant(new long[] {BATCH, UNITS}), TFloat32.class);
      Operand<TFloat32> noPeephole = tf.zeros(tf.constant(new long[] {UNITS}), TFloat32.class);
      Operand<TInt64> length = tf.constant((long) TIME);
      BlockLSTM<TFloat32> block = tf.nn.blockLSTM(length, timeMajor, zeros, zeros, kernel,
          noPeephole, noPeephole, noPeephole, bias);
      Operand<TFloat32> ones =
          tf.ones(tf.constant(new long[] {TIME, BATCH, UNITS}), TFloat32.class);
      var grad = tf.nn.blockLSTMGrad(length, timeMajor, zeros, zeros, kernel, noPeephole,
          noPeephole, noPeephole, bias, block.i(), block.cs(), block.f(), block.o(), block.ci(),
          block.co(), block.h(), tf.zerosLike(ones), ones, false);
      List<Operand<?>> fused = List.of(grad.wGrad(), grad.bGrad());

      FastLstm.Result forward = FastLstm.unroll(tf, List.of(new FastLstm.Layer(
          new BasicLstmCell(INPUT, UNITS, 0f), new RnnCell.CellWeights(kernel, bias), tf)),
          x, TIME, null);
      Operand<TFloat32> stepOnes = tf.ones(tf.constant(new long[] {BATCH, UNITS}), TFloat32.class);
      FastLstm.Gradients backward = FastLstm.backward(tf.withSubScope("backprop"), forward,
          new ArrayList<>(Collections.nCopies(TIME, stepOnes)), null, false);
      List<Operand<?>> fast =
          List.of(backward.weights().get(0).kernel(), backward.weights().get(0).bias());

      session.initialize();
      time(session, fused, 10);
      time(session, fast, 10);
      for (int r = 0; r < rounds; r++) {
        double a = r % 2 == 0 ? time(session, fused, steps) : 0;
        double b = time(session, fast, steps);
        if (r % 2 == 1) {
          a = time(session, fused, steps);
        }
        System.out.printf(Locale.ROOT,
            "round %d: BlockLSTMV2+GradV2 %.1f ms, FastLstm %.1f ms, fused/fast %.2f%n",
            r + 1, a, b, a / b);
      }
    }
  }

  private static double time(Session session, List<Operand<?>> fetches, int steps) {
    List<Double> ms = new ArrayList<>();
    for (int i = 0; i < steps; i++) {
      long start = System.nanoTime();
      Session.Runner runner = session.runner();
      fetches.forEach(runner::fetch);
      try (Result ignored = runner.run()) {
        ms.add((System.nanoTime() - start) / 1e6);
      }
    }
    Collections.sort(ms);
    return ms.get(ms.size() / 2);
  }
}
