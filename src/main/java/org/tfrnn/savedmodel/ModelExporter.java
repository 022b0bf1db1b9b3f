package org.tfrnn.savedmodel;

import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;

/**
 * Writes a session's graph and variables as a SavedModel (tag {@code serve}) under a TensorFlow
 * Serving style base directory: {@code base/1}, {@code base/2}, ... Each export goes to a
 * temporary directory first and is renamed into place, so an interrupted export never leaves a
 * half model where a server or a later run would pick it up, and no earlier version is touched.
 */
public final class ModelExporter {
  /** Staging directories are {@code .export-<pid>-<uuid>}. */
  static final String STAGING_PREFIX = ".export-";

  private ModelExporter() {}

  /** Exports to {@code base/<highest existing version + 1>} and returns that directory. */
  public static Path exportNextVersion(Session session, List<Signature> signatures, Path base)
      throws IOException {
    if (signatures.isEmpty()) {
      throw new IllegalArgumentException("a SavedModel needs at least one signature");
    }
    Files.createDirectories(base);
    removeLeftoverExports(base);
    Path staging = base.resolve(STAGING_PREFIX + ProcessHandle.current().pid() + "-" + UUID.randomUUID());
    try {
      SavedModelBundle.exporter(staging.toString())
          .withSession(session)
          .withSignatures(signatures.toArray(new Signature[0]))
          .export();
      while (true) {
        Path target = base.resolve(Long.toString(ModelVersions.highest(base).orElse(0L) + 1));
        try {
          moveAtomically(staging, target);
          return target;
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException concurrentExport) {
          // Another process took that version number first: take the next one.
        }
      }
    } finally {
      if (Files.exists(staging)) { // gone after the rename
        // ALLOW_INSECURE: where the file system has no SecureDirectoryStream (Windows).
        MoreFiles.deleteRecursively(staging, RecursiveDeleteOption.ALLOW_INSECURE);
      }
    }
  }

  /**
   * Deletes the staging directories of exports whose process is gone (killed mid-export); those of
   * a live process, possibly exporting right now, are left alone.
   */
  private static void removeLeftoverExports(Path base) throws IOException {
    try (Stream<Path> children = Files.list(base)) {
      for (Path child : children.toList()) {
        String name = child.getFileName().toString();
        if (!name.startsWith(STAGING_PREFIX) || !Files.isDirectory(child)) {
          continue;
        }
        String pid = name.substring(STAGING_PREFIX.length()).split("-", 2)[0];
        boolean alive = pid.chars().allMatch(Character::isDigit) && !pid.isEmpty()
            && ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
        if (!alive) {
          MoreFiles.deleteRecursively(child, RecursiveDeleteOption.ALLOW_INSECURE);
        }
      }
    }
  }

  private static void moveAtomically(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("cannot rename " + from + " to " + to + " atomically: the export "
          + "directory must be on one file system", e);
    }
  }
}
