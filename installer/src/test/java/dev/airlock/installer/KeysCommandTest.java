package dev.airlock.installer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeysCommandTest {
  @TempDir Path tmp;

  @Test
  void generateWritesAPrivateKeyOnlyItsOwnerCanRead() throws Exception {
    Path out = tmp.resolve("keys");
    AirlockCliTest.Run r = AirlockCliTest.run("keys", "generate", "--out", out.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("private.pem"))))
        .isEqualTo("rw-------");
    assertThat(Files.readString(out.resolve("private.pem"))).startsWith("-----BEGIN PRIVATE KEY-----\n");
    assertThat(Files.readString(out.resolve("public.pem"))).startsWith("-----BEGIN PUBLIC KEY-----\n");
    assertThat(r.out()).contains("Generated an EC P256 key pair").contains("mode 600");
  }

  @Test
  void curveP384IsOffered() throws Exception {
    Path out = tmp.resolve("k384");
    assertThat(AirlockCliTest.run("keys", "generate", "--out", out.toString(), "--curve", "p384").out())
        .contains("EC P384 key pair");
  }

  @Test
  void unknownCurveIsAUsageError() {
    AirlockCliTest.Run r = AirlockCliTest.run("keys", "generate", "--out", tmp.toString(), "--curve", "ed25519");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("Invalid value for option '--curve'").contains("p256, p384");
  }

  @Test
  void existingKeysAreNeverOverwritten() throws Exception {
    Path out = tmp.resolve("keys");
    assertThat(AirlockCliTest.run("keys", "generate", "--out", out.toString()).exit()).isZero();
    String before = Files.readString(out.resolve("private.pem"));
    AirlockCliTest.Run again = AirlockCliTest.run("keys", "generate", "--out", out.toString());
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).contains("private.pem already exists; nothing was written");
    assertThat(Files.readString(out.resolve("private.pem"))).isEqualTo(before);
  }
}
