package org.tfrnn.train;

/**
 * Predictions over a set of labelled examples.
 *
 * @param confusion counts[trueClass][predictedClass]
 */
public record Evaluation(int examples, int correct, long[][] confusion) {

  public static Evaluation of(int[] labels, long[] predicted, int classes) {
    if (labels.length != predicted.length) {
      throw new IllegalArgumentException(
          labels.length + " labels but " + predicted.length + " predictions");
    }
    long[][] confusion = new long[classes][classes];
    int correct = 0;
    for (int i = 0; i < labels.length; i++) {
      int p = Math.toIntExact(predicted[i]);
      if (labels[i] < 0 || labels[i] >= classes || p < 0 || p >= classes) {
        throw new IllegalArgumentException("class out of range [0, " + classes + ") at example "
            + i + ": label " + labels[i] + ", predicted " + p);
      }
      confusion[labels[i]][p]++;
      if (labels[i] == p) {
        correct++;
      }
    }
    return new Evaluation(labels.length, correct, confusion);
  }

  public double accuracy() {
    return examples == 0 ? 0 : (double) correct / examples;
  }
}
