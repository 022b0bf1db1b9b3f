package org.tfrnn.nn;

/**
 * Plain-Java, double-precision BasicLSTMCell / BasicRNNCell and softmax cross-entropy: the
 * independent reference the graph tests compare against. Arrays are row-major: inputs
 * [batch][time][input], kernel [input+units][gates*units].
 */
final class ReferenceRnn {
  enum Kind { LSTM, RNN }

  final Kind kind;
  final int inputSize;
  final int units;
  final double forgetBias;
  final double[][] kernel;
  final double[] bias;

  ReferenceRnn(Kind kind, int inputSize, int units, double forgetBias, float[] kernel,
      float[] bias) {
    this.kind = kind;
    this.inputSize = inputSize;
    this.units = units;
    this.forgetBias = forgetBias;
    int width = gates() * units;
    this.kernel = new double[inputSize + units][width];
    for (int r = 0; r < inputSize + units; r++) {
      for (int c = 0; c < width; c++) {
        this.kernel[r][c] = kernel[r * width + c];
      }
    }
    this.bias = new double[width];
    for (int i = 0; i < width; i++) {
      this.bias[i] = bias[i];
    }
  }

  int gates() {
    return kind == Kind.LSTM ? 4 : 1;
  }

  /** Result of running a batch: outputs [batch][time][units] and final c, h [batch][units]. */
  record Run(double[][][] outputs, double[][] finalC, double[][] finalH) {}

  /**
   * Runs the cell over each sequence; past {@code lengths[b]} (null = full) the output is zero and
   * the state carried, as TF's dynamic_rnn does.
   */
  Run run(double[][][] x, int[] lengths) {
    int batch = x.length;
    int time = x[0].length;
    double[][][] outputs = new double[batch][time][units];
    double[][] finalC = new double[batch][units];
    double[][] finalH = new double[batch][units];
    for (int b = 0; b < batch; b++) {
      double[] c = new double[units];
      double[] h = new double[units];
      int length = lengths == null ? time : lengths[b];
      for (int t = 0; t < Math.min(length, time); t++) {
        double[] pre = preActivation(x[b][t], h);
        if (kind == Kind.LSTM) {
          double[] newC = new double[units];
          double[] newH = new double[units];
          for (int u = 0; u < units; u++) {
            double i = sigmoid(pre[u]);
            double j = Math.tanh(pre[units + u]);
            double f = sigmoid(pre[2 * units + u] + forgetBias);
            double o = sigmoid(pre[3 * units + u]);
            newC[u] = c[u] * f + i * j;
            newH[u] = Math.tanh(newC[u]) * o;
          }
          c = newC;
          h = newH;
        } else {
          double[] newH = new double[units];
          for (int u = 0; u < units; u++) {
            newH[u] = Math.tanh(pre[u]);
          }
          h = newH;
        }
        outputs[b][t] = h.clone();
      }
      finalC[b] = c;
      finalH[b] = h;
    }
    return new Run(outputs, finalC, finalH);
  }

  private double[] preActivation(double[] input, double[] h) {
    double[] pre = bias.clone();
    for (int r = 0; r < inputSize + units; r++) {
      double v = r < inputSize ? input[r] : h[r - inputSize];
      for (int c = 0; c < pre.length; c++) {
        pre[c] += v * kernel[r][c];
      }
    }
    return pre;
  }

  static double sigmoid(double v) {
    return 1.0 / (1.0 + Math.exp(-v));
  }

  /** Mean softmax cross-entropy of logits [batch][classes] against integer labels. */
  static double softmaxCrossEntropy(double[][] logits, int[] labels) {
    double total = 0;
    for (int b = 0; b < logits.length; b++) {
      double max = Double.NEGATIVE_INFINITY;
      for (double v : logits[b]) {
        max = Math.max(max, v);
      }
      double sum = 0;
      for (double v : logits[b]) {
        sum += Math.exp(v - max);
      }
      total += Math.log(sum) + max - logits[b][labels[b]];
    }
    return total / logits.length;
  }

  /** x @ w + b for x [batch][in], w flat [in][out]. */
  static double[][] linear(double[][] x, double[] w, double[] b) {
    int out = b.length;
    double[][] y = new double[x.length][out];
    for (int r = 0; r < x.length; r++) {
      for (int o = 0; o < out; o++) {
        double s = b[o];
        for (int i = 0; i < x[r].length; i++) {
          s += x[r][i] * w[i * out + o];
        }
        y[r][o] = s;
      }
    }
    return y;
  }
}
