package org.tfrnn.interop;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a script of python/ with the project's Python TensorFlow (python/.venv, created by
 * python/setup_venv.sh, which the Maven build runs before the integration tests). The system
 * property {@code tfrnn.python} names another interpreter, for the README's compatibility runs
 * against other Python TensorFlow versions.
 */
public final class PythonProcess {
  public static final Path PYTHON =
      Path.of(System.getProperty("tfrnn.python", "python/.venv/bin/python"));

  public record Outcome(int exitCode, String stdout, String stderr) {
    public String lastLine() {
      String[] lines = stdout.strip().split("\n");
      return lines[lines.length - 1];
    }

    public String describe() {
      return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr (tail)\n"
          + stderr.substring(Math.max(0, stderr.length() - 3000));
    }
  }

  public static Outcome run(String script, String... args) throws IOException, InterruptedException {
    assertTrue(Files.isExecutable(PYTHON),
        PYTHON + " is missing: run python/setup_venv.sh (mvn verify does it before these tests)");
    List<String> command = new ArrayList<>(List.of(PYTHON.toString(), "python/" + script));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    Path out = Files.createTempFile("python-out", ".txt");
    Path err = Files.createTempFile("python-err", ".txt");
    try {
      Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!process.waitFor(10, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new IOException("python/" + script + " did not finish in 10 minutes");
      }
      return new Outcome(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
