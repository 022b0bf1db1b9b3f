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

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void adamFollowsTheTf1UpdateRule(boolean decaying) {
    LearningRate rate = decaying
        ? new LearningRate.ExponentialDecay(0.1f, 5, 0.5f, false)
        : new LearningRate.Constant(0.1f);
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      Problem p = problem(graph);
      AdamOptimizer adam = new AdamOptimizer(graph, List.of(p.w), rate, p.step);
      Op trainOp = adam.minimize(p.loss);
      float[] actual = train(p, trainOp, STEPS, session);

      double[] w = new double[4];
      double[] m = new double[4];
      double[] v = new double[4];
      java.util.Arrays.fill(w, START);
      double beta1Power = AdamOptimizer.BETA1;
      double beta2Power = AdamOptimizer.BETA2;
      for (int t = 0; t < STEPS; t++) {
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
      }
      for (int i = 0; i < 4; i++) {
        assertEquals(w[i], actual[i], 2e-5, "w[" + i + "]");
      }
      try (Result r = session.runner().fetch(p.step).fetch("beta1_power").run()) {
        assertEquals(STEPS, ((TInt64) r.get(0)).getLong());
        assertEquals(beta1Power, ((TFloat32) r.get(1)).getFloat(), 1e-6);
      }
      // TF1's names, so checkpoints cross to a Python AdamOptimizer.
      assertNotNull(graph.operation("w/Adam"));
      assertNotNull(graph.operation("w/Adam_1"));
      assertNotNull(graph.operation("beta2_power"));
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

  @Test
  void exponentialDecayMatchesTheFormula() {
    LearningRate.ExponentialDecay decay = new LearningRate.ExponentialDecay(0.5f, 10000, 0.9f, false);
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      var step = tf.placeholder(TInt64.class);
      Operand<TFloat32> rate = decay.build(tf, step);
      for (long s : new long[] {0, 1, 999, 5000, 25000}) {
        try (TInt64 stepValue = TInt64.scalarOf(s);
            Result r = session.runner().feed(step, stepValue).fetch(rate).run()) {
          double expected = 0.5 * Math.pow(0.9, s / 10000.0);
          assertEquals(expected, ((TFloat32) r.get(0)).getFloat(), 1e-7 * Math.max(1, expected));
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
