package org.tfrnn.workflows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tfrnn.data.Batch;
import org.tfrnn.data.MnistDataset;
import org.tfrnn.models.ModelBuilder;
import org.tfrnn.models.ModelGraph;
import org.tfrnn.models.Preset;
import org.tfrnn.models.ServingSignatures;
import org.tfrnn.savedmodel.ModelExporter;
import org.tfrnn.train.Trainer;
import org.tfrnn.train.TrainingListener;

/**
 * A preset trained for a few steps whose session stays open, so tests can compare what the
 * training session computes with what an export of it computes.
 */
public final class TrainedModel implements AutoCloseable {
  public final Graph graph = new Graph();
  public final Session session = new Session(graph);
  public final ModelGraph model;
  public final Trainer trainer;

  public TrainedModel(Preset preset, int steps, MnistDataset data) {
    model = ModelBuilder.build(graph, preset.model());
    trainer = new Trainer(session, model);
    trainer.train(data, PresetRun.plan(preset.withSteps(steps), data.train().size()),
        TrainingListener.NONE);
  }

  public float[] logits(Batch batch) {
    return trainer.logits(batch, model.logits());
  }

  public Path export(Path base) throws IOException {
    return ModelExporter.exportNextVersion(session, ServingSignatures.of(model), base);
  }

  public List<org.tensorflow.op.core.Variable<org.tensorflow.types.TFloat32>> variables() {
    return model.trainableVariables();
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
