package org.tfrnn.models;

/**
 * One runnable configuration: a notebook's model and its training schedule, reproduced exactly,
 * or one of our own.
 *
 * @param notebook the seed notebook it comes from (e.g. {@code 004}), or {@code ours}
 * @param steps training steps (notebooks that loop {@code while step * batch < iters} run
 *     {@code ceil(iters / batch) - 1} of them)
 * @param notebookTestImages how many test images the notebook's final accuracy uses (128, 256 or
 *     all 10,000)
 * @param notebookReported what the notebook itself printed, for the README's comparison
 * @param lanes the batch lanes a training run uses ({@link ModelBuilder#build(org.tensorflow.Graph,
 *     ModelSpec, int)}); 0 for {@link ModelBuilder#TRAINING_LANES}. A preset whose recorded result
 *     depends on the float rounding of one lane pins 1.
 */
public record Preset(
    String name,
    String notebook,
    String description,
    ModelSpec model,
    int batchSize,
    int steps,
    int displayStep,
    LogStyle logStyle,
    int notebookTestImages,
    String notebookReported,
    int lanes) {

  public Preset {
    if (batchSize <= 0 || steps <= 0 || displayStep <= 0 || notebookTestImages <= 0
        || lanes < 0) {
      throw new IllegalArgumentException("batch size, steps, display step and test images must be "
          + "positive and lanes at least 0 in preset " + name);
    }
  }

  /** The lanes a training run uses unless told otherwise. */
  public int trainingLanes() {
    return lanes == 0 ? ModelBuilder.TRAINING_LANES : lanes;
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** A builder holding this preset's settings, to change some of them. */
  public Builder toBuilder() {
    return new Builder(name).notebook(notebook).description(description).model(model)
        .batchSize(batchSize).steps(steps).displayStep(displayStep).logStyle(logStyle)
        .notebookTestImages(notebookTestImages).notebookReported(notebookReported).lanes(lanes);
  }

  public Preset withModel(ModelSpec newModel) {
    return toBuilder().model(newModel).build();
  }

  public Preset withSteps(int newSteps) {
    return toBuilder().steps(newSteps).build();
  }

  public Preset withBatchSize(int newBatchSize) {
    return toBuilder().batchSize(newBatchSize).build();
  }

  /** Named settings for a {@link Preset}; every one must be set. */
  public static final class Builder {
    private final String name;
    private String notebook;
    private String description;
    private ModelSpec model;
    private int batchSize;
    private int steps;
    private int displayStep;
    private LogStyle logStyle;
    private int notebookTestImages;
    private String notebookReported;
    private int lanes;

    private Builder(String name) {
      this.name = name;
    }

    /** The seed notebook, e.g. {@code 004}, or {@code ours}. */
    public Builder notebook(String value) {
      notebook = value;
      return this;
    }

    public Builder description(String value) {
      description = value;
      return this;
    }

    public Builder model(ModelSpec value) {
      model = value;
      return this;
    }

    public Builder batchSize(int value) {
      batchSize = value;
      return this;
    }

    public Builder steps(int value) {
      steps = value;
      return this;
    }

    /** How often the notebook prints its minibatch line (see {@link LogStyle}). */
    public Builder displayStep(int value) {
      displayStep = value;
      return this;
    }

    public Builder logStyle(LogStyle value) {
      logStyle = value;
      return this;
    }

    /** How many test images the notebook's own final accuracy uses. */
    public Builder notebookTestImages(int value) {
      notebookTestImages = value;
      return this;
    }

    /** What the notebook itself printed, for the README's comparison. */
    public Builder notebookReported(String value) {
      notebookReported = value;
      return this;
    }

    /** Batch lanes of a training run; 0 (the default) for {@link ModelBuilder#TRAINING_LANES}. */
    public Builder lanes(int value) {
      lanes = value;
      return this;
    }

    public Preset build() {
      for (Object setting : new Object[] {notebook, description, model, logStyle, notebookReported}) {
        if (setting == null) {
          throw new IllegalStateException("preset " + name + ": notebook, description, model, "
              + "logStyle and notebookReported must all be set");
        }
      }
      return new Preset(name, notebook, description, model, batchSize, steps, displayStep,
          logStyle, notebookTestImages, notebookReported, lanes);
    }
  }
}
