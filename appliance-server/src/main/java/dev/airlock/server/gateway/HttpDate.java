package dev.airlock.server.gateway;

import io.netty.handler.codec.DateFormatter;
import java.util.Date;

/** The {@code Date} header's value (RFC 9110 IMF-fixdate), formatted at most once a second. */
final class HttpDate {
  private record Stamp(long second, String text) {}

  private static volatile Stamp last = new Stamp(-1, "");

  private HttpDate() {}

  static String now() {
    long millis = System.currentTimeMillis();
    long second = millis / 1000;
    Stamp s = last;
    if (s.second != second) {
      s = new Stamp(second, DateFormatter.format(new Date(second * 1000)));
      last = s;
    }
    return s.text;
  }
}
