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
    String notebookReported) {

  public Preset {
    if (batchSize <= 0 || steps <= 0 || displayStep <= 0 || notebookTestImages <= 0) {
      throw new IllegalArgumentException(
          "batch size, steps, display step and test images must be positive in preset " + name);
    }
  }

  public Preset withModel(ModelSpec newModel) {
    return new Preset(name, notebook, description, newModel, batchSize, steps, displayStep,
        logStyle, notebookTestImages, notebookReported);
  }

  public Preset withSteps(int newSteps) {
    return new Preset(name, notebook, description, model, batchSize, newSteps, displayStep,
        logStyle, notebookTestImages, notebookReported);
  }

  public Preset withBatchSize(int newBatchSize) {
    return new Preset(name, notebook, description, model, newBatchSize, steps, displayStep,
        logStyle, notebookTestImages, notebookReported);
  }
}
