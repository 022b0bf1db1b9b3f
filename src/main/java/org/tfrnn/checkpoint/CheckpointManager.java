package org.tfrnn.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.tensorflow.Session;

/**
 * A directory of numbered checkpoints {@code model.ckpt-STEP} and its {@code checkpoint} state
 * file, keeping the newest {@code keep}, as {@code tf.compat.v1.train.Saver(max_to_keep=keep)}
 * does.
 *
 * <p>Crash safety: a checkpoint's files are complete before the state file names it, and the state
 * file is replaced by a rename, so a kill at any moment leaves the state file naming a complete
 * checkpoint. Files of checkpoints that drop out of the kept list are deleted only after the new
 * state file is in place.
 */
public final class CheckpointManager {
  public static final String BASE_NAME = "model.ckpt";
  private static final Pattern STEP = Pattern.compile(Pattern.quote(BASE_NAME) + "-(\\d+)");

  private final Path dir;
  private final int keep;
  private final Tf1Saver saver;

  /** A saved checkpoint: its prefix (a path without extension) and its global step. */
  public record Checkpoint(Path prefix, long step) {}

  public CheckpointManager(Path dir, int keep, Tf1Saver saver) {
    if (keep < 1) {
      throw new IllegalArgumentException("keep at least one checkpoint, got " + keep);
    }
    this.dir = dir;
    this.keep = keep;
    this.saver = saver;
  }

  public Path dir() {
    return dir;
  }

  /** The newest checkpoint the state file names, if any. */
  public Optional<Checkpoint> latest() throws IOException {
    CheckpointState state = CheckpointState.read(dir);
    if (state == null) {
      return Optional.empty();
    }
    return Optional.of(new Checkpoint(dir.resolve(state.latest()), stepOf(state.latest())));
  }

  /** Saves {@code model.ckpt-step} and makes it the newest; returns it. */
  public Checkpoint save(Session session, long step, Map<String, Long> extras) throws IOException {
    Files.createDirectories(dir);
    if (!Files.isWritable(dir)) {
      throw new IOException("cannot write checkpoints to " + dir + ": the directory is not writable");
    }
    String name = BASE_NAME + "-" + step;
    saver.save(session, dir.resolve(name).toString(), extras);

    CheckpointState previous = CheckpointState.read(dir);
    List<String> kept = new ArrayList<>();
    if (previous != null) {
      previous.all().stream().filter(p -> !p.equals(name)).forEach(kept::add);
    }
    kept.add(name);
    List<String> dropped = new ArrayList<>();
    while (kept.size() > keep) {
      dropped.add(kept.remove(0));
    }
    new CheckpointState(name, kept).write(dir);
    for (String old : dropped) {
      deleteFiles(old);
    }
    return new Checkpoint(dir.resolve(name), step);
  }

  /** Restores the variables from {@code checkpoint} and returns its extras. */
  public Map<String, Long> restore(Session session, Checkpoint checkpoint) throws IOException {
    return saver.restore(session, checkpoint.prefix().toString());
  }

  /** The files of one checkpoint: {@code <name>.index} and {@code <name>.data-*}. */
  private void deleteFiles(String name) throws IOException {
    if (Path.of(name).isAbsolute() || Path.of(name).getNameCount() != 1) {
      return; // a path another tool wrote: not ours to delete
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.toList()) {
        String fileName = file.getFileName().toString();
        if (fileName.equals(name + ".index") || fileName.startsWith(name + ".data-")) {
          Files.deleteIfExists(file);
        }
      }
    }
  }

  private static long stepOf(String name) throws IOException {
    Matcher m = STEP.matcher(Path.of(name).getFileName().toString());
    if (!m.matches()) {
      throw new IOException("checkpoint '" + name + "' is not named " + BASE_NAME + "-STEP");
    }
    return Long.parseLong(m.group(1));
  }
}
