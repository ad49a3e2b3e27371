package dev.airlock.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuditLeafTest {
  static AuditLeaf sample(Map<String, String> fields) {
    return new AuditLeaf("inference.request", Instant.parse("2026-11-21T12:00:00.123456789Z"), Actor.Kind.APP,
        Optional.of("crm"), Optional.of("llama-3-8b"), Optional.empty(), "ok", fields, new byte[16],
        new byte[16], new byte[12], new byte[20]);
  }

  /** Every check must agree between decode and the allocation-free validate. */
  static void rejectedBoth(byte[] leaf, String message) {
    assertThatThrownBy(() -> AuditLeaf.decode(leaf)).isInstanceOf(AuditLogException.class).hasMessageContaining(message);
    assertThatThrownBy(() -> AuditLeaf.validate(leaf)).isInstanceOf(AuditLogException.class).hasMessageContaining(message);
  }

  @Test
  void encodingIsDeterministicAndRoundTrips() {
    AuditLeaf a = sample(Map.of("zeta", "1", "alpha", "é", "mid", ""));
    AuditLeaf b = sample(new java.util.LinkedHashMap<>(Map.of("mid", "", "zeta", "1", "alpha", "é")));
    assertThat(a.encode()).isEqualTo(b.encode());
    AuditLeaf back = AuditLeaf.decode(a.encode());
    assertThat(back.encode()).isEqualTo(a.encode());
    assertThat(back.time()).isEqualTo(Instant.parse("2026-11-21T12:00:00.123456789Z"));
    assertThat(back.indexFields()).containsExactly(Map.entry("alpha", "é"), Map.entry("mid", ""), Map.entry("zeta", "1"));
    assertThat(back.requestId()).isEmpty();
    AuditLeaf.validate(a.encode());
  }

  @Test
  void encodingStartsWithTheDocumentedHeader() {
    byte[] leaf = sample(Map.of()).encode();
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    expected.write(1);
    expected.writeBytes(new byte[] {0, 0, 0, 17});
    expected.writeBytes("inference.request".getBytes(StandardCharsets.UTF_8));
    assertThat(Arrays.copyOf(leaf, 22)).isEqualTo(expected.toByteArray());
  }

  @Test
  void rejectsAnUnknownVersion() {
    byte[] leaf = sample(Map.of()).encode();
    leaf[0] = 2;
    rejectedBoth(leaf, "leaf version 2 is not supported");
  }

  @Test
  void rejectsTrailingBytes() {
    byte[] leaf = sample(Map.of()).encode();
    rejectedBoth(Arrays.copyOf(leaf, leaf.length + 1), "bytes after its end");
  }

  @Test
  void rejectsATruncatedLeaf() {
    byte[] leaf = sample(Map.of("a", "b")).encode();
    rejectedBoth(Arrays.copyOf(leaf, leaf.length - 5), "remain");
  }

  @Test
  void rejectsUnsortedIndexFields() {
    byte[] leaf = sample(Map.of("a", "1", "b", "2")).encode();
    // Swap the two names in place ("a" <-> "b"): same lengths, now out of order.
    String text = new String(leaf, StandardCharsets.ISO_8859_1);
    int a = text.indexOf("\u0000\u0000\u0000\u0001a");
    int b = text.indexOf("\u0000\u0000\u0000\u0001b");
    leaf[a + 4] = 'b';
    leaf[b + 4] = 'a';
    rejectedBoth(leaf, "not sorted by name or repeat a name");
  }

  @Test
  void rejectsAnUnknownActorKind() {
    byte[] leaf = sample(Map.of()).encode();
    int kindAt = 1 + 4 + 17 + 12;
    leaf[kindAt] = 7;
    rejectedBoth(leaf, "unknown actor kind 7");
  }
}
