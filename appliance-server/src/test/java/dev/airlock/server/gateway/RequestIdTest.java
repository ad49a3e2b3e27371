package dev.airlock.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The gateway's request ids: the format clients see, ordered by time, unique within a millisecond. */
class RequestIdTest {
  @Test
  void startsWithTheTimeInMillisecondsThenRandomDigits() {
    long before = System.currentTimeMillis();
    String id = Gateway.newRequestId();
    long after = System.currentTimeMillis();

    assertThat(id).matches("req_[0-9a-f]{24}");
    long millis = Long.parseLong(id.substring(4, 16), 16);
    assertThat(millis).isBetween(before, after);
  }

  @Test
  void idsOfLaterRequestsSortAfterEarlierOnes() throws InterruptedException {
    String earlier = Gateway.newRequestId();
    long t = System.currentTimeMillis();
    while (System.currentTimeMillis() <= t + 1) {
      Thread.sleep(1);
    }
    String later = Gateway.newRequestId();

    assertThat(later).isGreaterThan(earlier);
  }

  @Test
  void idsMadeInTheSameMillisecondDifferInTheirRandomPart() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 100_000; i++) {
      ids.add(Gateway.newRequestId());
    }
    assertThat(ids).hasSize(100_000);
  }
}
