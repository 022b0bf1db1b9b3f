package org.tfrnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.tfrnn.train.SessionThreads;
import picocli.CommandLine;

/** {@code train --lanes} and {@code --threads}: passed to the run for every unroll. */
class TrainLanesOptionTest {

  private static TrainCommand parse(String... args) {
    TrainCommand train = new TrainCommand();
    new CommandLine(train).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args); // as Main
    return train;
  }

  @Test
  void lanesReachTheRunForEveryUnroll() {
    assertEquals(2, parse("--preset", "notebook-001", "--lanes", "2", "--no-export")
        .options().lanes());
    assertEquals(3, parse("--preset", "notebook-003", "--unroll", "fast", "--lanes", "3",
        "--no-export").options().lanes());
    assertEquals(1, parse("--preset", "notebook-003", "--lanes", "1", "--no-export")
        .options().lanes(), "the static unroll takes lanes too");
    assertEquals(0, parse("--preset", "notebook-001", "--no-export").options().lanes(),
        "no flag: the training default");
  }

  @Test
  void threadsAreLeftToTheLanesUnlessGiven() {
    assertNull(parse("--preset", "notebook-001", "--no-export").options().threads());
    assertEquals(new SessionThreads(0, 0),
        parse("--preset", "notebook-001", "--threads", "0,0", "--no-export").options().threads());
  }

  @Test
  void lanesBelowOneAreRefused() {
    IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
        () -> parse("--preset", "notebook-001", "--lanes", "0", "--no-export").options());
    assertEquals("--lanes must be positive, got 0", zero.getMessage());
  }
}
