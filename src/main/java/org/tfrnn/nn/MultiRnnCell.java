package org.tfrnn.nn;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * TF1's {@code MultiRNNCell}: cells stacked so that cell k's output is cell k+1's input at the
 * same time step. Its state is the tuple of its cells' states, flattened in order (cell 0's parts,
 * then cell 1's, ...), as {@code nest.flatten} orders TF1's tuple of tuples. Each cell's weights
 * live under {@code multi_rnn_cell/cell_<k>/<cell scope>/}, so the variables are named
 * {@code rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel}, ... as in Python.
 *
 * <p>It composes {@link RnnCell}s without knowing how they compute, so a faster cell drops in. It
 * has no backward step of its own: {@link StaticRnn} trains it through TensorFlow's gradients.
 */
public final class MultiRnnCell {
  public static final String SCOPE = "multi_rnn_cell";

  private final List<RnnCell> cells;

  /** {@code cells.get(k).inputSize()} must equal {@code cells.get(k - 1).units()}. */
  public MultiRnnCell(List<? extends RnnCell> cells) {
    if (cells.isEmpty()) {
      throw new IllegalArgumentException("MultiRnnCell needs at least one cell");
    }
    for (int k = 1; k < cells.size(); k++) {
      if (cells.get(k).inputSize() != cells.get(k - 1).units()) {
        throw new IllegalArgumentException("MultiRnnCell: cell_" + k + " takes inputs of size "
            + cells.get(k).inputSize() + " but cell_" + (k - 1) + " outputs "
            + cells.get(k - 1).units());
      }
    }
    this.cells = List.copyOf(cells);
  }

  public List<RnnCell> cells() {
    return cells;
  }

  public int inputSize() {
    return cells.get(0).inputSize();
  }

  /** Units of the top cell, whose output is the stack's output. */
  public int units() {
    return cells.get(cells.size() - 1).units();
  }

  /** Number of state tensors over all cells. */
  public int stateSize() {
    return cells.stream().mapToInt(RnnCell::stateSize).sum();
  }

  /** Index, in the flattened state, of the top cell's hidden output {@code h}. */
  public int hiddenStateIndex() {
    return stateSize() - cells.get(cells.size() - 1).stateSize()
        + cells.get(cells.size() - 1).hiddenStateIndex();
  }

  /**
   * Creates each cell's kernel and bias under {@code scope/multi_rnn_cell/cell_<k>/<cell scope>}.
   *
   * @param scope the RNN's scope, e.g. {@code rnn}
   */
  public List<RnnCell.CellWeights> createWeights(Ops scope, Variables variables) {
    Ops multi = scope.withSubScope(SCOPE);
    List<RnnCell.CellWeights> weights = new ArrayList<>(cells.size());
    for (int k = 0; k < cells.size(); k++) {
      RnnCell cell = cells.get(k);
      weights.add(cell.createWeights(
          multi.withSubScope("cell_" + k).withSubScope(cell.scopeName()), variables));
    }
    return weights;
  }

  /**
   * One time step through every cell. The result's state is the flattened tuple of the cells' new
   * states; its pre-activation is null (the stack has no single one).
   */
  public RnnCell.Step step(Ops tf, List<RnnCell.CellWeights> weights, Operand<TFloat32> input,
      List<Operand<TFloat32>> state) {
    if (weights.size() != cells.size() || state.size() != stateSize()) {
      throw new IllegalArgumentException("MultiRnnCell of " + cells.size() + " cells needs "
          + cells.size() + " weights and " + stateSize() + " state tensors, got "
          + weights.size() + " and " + state.size());
    }
    List<Operand<TFloat32>> newState = new ArrayList<>(state.size());
    Operand<TFloat32> layerInput = input;
    int offset = 0;
    for (int k = 0; k < cells.size(); k++) {
      RnnCell cell = cells.get(k);
      RnnCell.Step step = cell.step(tf.withSubScope("cell_" + k), weights.get(k), layerInput,
          state.subList(offset, offset + cell.stateSize()));
      newState.addAll(step.state());
      layerInput = step.output();
      offset += cell.stateSize();
    }
    return new RnnCell.Step(layerInput, newState, null);
  }

  /** The zero state of every cell, flattened; the batch size is taken from {@code input}. */
  public List<Operand<TFloat32>> zeroState(Ops tf, Operand<TFloat32> batchMajorInput) {
    List<Operand<TFloat32>> state = new ArrayList<>(stateSize());
    for (RnnCell cell : cells) {
      state.addAll(StaticRnn.zeroState(tf, cell, batchMajorInput));
    }
    return state;
  }
}
