package org.tfrnn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.tensorflow.proto.ConfigProto;

class SessionThreadsTest {
  @Test
  void parsesIntraCommaInterIntoTheConfigProto() {
    ConfigProto config = SessionThreads.parse("2,1").config();
    assertEquals(2, config.getIntraOpParallelismThreads());
    assertEquals(1, config.getInterOpParallelismThreads());
    assertEquals(SessionThreads.DEFAULT, SessionThreads.parse("0, 0"));
    assertEquals(0, SessionThreads.DEFAULT.config().getInterOpParallelismThreads());
  }

  @Test
  void lanesGetOneInterOpThreadEachAndShareTheCoresWithinAnOp() {
    assertEquals(SessionThreads.DEFAULT, SessionThreads.forLanes(1, 2));
    assertEquals(new SessionThreads(1, 2), SessionThreads.forLanes(2, 2));
    assertEquals(new SessionThreads(4, 2), SessionThreads.forLanes(2, 8));
    assertEquals(new SessionThreads(1, 3), SessionThreads.forLanes(3, 2));
    assertThrows(IllegalArgumentException.class, () -> SessionThreads.forLanes(0, 2));
  }

  @Test
  void badValuesGetOneLineNamingTheFlag() {
    for (String bad : new String[] {"2", "a,b", "1,2,3", ""}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> SessionThreads.parse(bad));
      assertEquals("--threads takes INTRA,INTER (two integers, 0 = TensorFlow's default), got '"
          + bad + "'", e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> SessionThreads.parse("-1,2"));
  }
}
