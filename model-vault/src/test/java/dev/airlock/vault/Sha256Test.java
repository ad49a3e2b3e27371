package dev.airlock.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Sha256Test {
  private static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

  @Test
  void digestsBytesAndStreamsAlikeMatchingFips180Vector() throws Exception {
    byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);
    assertThat(Sha256.of(abc).hex()).isEqualTo(ABC);
    assertThat(Sha256.of(new ByteArrayInputStream(abc))).isEqualTo(Sha256.of(abc));
  }

  @Test
  void streamsLargerThanOneBufferDigestWhole() throws Exception {
    byte[] big = new byte[(1 << 16) * 3 + 7];
    for (int i = 0; i < big.length; i++) big[i] = (byte) (i * 31);
    assertThat(Sha256.of(new ByteArrayInputStream(big))).isEqualTo(Sha256.of(big));
  }

  @Test
  void parsesUpperCaseHexToTheSameValue() {
    assertThat(Sha256.parse(ABC.toUpperCase())).isEqualTo(new Sha256(ABC));
    assertThat(Sha256.parse(ABC).toString()).isEqualTo("sha256:" + ABC);
  }

  @Test
  void rejectsTextThatIsNotADigestSayingWhatItGot() {
    assertThatThrownBy(() -> Sha256.parse("abc123"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a SHA-256 digest is 64 lower-case hex digits, got: 'abc123'");
  }
}
