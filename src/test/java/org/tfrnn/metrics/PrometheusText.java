package org.tfrnn.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4 (prometheus.io's
 * "exposition formats": {@code # HELP}/{@code # TYPE} lines, then samples
 * {@code name{label="value",...} value}), written from the format's grammar for the tests: every
 * line must parse, every sample must belong to the family of the {@code # TYPE} line before it
 * (a histogram's {@code _bucket}, {@code _sum} and {@code _count}), and a histogram's buckets
 * must be cumulative and end in {@code +Inf} equal to its {@code _count}. Neither the Prometheus
 * Java client (which has no parser) nor Python's {@code prometheus_client} (not in the project's
 * venv) is available to the tests.
 */
public final class PrometheusText {
  private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
  private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") "
      + "(counter|gauge|histogram|summary|untyped)");
  private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") .*");
  private static final Pattern SAMPLE = Pattern.compile("(" + NAME + ")(?:\\{(.*)\\})? "
      + "(\\S+)");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]"
      + "|\\\\[\\\\\"n])*)\"(,|$)");

  /** One sample: its name, labels (sorted) and value. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  /** The families by name: TYPE, then their samples in order. */
  public record Family(String name, String type, List<Sample> samples) {}

  private PrometheusText() {}

  public static Map<String, Family> parse(String text) {
    Map<String, Family> families = new LinkedHashMap<>();
    Family current = null;
    String[] lines = text.split("\n", -1);
    if (!lines[lines.length - 1].isEmpty()) {
      throw new AssertionError("the text does not end with a newline");
    }
    for (int i = 0; i < lines.length - 1; i++) {
      String line = lines[i];
      Matcher type = TYPE.matcher(line);
      Matcher sample = SAMPLE.matcher(line);
      if (HELP.matcher(line).matches()) {
        continue;
      } else if (type.matches()) {
        if (families.containsKey(type.group(1))) {
          throw new AssertionError("line " + (i + 1) + ": second TYPE of " + type.group(1));
        }
        current = new Family(type.group(1), type.group(2), new ArrayList<>());
        families.put(current.name(), current);
      } else if (sample.matches()) {
        if (current == null || !belongs(sample.group(1), current)) {
          throw new AssertionError("line " + (i + 1) + ": sample outside its family: " + line);
        }
        current.samples().add(new Sample(sample.group(1), labels(sample.group(2), i + 1),
            value(sample.group(3), i + 1)));
      } else {
        throw new AssertionError("line " + (i + 1) + " is not Prometheus text: " + line);
      }
    }
    families.values().stream().filter(f -> f.type().equals("histogram"))
        .forEach(PrometheusText::checkHistogram);
    return families;
  }

  private static boolean belongs(String sampleName, Family family) {
    if (family.type().equals("histogram")) {
      return sampleName.equals(family.name() + "_bucket")
          || sampleName.equals(family.name() + "_sum")
          || sampleName.equals(family.name() + "_count");
    }
    return sampleName.equals(family.name());
  }

  private static Map<String, String> labels(String text, int line) {
    Map<String, String> labels = new TreeMap<>();
    if (text == null || text.isEmpty()) {
      return labels;
    }
    Matcher label = LABEL.matcher(text);
    int at = 0;
    while (at < text.length()) {
      if (!label.find(at) || label.start() != at) {
        throw new AssertionError("line " + line + ": bad labels {" + text + "}");
      }
      if (labels.put(label.group(1), label.group(2)) != null) {
        throw new AssertionError("line " + line + ": label " + label.group(1) + " twice");
      }
      at = label.end();
    }
    return labels;
  }

  private static double value(String text, int line) {
    return switch (text) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> {
        try {
          yield Double.parseDouble(text);
        } catch (NumberFormatException e) {
          throw new AssertionError("line " + line + ": bad value " + text);
        }
      }
    };
  }

  private static void checkHistogram(Family family) {
    Map<Map<String, String>, List<Sample>> series = new LinkedHashMap<>();
    for (Sample sample : family.samples()) {
      Map<String, String> key = new TreeMap<>(sample.labels());
      key.remove("le");
      series.computeIfAbsent(key, k -> new ArrayList<>()).add(sample);
    }
    series.forEach((labels, samples) -> {
      double previousBound = Double.NEGATIVE_INFINITY;
      double previousCount = 0;
      double infCount = Double.NaN;
      double count = Double.NaN;
      for (Sample sample : samples) {
        if (sample.name().endsWith("_bucket")) {
          double bound = value(sample.labels().get("le"), 0);
          if (!(bound > previousBound) || sample.value() < previousCount) {
            throw new AssertionError(family.name() + labels + ": buckets not cumulative at le="
                + sample.labels().get("le"));
          }
          previousBound = bound;
          previousCount = sample.value();
          if (bound == Double.POSITIVE_INFINITY) {
            infCount = sample.value();
          }
        } else if (sample.name().endsWith("_count")) {
          count = sample.value();
        }
      }
      if (!(infCount == count)) {
        throw new AssertionError(family.name() + labels + ": +Inf bucket " + infCount
            + " differs from _count " + count);
      }
    });
  }

  /** The value of the one sample of that name with exactly these labels (0 if none). */
  public static double value(Map<String, Family> families, String family, String sampleName,
      Map<String, String> labels) {
    Family f = families.get(family);
    if (f == null) {
      return 0;
    }
    return f.samples().stream()
        .filter(s -> s.name().equals(sampleName) && s.labels().equals(new TreeMap<>(labels)))
        .mapToDouble(Sample::value).findFirst().orElse(0);
  }
}
