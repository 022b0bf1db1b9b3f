package org.tfrnn.textproto;

import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads protobuf text-format files into message builders, failing in one line. */
public final class TextProtoFiles {
  private TextProtoFiles() {}

  /** Why a file could not be used: it could not be read, or its text did not parse. */
  public static final class TextProtoException extends IOException {
    private final boolean parse;

    TextProtoException(String message, boolean parse, Throwable cause) {
      super(message, cause);
      this.parse = parse;
    }

    /** Whether the file was read but its text is not a valid message (a syntax error). */
    public boolean isParseError() {
      return parse;
    }
  }

  /**
   * Merges the text of {@code file} into {@code builder} and returns it.
   *
   * @param what the file's role for the message, e.g. {@code batching parameters file}
   * @throws TextProtoException "cannot read the WHAT FILE: ..." or "cannot parse the WHAT FILE:
   *     LINE:COLUMN: ..." on one line
   */
  public static <B extends Message.Builder> B read(Path file, B builder, String what)
      throws TextProtoException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new TextProtoException("cannot read the " + what + " " + file + ": it does not exist",
          false, e);
    } catch (IOException e) {
      throw new TextProtoException("cannot read the " + what + " " + file + ": " + e, false, e);
    }
    return parse(text, builder, "the " + what + " " + file);
  }

  /**
   * Merges {@code text} into {@code builder} and returns it.
   *
   * @param source what the text is, for the message, e.g. {@code the model config file m.txt}
   */
  public static <B extends Message.Builder> B parse(String text, B builder, String source)
      throws TextProtoException {
    try {
      TextFormat.merge(text, builder);
      return builder;
    } catch (TextFormat.ParseException e) {
      // protobuf lists unknown fields on lines of their own: one line for the user.
      throw new TextProtoException(
          "cannot parse " + source + ": " + e.getMessage().replaceAll("\\s+", " "), true, e);
    }
  }
}
