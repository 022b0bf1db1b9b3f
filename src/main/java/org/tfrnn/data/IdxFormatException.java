package org.tfrnn.data;

import java.io.IOException;
import java.nio.file.Path;

/** An IDX file that cannot be read as such; the message names the file and what is wrong with it. */
public final class IdxFormatException extends IOException {
  private final transient Path file;

  public IdxFormatException(Path file, String problem) {
    this(file, problem, null);
  }

  public IdxFormatException(Path file, String problem, Throwable cause) {
    super("IDX file " + file + ": " + problem, cause);
    this.file = file;
  }

  /** The file that is malformed. */
  public Path file() {
    return file;
  }
}
