package org.tfrnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code train --lanes}: passed to the model builder for the while loop and the fast unroll. */
class TrainLanesOptionTest {

  private static TrainCommand parse(String... args) {
    TrainCommand train = new TrainCommand();
    new CommandLine(train).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args); // as Main
    return train;
  }

  @Test
  void lanesReachTheRunForTheWhileLoopAndTheFastUnroll() {
    assertEquals(2, parse("--preset", "notebook-001", "--lanes", "2", "--no-export")
        .options().lanes());
    assertEquals(3, parse("--preset", "notebook-003", "--unroll", "fast", "--lanes", "3",
        "--no-export").options().lanes());
    assertEquals(0, parse("--preset", "notebook-001", "--no-export").options().lanes(),
        "no flag: the unroll's own default");
  }

  @Test
  void lanesAreRefusedForTheStaticUnrollAndBelowOne() {
    IllegalArgumentException statics = assertThrows(IllegalArgumentException.class,
        () -> parse("--preset", "notebook-003", "--lanes", "2", "--no-export").options());
    assertEquals("--lanes applies to --unroll while or fast; the static unroll has one chain",
        statics.getMessage());
    IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
        () -> parse("--preset", "notebook-001", "--lanes", "0", "--no-export").options());
    assertEquals("--lanes must be positive, got 0", zero.getMessage());
  }
}
