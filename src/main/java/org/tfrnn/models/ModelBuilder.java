package org.tfrnn.models;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.framework.optimizers.Optimizer.GradAndVar;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Unstack;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TNumber;
import org.tensorflow.types.family.TType;
import org.tfrnn.nn.BasicLstmCell;
import org.tfrnn.nn.BatchLanes;
import org.tfrnn.nn.DynamicRnn;
import org.tfrnn.nn.DynamicRnnBackprop;
import org.tfrnn.nn.FastLstm;
import org.tfrnn.nn.Gradients;
import org.tfrnn.nn.Initializer;
import org.tfrnn.nn.Losses;
import org.tfrnn.nn.MultiRnnCell;
import org.tfrnn.nn.RnnCell;
import org.tfrnn.nn.Seeds;
import org.tfrnn.nn.StaticRnn;
import org.tfrnn.nn.Variables;
import org.tfrnn.train.AdamOptimizer;
import org.tfrnn.train.GlobalNormClipping;
import org.tfrnn.train.GradientDescentOptimizer;
import org.tfrnn.train.Tf1Optimizer;

/**
 * Builds a notebook's model into a graph: placeholders, RNN (static unroll or while loop), output
 * layer, loss, accuracy and the training op, with the notebook's op and variable names.
 *
 * <p>A static model trains through TensorFlow's own gradients. A while-loop model takes those only
 * up to the loop's outputs and continues with {@link DynamicRnnBackprop}; a fast one likewise with
 * {@link FastLstm#backward}.
 */
public final class ModelBuilder {
  public static final String INPUT = "x";
  public static final String LABELS = "y";
  public static final String SEQUENCE_LENGTH = "sequence_length";
  public static final String LOGITS = "logits";
  public static final String PROBABILITIES = "probabilities";
  public static final String CLASSES = "classes";

  private ModelBuilder() {}

  /**
   * Independent batch slices ("lanes") the fast unroll runs side by side: two chains of small ops
   * keep both cores busy where one chain leaves gaps (measured in BENCHMARKS.md).
   */
  public static final int FAST_LANES = 2;

  /**
   * The lanes a training run ({@code ./tfrnn train}) uses for every unroll unless told otherwise:
   * each lane is its own unroll, or its own forward and backward loop, over a slice of the batch,
   * so two chains of small ops run side by side on two cores (measured in BENCHMARKS.md).
   */
  public static final int TRAINING_LANES = 2;

  /**
   * The notebook's graph for the static unroll and the while loop (one lane: op for op what the
   * notebooks build, graphs/*.pbtxt, PythonGraphFactsTest, the lockstep proof), the fast unroll in
   * {@link #FAST_LANES}.
   */
  public static ModelGraph build(Graph graph, ModelSpec spec) {
    return build(graph, spec, defaultLanes(spec.unroll()));
  }

  /** The lane count {@link #build(Graph, ModelSpec)} uses for an unroll. */
  public static int defaultLanes(ModelSpec.Unroll unroll) {
    return unroll == ModelSpec.Unroll.FAST ? FAST_LANES : 1;
  }

  /**
   * As {@link #build(Graph, ModelSpec)}, with the batch cut into {@code lanes} slices (1: none),
   * each its own unroll or loop. Same variables, and the same results within float rounding, for
   * any count: the lanes' kernel and bias gradients are summed.
   */
  public static ModelGraph build(Graph graph, ModelSpec spec, int lanes) {
    if (lanes < 1) {
      throw new IllegalArgumentException("lanes must be at least 1, got " + lanes);
    }
    Ops tf = Ops.create(graph);
    Variables variables = new Variables(new Seeds(spec.seed()));
    RnnCell cell = spec.rnnCell();
    boolean whileLoop = spec.unroll() == ModelSpec.Unroll.WHILE;
    boolean fast = spec.unroll() == ModelSpec.Unroll.FAST;

    Placeholder<TFloat32> x = tf.withName(INPUT).placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, whileLoop ? -1 : spec.timeSteps(), spec.inputSize())));
    Placeholder<? extends TType> y = spec.loss() == ModelSpec.Loss.SPARSE_SOFTMAX
        ? tf.withName(LABELS).placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)))
        : tf.withName(LABELS).placeholder(TFloat32.class,
            Placeholder.shape(Shape.of(-1, spec.classes())));

    // The notebooks create tf.Variable weights before calling the RNN, tf.layers.dense after it.
    Variable<TFloat32> outWeights = null;
    Variable<TFloat32> outBias = null;
    if (spec.head() == ModelSpec.Head.LAST_OUTPUT) {
      outWeights = variables.trainable(tf, spec.outputWeightsName(),
          Shape.of(spec.units(), spec.classes()), spec.outputWeightsInit());
      outBias = variables.trainable(tf, spec.outputBiasName(), Shape.of(spec.classes()),
          spec.outputBiasInit());
    }

    Ops rnnScope = tf.withSubScope("rnn");
    Ops cellScope = rnnScope.withSubScope(cell.scopeName());
    boolean stacked = spec.layers() > 1;
    MultiRnnCell multiCell = stacked ? spec.multiRnnCell() : null;
    RnnCell.CellWeights cellWeights = stacked ? null : cell.createWeights(cellScope, variables);
    List<RnnCell.CellWeights> stackWeights =
        stacked ? multiCell.createWeights(rnnScope, variables) : null;

    Operand<TInt32> sequenceLength = null;
    List<DynamicRnn.Result> loops = new ArrayList<>();
    List<FastLstm.Result> fastResults = new ArrayList<>();
    List<Operand<TFloat32>> laneOutputs = new ArrayList<>();
    if (fast) {
      List<FastLstm.Layer> layers = fastLayers(spec, rnnScope, multiCell, cell,
          stacked ? stackWeights : List.of(cellWeights));
      for (Operand<TFloat32> lane : BatchLanes.of(tf, x, lanes).split(tf, x)) {
        FastLstm.Result result = FastLstm.unroll(rnnScope, layers, lane, spec.timeSteps(), null);
        fastResults.add(result);
        laneOutputs.add(spec.head() == ModelSpec.Head.LAST_OUTPUT
            ? result.lastOutput()
            : result.finalState().get(result.finalState().size() - 1));
      }
    } else if (whileLoop) {
      // Optional input: when not fed, every sequence runs the full length of x.
      Operand<TInt32> fullLength = tf.fill(
          tf.stack(List.of(tf.gather(tf.shape(x), tf.constant(0), tf.constant(0)))),
          tf.gather(tf.shape(x), tf.constant(1), tf.constant(0)));
      sequenceLength = tf.withName(SEQUENCE_LENGTH)
          .placeholderWithDefault(fullLength, Shape.of(-1));
      // Each lane is its own loop (its own frame), so the executor runs the lanes side by side.
      BatchLanes batchLanes = BatchLanes.of(tf, x, lanes);
      List<Operand<TFloat32>> laneInputs = batchLanes.split(tf, x);
      List<Operand<TInt32>> laneLengths = batchLanes.split(tf, sequenceLength);
      for (int lane = 0; lane < lanes; lane++) {
        DynamicRnn.Result loop = DynamicRnn.build(rnnScope, cell, cellWeights,
            laneInputs.get(lane), laneLengths.get(lane), null);
        loops.add(loop);
        laneOutputs.add(spec.head() == ModelSpec.Head.LAST_OUTPUT
            ? lastTimeStep(tf, loop.outputs())
            : loop.finalState().get(cell.hiddenStateIndex()));
      }
    } else {
      // Each lane is its own unroll over its slice of the batch; TensorFlow's gradients add the
      // lanes' contributions to the shared kernel and bias.
      int hidden = stacked ? multiCell.hiddenStateIndex() : cell.hiddenStateIndex();
      for (Operand<TFloat32> lane : BatchLanes.of(tf, x, lanes).split(tf, x)) {
        List<Operand<TFloat32>> steps = timeSteps(tf, spec, lane);
        StaticRnn.Result unrolled = stacked
            ? StaticRnn.unroll(rnnScope.withSubScope(MultiRnnCell.SCOPE), multiCell,
                stackWeights, steps)
            : StaticRnn.unroll(cellScope, cell, cellWeights, steps);
        laneOutputs.add(spec.head() == ModelSpec.Head.LAST_OUTPUT
            ? unrolled.lastOutput()
            : unrolled.finalState().get(hidden));
      }
    }
    Operand<TFloat32> rnnOutput = BatchLanes.concat(tf, laneOutputs);

    Operand<TFloat32> logits;
    if (spec.head() == ModelSpec.Head.LAST_OUTPUT) {
      logits = tf.withName(LOGITS).math.add(tf.linalg.matMul(rnnOutput, outWeights), outBias);
    } else {
      Ops dense = tf.withSubScope("dense");
      outWeights = variables.trainable(dense, "kernel", Shape.of(spec.units(), spec.classes()),
          spec.outputWeightsInit());
      outBias = variables.trainable(dense, "bias", Shape.of(spec.classes()),
          spec.outputBiasInit());
      logits = tf.withName(LOGITS).nn.biasAdd(dense.linalg.matMul(rnnOutput, outWeights), outBias);
    }
    Operand<TFloat32> probabilities = tf.withName(PROBABILITIES).nn.softmax(logits);
    Operand<TInt64> classes = tf.withName(CLASSES).math.argMax(logits, tf.constant(1));

    Operand<TFloat32> loss;
    Operand<TInt64> trueClasses;
    if (spec.loss() == ModelSpec.Loss.SPARSE_SOFTMAX) {
      @SuppressWarnings("unchecked")
      Operand<TInt32> sparse = (Operand<TInt32>) y;
      loss = Losses.sparseSoftmaxCrossEntropy(tf.withSubScope("cross_entropy"), logits, sparse);
      trueClasses = tf.dtypes.cast(sparse, TInt64.class);
    } else {
      @SuppressWarnings("unchecked")
      Operand<TFloat32> oneHot = (Operand<TFloat32>) y;
      loss = Losses.softmaxCrossEntropy(tf.withSubScope("cross_entropy"), logits, oneHot);
      trueClasses = tf.math.argMax(oneHot, tf.constant(1));
    }
    loss = tf.withName("loss").identity(loss);
    Operand<TFloat32> accuracy =
        tf.withName("accuracy").identity(Losses.accuracy(tf, classes, trueClasses));

    Variable<? extends TNumber> globalStep = null;
    if (spec.globalStepName() != null) {
      globalStep = spec.globalStepIsInt64()
          ? Variables.counter(tf, spec.globalStepName(), TInt64.class)
          : Variables.counter(tf, spec.globalStepName(), TInt32.class);
    }
    List<Variable<TFloat32>> trainable = variables.trainableVariables();
    Tf1Optimizer optimizer = spec.optimizer() == ModelSpec.Optimizer.ADAM
        ? new AdamOptimizer(graph, trainable, spec.learningRate(), globalStep)
        : new GradientDescentOptimizer(graph, trainable, spec.learningRate(), globalStep);
    List<GradAndVar<? extends TType>> gradients = new ArrayList<>(whileLoop
        ? throughTheLoops(tf, loss, loops, cellWeights, List.of(outWeights, outBias))
        : fast
            ? throughFastLstm(tf, loss, fastResults, laneOutputs, spec.head(), trainable,
                stacked ? stackWeights : List.of(cellWeights), List.of(outWeights, outBias))
            : optimizer.computeGradients(loss));
    if (spec.clipNorm() > 0) {
      gradients = GlobalNormClipping.clipPairs(tf, gradients, spec.clipNorm());
    }
    Op trainOp =
        optimizer.applyGradients(gradients, optimizer.getOptimizerName() + "-minimize");

    return new ModelGraph(graph, spec, x, y, sequenceLength, logits, probabilities, classes, loss,
        accuracy, trainOp, optimizer.learningRate(), trainable);
  }

  /** The list of [batch, input] time steps a static unroll takes, cut as the notebook cuts it. */
  private static List<Operand<TFloat32>> timeSteps(Ops tf, ModelSpec spec, Operand<TFloat32> x) {
    List<Operand<TFloat32>> steps = new ArrayList<>();
    if (spec.inputSlicing() == ModelSpec.InputSlicing.UNSTACK) {
      tf.withName("unstack").unstack(x, (long) spec.timeSteps(), Unstack.axis(1L)).output()
          .forEach(steps::add);
    } else {
      // Notebook 003: x = tf.transpose(xs, [1, 0, 2]); x = tf.reshape(x, [-1, n_inputs]);
      // x = tf.split(x, n_steps, 0)
      Operand<TFloat32> timeMajor =
          tf.withName("transpose").linalg.transpose(x, tf.constant(new int[] {1, 0, 2}));
      Operand<TFloat32> rows = tf.withName("Reshape")
          .reshape(timeMajor, tf.constant(new int[] {-1, spec.inputSize()}));
      tf.withName("split").split(tf.constant(0), rows, (long) spec.timeSteps()).output()
          .forEach(steps::add);
    }
    return steps;
  }

  /** The fast unroll's layers: the same cells and weights, ops in each cell's TF1 scope. */
  private static List<FastLstm.Layer> fastLayers(ModelSpec spec, Ops rnnScope,
      MultiRnnCell multiCell, RnnCell cell, List<RnnCell.CellWeights> weights) {
    List<RnnCell> cells = multiCell != null ? multiCell.cells() : List.of(cell);
    List<FastLstm.Layer> layers = new ArrayList<>(cells.size());
    for (int k = 0; k < cells.size(); k++) {
      Ops scope = multiCell != null
          ? rnnScope.withSubScope(MultiRnnCell.SCOPE).withSubScope("cell_" + k)
              .withSubScope(cells.get(k).scopeName())
          : rnnScope.withSubScope(cell.scopeName());
      layers.add(new FastLstm.Layer((BasicLstmCell) cells.get(k), weights.get(k), scope));
    }
    return layers;
  }

  /**
   * Gradients for a fast-unroll model: TensorFlow's own from the loss to the RNN's output (the
   * last output or the top final h) and the head's variables, then {@link FastLstm#backward}.
   * Pairs come in the order of {@code trainable}, as {@code computeGradients} gives them.
   */
  private static List<GradAndVar<? extends TType>> throughFastLstm(Ops tf,
      Operand<TFloat32> loss, List<FastLstm.Result> lanes, List<Operand<TFloat32>> laneOutputs,
      ModelSpec.Head head, List<Variable<TFloat32>> trainable,
      List<RnnCell.CellWeights> cellWeights, List<Variable<TFloat32>> headVariables) {
    List<Operand<?>> wrt = new ArrayList<>(laneOutputs);
    wrt.addAll(headVariables);
    List<Output<?>> upstream = Gradients.of(loss, wrt);
    List<Operand<TFloat32>> kernels = new ArrayList<>();
    List<Operand<TFloat32>> biases = new ArrayList<>();
    for (int lane = 0; lane < lanes.size(); lane++) {
      FastLstm.Result forward = lanes.get(lane);
      int timeSteps = forward.outputs().size();
      List<Operand<TFloat32>> outputsGradient =
          new ArrayList<>(Collections.nCopies(timeSteps, null));
      List<Operand<TFloat32>> stateGradient =
          new ArrayList<>(Collections.nCopies(forward.finalState().size(), null));
      if (head == ModelSpec.Head.LAST_OUTPUT) {
        outputsGradient.set(timeSteps - 1, floats(upstream.get(lane)));
      } else {
        stateGradient.set(stateGradient.size() - 1, floats(upstream.get(lane)));
      }
      FastLstm.Gradients backward = FastLstm.backward(
          tf.withSubScope("rnn_backprop"), forward, outputsGradient, stateGradient, false);
      for (int k = 0; k < cellWeights.size(); k++) {
        RnnCell.CellWeights g = backward.weights().get(k);
        int previous = (lane - 1) * cellWeights.size() + k;
        kernels.add(lane == 0 ? g.kernel() : tf.math.add(kernels.get(previous), g.kernel()));
        biases.add(lane == 0 ? g.bias() : tf.math.add(biases.get(previous), g.bias()));
      }
    }
    int last = kernels.size() - cellWeights.size();
    Map<String, Output<?>> byVariable = new HashMap<>();
    for (int k = 0; k < cellWeights.size(); k++) {
      byVariable.put(cellWeights.get(k).kernel().op().name(), kernels.get(last + k).asOutput());
      byVariable.put(cellWeights.get(k).bias().op().name(), biases.get(last + k).asOutput());
    }
    for (int i = 0; i < headVariables.size(); i++) {
      byVariable.put(headVariables.get(i).op().name(), upstream.get(lanes.size() + i));
    }
    List<GradAndVar<? extends TType>> pairs = new ArrayList<>();
    for (Variable<TFloat32> variable : trainable) {
      pairs.add(Tf1Optimizer.pair(byVariable.get(variable.op().name()), variable));
    }
    return pairs;
  }

  /** outputs[:, -1, :] for a time axis whose length is known only at run time. */
  private static Operand<TFloat32> lastTimeStep(Ops tf, Operand<TFloat32> outputs) {
    Operand<TInt32> last = tf.math.sub(
        tf.gather(tf.shape(outputs), tf.constant(1), tf.constant(0)), tf.constant(1));
    return tf.gather(outputs, last, tf.constant(1));
  }

  /**
   * Gradients for a while-loop model: TensorFlow's own from the loss back to each lane's loop
   * outputs and final state and to the head's variables, then the library's BPTT per lane from
   * there to the cell's kernel and bias; the lanes' kernel and bias gradients are summed.
   */
  private static List<GradAndVar<? extends TType>> throughTheLoops(
      Ops tf, Operand<TFloat32> loss, List<DynamicRnn.Result> loops,
      RnnCell.CellWeights cellWeights, List<Variable<TFloat32>> headVariables) {
    List<Operand<?>> wrt = new ArrayList<>();
    for (DynamicRnn.Result loop : loops) {
      wrt.add(loop.outputs());
      wrt.addAll(loop.finalState());
    }
    wrt.addAll(headVariables);
    List<Output<?>> upstream = Gradients.of(loss, wrt);
    Operand<TFloat32> kernel = null;
    Operand<TFloat32> bias = null;
    int next = 0;
    for (DynamicRnn.Result loop : loops) {
      Operand<TFloat32> outputsGradient = floats(upstream.get(next++));
      List<Operand<TFloat32>> finalStateGradient = new ArrayList<>();
      for (int i = 0; i < loop.finalState().size(); i++) {
        finalStateGradient.add(floats(upstream.get(next++)));
      }
      DynamicRnnBackprop.Result bptt = DynamicRnnBackprop.build(
          tf.withSubScope("rnn_backprop"), loop, outputsGradient, finalStateGradient);
      kernel = kernel == null ? bptt.kernel() : tf.math.add(kernel, bptt.kernel());
      bias = bias == null ? bptt.bias() : tf.math.add(bias, bptt.bias());
    }

    List<GradAndVar<? extends TType>> pairs = new ArrayList<>();
    pairs.add(Tf1Optimizer.pair(kernel.asOutput(), variable(cellWeights.kernel())));
    pairs.add(Tf1Optimizer.pair(bias.asOutput(), variable(cellWeights.bias())));
    for (int i = 0; i < headVariables.size(); i++) {
      pairs.add(Tf1Optimizer.pair(upstream.get(next + i), headVariables.get(i)));
    }
    return pairs;
  }

  @SuppressWarnings("unchecked")
  private static Operand<TFloat32> floats(Output<?> gradient) {
    return (Operand<TFloat32>) gradient;
  }

  @SuppressWarnings("unchecked")
  private static Variable<TFloat32> variable(Operand<TFloat32> weights) {
    return (Variable<TFloat32>) weights;
  }
}
