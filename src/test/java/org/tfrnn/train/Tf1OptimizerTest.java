package org.tfrnn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tfrnn.nn.Initializer;
import org.tfrnn.nn.Seeds;
import org.tfrnn.nn.Variables;
import org.tfrnn.nn.WhileLoopGradientException;
import org.tfrnn.tensors.Tensors;

/**
 * The optimizers against their update rules written out in plain Java (double precision), on the
 * quadratic loss sum(c * (w - target)^2) whose gradient is 2 c (w - target).
 */
class Tf1OptimizerTest {
  private static final float[] C = {0.5f, 2f, 1f, 3f};
  private static final float[] TARGET = {1f, -2f, 0.25f, 4f};
  private static final float START = 0.5f;
  private static final int STEPS = 25;

  private record Problem(Graph graph, Variable<TFloat32> w, Variable<TInt64> step,
      Operand<TFloat32> loss) {}

  private static Problem problem(Graph graph) {
    Ops tf = Ops.create(graph);
    Variables variables = new Variables(new Seeds(1));
    Variable<TFloat32> w = variables.trainable(tf, "w", Shape.of(4), new Initializer.Constant(START));
    Variable<TInt64> step = Variables.counter(tf, "global_step");
    Operand<TFloat32> loss = tf.sum(
        tf.math.mul(tf.constant(C), tf.math.square(tf.math.sub(w, tf.constant(TARGET)))),
        tf.constant(0));
    return new Problem(graph, w, step, loss);
  }

  private static float[] train(Problem p, Op trainOp, int steps, Session session) {
    for (int i = 0; i < steps; i++) {
      session.run(trainOp);
    }
    try (Result r = session.runner().fetch(p.w).run()) {
      return Tensors.toFloatArray(r.get(0));
    }
  }

  /**
   * Adam against Adam in plain Java at every step, as tensorflow/java's {@code AdamTest} checks
   * it: the weights, both slots ({@code w/Adam} = m, {@code w/Adam_1} = v) and both beta powers.
   * The slots are what a checkpoint carries to a Python AdamOptimizer, so they must be right on
   * their own, not only through the weights.
   */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void adamFollowsTheTf1UpdateRuleAtEveryStep(boolean decaying) {
    LearningRate rate = decaying
        ? new LearningRate.ExponentialDecay(0.1f, 5, 0.5f, false)
        : new LearningRate.Constant(0.1f);
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      Problem p = problem(graph);
      AdamOptimizer adam = new AdamOptimizer(graph, List.of(p.w), rate, p.step);
      Op trainOp = adam.minimize(p.loss);

      double[] w = new double[4];
      double[] m = new double[4];
      double[] v = new double[4];
      java.util.Arrays.fill(w, START);
      double beta1Power = AdamOptimizer.BETA1;
      double beta2Power = AdamOptimizer.BETA2;
      for (int t = 0; t < STEPS; t++) {
        session.run(trainOp);

        double lr = decaying ? 0.1 * Math.pow(0.5, t / 5.0) : 0.1;
        double lrT = lr * Math.sqrt(1 - beta2Power) / (1 - beta1Power);
        for (int i = 0; i < 4; i++) {
          double g = 2 * C[i] * (w[i] - TARGET[i]);
          m[i] = AdamOptimizer.BETA1 * m[i] + (1 - AdamOptimizer.BETA1) * g;
          v[i] = AdamOptimizer.BETA2 * v[i] + (1 - AdamOptimizer.BETA2) * g * g;
          w[i] -= lrT * m[i] / (Math.sqrt(v[i]) + AdamOptimizer.EPSILON);
        }
        beta1Power *= AdamOptimizer.BETA1;
        beta2Power *= AdamOptimizer.BETA2;

        try (Result r = session.runner().fetch(p.w).fetch("w/Adam").fetch("w/Adam_1")
            .fetch("beta1_power").fetch("beta2_power").fetch(p.step).run()) {
          String at = " after step " + (t + 1);
          assertClose(w, Tensors.toFloatArray(r.get(0)), 2e-5, "w" + at);
          assertClose(m, Tensors.toFloatArray(r.get(1)), 2e-5, "w/Adam (m)" + at);
          assertClose(v, Tensors.toFloatArray(r.get(2)), 2e-5, "w/Adam_1 (v)" + at);
          assertEquals(beta1Power, Tensors.scalar(r.get(3)), 1e-6, "beta1_power" + at);
          assertEquals(beta2Power, Tensors.scalar(r.get(4)), 1e-6, "beta2_power" + at);
          assertEquals(t + 1, ((TInt64) r.get(5)).getLong(), "global_step" + at);
        }
      }
    }
  }

  /** Within {@code tolerance} relative to the value's size, absolute below 1. */
  private static void assertClose(double[] expected, float[] actual, double tolerance,
      String what) {
    assertEquals(expected.length, actual.length, what);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], tolerance * Math.max(1, Math.abs(expected[i])),
          what + "[" + i + "]");
    }
  }

  @Test
  void gradientDescentFollowsItsUpdateRule() {
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      Problem p = problem(graph);
      Op trainOp = new GradientDescentOptimizer(graph, List.of(p.w),
          new LearningRate.Constant(0.05f), null).minimize(p.loss);
      float[] actual = train(p, trainOp, STEPS, session);
      for (int i = 0; i < 4; i++) {
        double w = START;
        for (int t = 0; t < STEPS; t++) {
          w -= 0.05 * 2 * C[i] * (w - TARGET[i]);
        }
        assertEquals(w, actual[i], 1e-5, "w[" + i + "]");
      }
    }
  }

  /** The graph's schedule against tf.train.exponential_decay's formula in plain Java. */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void exponentialDecayMatchesTheFormula(boolean staircase) {
    LearningRate decay = new LearningRate.ExponentialDecay(0.5f, 10000, 0.9f, staircase);
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      var step = tf.placeholder(TInt64.class);
      Operand<TFloat32> rate = decay.build(tf, step);
      for (long s : new long[] {0, 1, 999, 5000, 10000, 25000}) {
        try (TInt64 stepValue = TInt64.scalarOf(s);
            Result r = session.runner().feed(step, stepValue).fetch(rate).run()) {
          double exponent = s / 10000.0;
          double expected = 0.5 * Math.pow(0.9, staircase ? Math.floor(exponent) : exponent);
          assertEquals(expected, ((TFloat32) r.get(0)).getFloat(), 1e-7, "step " + s);
        }
      }
    }
  }

  @Test
  void decayWithoutGlobalStepIsRejected() {
    try (Graph graph = new Graph()) {
      Problem p = problem(graph);
      assertThrows(IllegalArgumentException.class, () -> new AdamOptimizer(graph, List.of(p.w),
          new LearningRate.ExponentialDecay(0.1f, 10, 0.5f, false), null));
    }
  }

  @Test
  void minimizeThroughAWhileLoopThrowsInsteadOfAbortingTheJvm() {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Variables variables = new Variables(new Seeds(1));
      org.tfrnn.nn.RnnCell cell = new org.tfrnn.nn.BasicRnnCell(2, 3);
      org.tfrnn.nn.RnnCell.CellWeights weights = cell.createWeights(tf.withSubScope("cell"), variables);
      var x = tf.placeholder(TFloat32.class,
          org.tensorflow.op.core.Placeholder.shape(Shape.of(-1, -1, 2)));
      var rnn = org.tfrnn.nn.DynamicRnn.build(tf.withSubScope("rnn"), cell, weights, x, null, null);
      Operand<TFloat32> loss = tf.sum(rnn.outputs(), tf.constant(new int[] {0, 1, 2}));
      AdamOptimizer adam = new AdamOptimizer(graph, variables.trainableVariables(),
          new LearningRate.Constant(0.01f), null);
      assertThrows(WhileLoopGradientException.class, () -> adam.minimize(loss));
      assertNotNull(graph.operation("rnn/while/Exit"), "the loop is there and the JVM lives on");
    }
  }
}
