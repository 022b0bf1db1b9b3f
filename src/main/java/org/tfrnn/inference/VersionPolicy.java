package org.tfrnn.inference;

import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Which versions under a base path are served: TensorFlow Serving's
 * {@code model_version_policy} ({@code latest { num_versions }}, {@code all {}},
 * {@code specific { versions }}); the default is the latest one.
 *
 * @param latest how many of the highest versions, or 0 unless the kind is LATEST
 * @param specific the versions to serve, for SPECIFIC
 */
public record VersionPolicy(Kind kind, int latest, Set<Long> specific) {
  public enum Kind { LATEST, ALL, SPECIFIC }

  public static final VersionPolicy LATEST_ONE = latest(1);

  public VersionPolicy {
    specific = Set.copyOf(specific);
    if (kind == Kind.LATEST && latest < 1) {
      throw new IllegalArgumentException("latest { num_versions } must be at least 1, got "
          + latest);
    }
    if (kind == Kind.SPECIFIC && specific.isEmpty()) {
      throw new IllegalArgumentException("specific { versions } must name at least one version");
    }
  }

  public static VersionPolicy latest(int numVersions) {
    return new VersionPolicy(Kind.LATEST, numVersions, Set.of());
  }

  public static VersionPolicy all() {
    return new VersionPolicy(Kind.ALL, 0, Set.of());
  }

  public static VersionPolicy specific(Set<Long> versions) {
    return new VersionPolicy(Kind.SPECIFIC, 0, versions);
  }

  /** The versions to serve out of those on disk (ascending). */
  public Set<Long> select(long[] onDisk) {
    TreeSet<Long> available = Arrays.stream(onDisk).boxed()
        .collect(Collectors.toCollection(TreeSet::new));
    return switch (kind) {
      case ALL -> available;
      case LATEST -> available.descendingSet().stream().limit(latest)
          .collect(Collectors.toCollection(TreeSet::new));
      case SPECIFIC -> available.stream().filter(specific::contains)
          .collect(Collectors.toCollection(TreeSet::new));
    };
  }
}
