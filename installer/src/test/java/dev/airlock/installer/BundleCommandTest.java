package dev.airlock.installer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.audit.AuditKeys;
import dev.airlock.audit.AuditLog;
import dev.airlock.audit.AuditLogOptions;
import dev.airlock.audit.AuditRecord;
import dev.airlock.audit.PendingRecords;
import dev.airlock.vault.signing.Curve;
import dev.airlock.vault.signing.SigningKey;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bundle, trust and vault commands, end to end through the CLI as an installer runs them. */
class BundleCommandTest {
  @TempDir Path tmp;
  Path modelDir;
  Path privatePem;
  Path publicPem;
  Path dataDir;

  @BeforeEach
  void setUp() throws IOException {
    modelDir = Files.createDirectories(tmp.resolve("qwen-tiny"));
    Files.writeString(modelDir.resolve("config.json"), "{\"model_type\":\"qwen2\"}");
    Files.writeString(modelDir.resolve("LICENSE"), "Apache License 2.0");
    // A valid safetensors file of exactly 3 MiB: header, then random F32 data.
    byte[] header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[786413],\"data_offsets\":[0,3145652]}}   ".getBytes();
    byte[] weights = new byte[3 << 20];
    new Random(7).nextBytes(weights);
    java.nio.ByteBuffer.wrap(weights).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(header.length).put(header);
    Files.write(modelDir.resolve("model.safetensors"), weights);
    SigningKey key = SigningKey.generate(Curve.P256);
    privatePem = Files.writeString(tmp.resolve("transfer-private.pem"), key.toPkcs8Pem());
    publicPem = Files.writeString(tmp.resolve("transfer-public.pem"), key.verifyingKey().toPem());
    dataDir = tmp.resolve("data");
  }

  private Path create(String version) {
    Path out = tmp.resolve("qwen-tiny-" + version + ".tar");
    AirlockCliTest.Run r = AirlockCliTest.run("bundle", "create", "--model-dir", modelDir.toString(),
        "--name", "qwen-tiny", "--model-version", version, "--publisher", "Example Labs",
        "--origin-country", "CN", "--source", "https://example.org/qwen-tiny",
        "--private-key", privatePem.toString(), "-o", out.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("Created " + out).contains("qwen-tiny " + version).contains("files:     3");
    return out;
  }

  @Test
  void roundTripsCreateVerifyInspectAndImport() throws IOException {
    Path bundle = create("1.0");
    assertThat(tmp.resolve("qwen-tiny-1.0.tar.part")).doesNotExist();

    AirlockCliTest.Run verify = AirlockCliTest.run("bundle", "verify", bundle.toString(),
        "--trust-key", publicPem.toString());
    assertThat(verify.exit()).as(verify.err()).isZero();
    assertThat(verify.out()).contains("Verified " + bundle)
        .contains("publisher: Example Labs (origin CN)")
        .contains("signed by: transfer key 'transfer-public.pem'");
    assertThat(verify.err()).as("no progress lines for a bundle this small (see TransferProgressTest)")
        .doesNotContain("Reading qwen-tiny");

    AirlockCliTest.Run inspect = AirlockCliTest.run("bundle", "inspect", bundle.toString());
    assertThat(inspect.exit()).isZero();
    assertThat(inspect.out()).contains("NOT verified").contains("model/model.safetensors")
        .contains(String.valueOf(3 << 20));
    AirlockCliTest.Run json = AirlockCliTest.run("bundle", "inspect", bundle.toString(), "--json");
    assertThat(json.out()).startsWith("{").contains("\"originCountry\" : \"CN\"");

    AirlockCliTest.Run trust = AirlockCliTest.run("trust", "add", "--data-dir", dataDir.toString(),
        "--role", "transfer", "--name", "org-transfer", "--key", publicPem.toString());
    assertThat(trust.exit()).as(trust.err()).isZero();
    assertThat(trust.out()).startsWith("Trusted 'org-transfer' transfer key sha256:");

    AirlockCliTest.Run imported = AirlockCliTest.run("bundle", "import", bundle.toString(),
        "--data-dir", dataDir.toString(), "--importer", "installer-1");
    assertThat(imported.exit()).as(imported.err()).isZero();
    assertThat(imported.out()).contains("Imported qwen-tiny 1.0 into " + dataDir)
        .contains("state:      IMPORTED").contains("3 new blobs")
        .contains("signed by:  transfer key 'org-transfer'")
        .contains("publisher signature: ABSENT");

    AirlockCliTest.Run again = AirlockCliTest.run("bundle", "import", bundle.toString(),
        "--data-dir", dataDir.toString());
    assertThat(again.exit()).isZero();
    assertThat(again.out()).contains("Already in the vault: qwen-tiny 1.0").contains("nothing changed");

    AirlockCliTest.Run list = AirlockCliTest.run("vault", "list", "--data-dir", dataDir.toString());
    assertThat(list.out()).contains("qwen-tiny 1.0  IMPORTED").contains("by installer-1")
        .contains("safetensors 786413 parameters");

    AirlockCliTest.Run check = AirlockCliTest.run("vault", "verify", "--data-dir", dataDir.toString());
    assertThat(check.exit()).as(check.err()).isZero();
    assertThat(check.out()).contains("Vault intact: 3 blobs");
  }

  @Test
  void everyChangeToTheDataDirectoryIsLeftForTheAuditLogAndAppendedWhenTheServerOpensIt() throws IOException {
    Path bundle = create("1.0");
    SigningKey other = SigningKey.generate(Curve.P256);
    Path otherKey = Files.writeString(tmp.resolve("other-private.pem"), other.toPkcs8Pem());
    Path foreign = tmp.resolve("foreign.tar");
    assertThat(AirlockCliTest.run("bundle", "create", "--model-dir", modelDir.toString(), "--name", "qwen-tiny",
        "--model-version", "2.0", "--publisher", "Example Labs", "--origin-country", "CN",
        "--private-key", otherKey.toString(), "-o", foreign.toString()).exit()).isZero();

    assertThat(AirlockCliTest.run("trust", "add", "--data-dir", dataDir.toString(), "--role", "transfer",
        "--name", "org-transfer", "--key", publicPem.toString()).exit()).isZero();
    AirlockCliTest.Run refusedTrust = AirlockCliTest.run("trust", "add", "--data-dir", dataDir.toString(),
        "--role", "transfer", "--name", "org-transfer", "--key", publicPem.toString());
    assertThat(refusedTrust.exit()).as("same name again: refused, and nothing recorded").isEqualTo(2);
    assertThat(AirlockCliTest.run("bundle", "import", bundle.toString(), "--data-dir", dataDir.toString(),
        "--importer", "installer-1").exit()).isZero();
    assertThat(AirlockCliTest.run("bundle", "import", bundle.toString(), "--data-dir", dataDir.toString(),
        "--importer", "installer-1").exit()).isZero();
    assertThat(AirlockCliTest.run("bundle", "import", foreign.toString(), "--data-dir", dataDir.toString(),
        "--importer", "installer-1").exit()).isEqualTo(1);
    assertThat(AirlockCliTest.run("trust", "revoke", "org-transfer", "--reason", "laptop stolen",
        "--data-dir", dataDir.toString()).exit()).isZero();
    try (Stream<Path> s = Files.list(AuditLog.directoryIn(dataDir).resolve(PendingRecords.DIRECTORY))) {
      assertThat(s.toList()).hasSize(6);
    }

    // What the server does when it starts: open the log, which appends what was left.
    AuditKeys keys = AuditKeys.loadOrGenerate(dataDir.resolve("secrets/audit.keys"), "airlock.local/audit");
    try (AuditLog log = AuditLog.open(AuditLog.directoryIn(dataDir), keys, AuditLogOptions.defaults())) {
      List<AuditRecord> records = new ArrayList<>();
      for (long i = 0; i < log.size(); i++) records.add(log.decrypt(i).orElseThrow());
      assertThat(records).extracting(AuditRecord::type).containsExactly("trust.added", "model.lifecycle",
          "admin.bundle.import", "admin.bundle.import", "admin.bundle.refused", "trust.revoked");
      assertThat(records).allSatisfy(r -> {
        assertThat(r.actor()).isEqualTo(OfflineAudit.ACTOR);
        assertThat(r.indexFields()).containsEntry("via", "cli").doesNotContainKey("username");
      });
      AuditRecord added = records.get(0);
      assertThat(added.indexFields()).containsEntry("name", "org-transfer").containsEntry("role", "transfer")
          .containsEntry("ca", "false").containsKey("fingerprint");
      assertThat(added.indexFields().get("fingerprint")).startsWith("sha256:");
      assertThat(new String(added.payload())).contains("\"username\":\"" + System.getProperty("user.name") + "\"");
      assertThat(records.get(1).indexFields()).containsEntry("to", "IMPORTED").containsEntry("catalogModel", "qwen-tiny")
          .containsEntry("catalogVersion", "1.0").containsKey("eventId").doesNotContainKey("from");
      assertThat(records.get(2).indexFields()).containsEntry("outcome", "imported").containsEntry("model", "qwen-tiny")
          .containsEntry("version", "1.0").containsEntry("files", "3").containsEntry("transferSigner", "org-transfer")
          .containsEntry("publisherSignature", "ABSENT");
      assertThat(new String(records.get(2).payload())).contains("\"username\":\"installer-1\"");
      assertThat(records.get(3).indexFields()).containsEntry("outcome", "already_present");
      assertThat(records.get(4).indexFields()).containsEntry("code", "bundle_signer_untrusted");
      assertThat(records.get(5).indexFields()).containsEntry("name", "org-transfer")
          .containsEntry("reason", "laptop stolen");
    }
    try (Stream<Path> s = Files.list(AuditLog.directoryIn(dataDir).resolve(PendingRecords.DIRECTORY))) {
      assertThat(s.toList()).as("each left record is removed once it is in the log").isEmpty();
    }
  }

  @Test
  void aTrustChangeWhoseRecordCannotBeLeftIsNotMade() throws IOException {
    // The pending records' directory cannot be created: a file is in its way.
    Files.createDirectories(AuditLog.directoryIn(dataDir));
    Files.writeString(AuditLog.directoryIn(dataDir).resolve(PendingRecords.DIRECTORY), "in the way");

    AirlockCliTest.Run r = AirlockCliTest.run("trust", "add", "--data-dir", dataDir.toString(),
        "--role", "transfer", "--name", "org-transfer", "--key", publicPem.toString());

    assertThat(r.exit()).isEqualTo(4);
    assertThat(r.err()).startsWith("airlock trust add: cannot leave the audit record of this change in "
        + AuditLog.directoryIn(dataDir).resolve(PendingRecords.DIRECTORY)).contains("; nothing was changed");
    assertThat(AirlockCliTest.run("trust", "list", "--data-dir", dataDir.toString()).out())
        .doesNotContain("org-transfer");
  }

  @Test
  void verifyWithTheTrustStoreRefusesAnUntrustedSignerWithExit1() throws IOException {
    Path bundle = create("1.0");
    SigningKey other = SigningKey.generate(Curve.P256);
    Path otherPem = Files.writeString(tmp.resolve("other.pem"), other.verifyingKey().toPem());
    AirlockCliTest.run("trust", "add", "--data-dir", dataDir.toString(), "--role", "transfer",
        "--name", "someone-else", "--key", otherPem.toString());

    AirlockCliTest.Run r = AirlockCliTest.run("bundle", "verify", bundle.toString(),
        "--data-dir", dataDir.toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("airlock bundle verify: REFUSED (signer untrusted): the bundle is"
        + " signed by a key that is not a trusted transfer key");
  }

  @Test
  void importRefusesATamperedBundleAndLeavesNothing() throws IOException {
    Path bundle = create("1.0");
    byte[] tar = Files.readAllBytes(bundle);
    tar[tar.length - 1024 - 4096] ^= 1; // inside the last file's data
    Files.write(bundle, tar);
    AirlockCliTest.run("trust", "add", "--data-dir", dataDir.toString(), "--role", "transfer",
        "--name", "org-transfer", "--key", publicPem.toString());

    AirlockCliTest.Run r = AirlockCliTest.run("bundle", "import", bundle.toString(),
        "--data-dir", dataDir.toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("REFUSED (content mismatch)").contains("has SHA-256")
        .contains("but the signed manifest says");
    assertThat(AirlockCliTest.run("vault", "list", "--data-dir", dataDir.toString()).out()).isEmpty();
    try (Stream<Path> blobs = Files.walk(dataDir.resolve("vault/blobs"))) {
      assertThat(blobs.filter(Files::isRegularFile).toList()).isEmpty();
    }
  }

  @Test
  void revokingTheTransferKeyFlagsItsModelsAndRefusesItsBundles() throws IOException {
    Path bundle = create("1.0");
    AirlockCliTest.run("trust", "add", "--data-dir", dataDir.toString(), "--role", "transfer",
        "--name", "org-transfer", "--key", publicPem.toString());
    AirlockCliTest.run("bundle", "import", bundle.toString(), "--data-dir", dataDir.toString());

    AirlockCliTest.Run revoke = AirlockCliTest.run("trust", "revoke", "org-transfer",
        "--reason", "laptop stolen", "--data-dir", dataDir.toString());

    assertThat(revoke.exit()).as(revoke.err()).isZero();
    assertThat(revoke.out()).contains("REVOKED").contains("laptop stolen")
        .contains("1 model version(s) it vouched for are now flagged.");
    assertThat(AirlockCliTest.run("trust", "list", "--data-dir", dataDir.toString()).out())
        .contains("'org-transfer' transfer key").contains("REVOKED");
    assertThat(AirlockCliTest.run("vault", "list", "--data-dir", dataDir.toString()).out())
        .contains("FLAGGED: signer 'org-transfer'");
    AirlockCliTest.Run next = AirlockCliTest.run("bundle", "import", create("1.1").toString(),
        "--data-dir", dataDir.toString());
    assertThat(next.exit()).isEqualTo(1);
    assertThat(next.err()).contains("REFUSED (signer revoked)");
  }

  @Test
  void vaultVerifyReportsACorruptedBlobWithExit1() throws IOException {
    AirlockCliTest.run("trust", "add", "--data-dir", dataDir.toString(), "--role", "transfer",
        "--name", "org-transfer", "--key", publicPem.toString());
    AirlockCliTest.run("bundle", "import", create("1.0").toString(), "--data-dir", dataDir.toString());
    Path blob;
    try (Stream<Path> s = Files.walk(dataDir.resolve("vault/blobs"))) {
      blob = s.filter(Files::isRegularFile).filter(p -> p.toFile().length() == 3 << 20).findFirst().orElseThrow();
    }
    try (RandomAccessFile f = new RandomAccessFile(blob.toFile(), "rw")) {
      f.seek(12345);
      f.write(0x42 ^ f.read());
    }

    AirlockCliTest.Run r = AirlockCliTest.run("vault", "verify", "--data-dir", dataDir.toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains("DAMAGED sha256:" + blob.getFileName() + ": its content now hashes to")
        .contains("1 of 3 blobs are damaged");
  }

  @Test
  void createRefusesAnOriginThatIsNotAnIsoCountryCode() {
    AirlockCliTest.Run r = AirlockCliTest.run("bundle", "create", "--model-dir", modelDir.toString(),
        "--name", "m", "--model-version", "1", "--publisher", "p", "--origin-country", "XX",
        "--private-key", privatePem.toString(), "-o", tmp.resolve("m.tar").toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("origin country must be an ISO 3166-1 alpha-2 code").contains("got 'XX'");
    assertThat(tmp.resolve("m.tar")).doesNotExist();
  }

  @Test
  void missingFilesAreNamed() {
    AirlockCliTest.Run r = AirlockCliTest.run("bundle", "verify", "x.tar", "--trust-key",
        tmp.resolve("nope.pem").toString());
    assertThat(r.exit()).isEqualTo(4);
    assertThat(r.err()).isEqualTo("airlock bundle verify: cannot read the trusted keys: no such file: "
        + tmp.resolve("nope.pem") + "\n");
    AirlockCliTest.Run i = AirlockCliTest.run("bundle", "import", tmp.resolve("none.tar").toString(),
        "--data-dir", dataDir.toString());
    assertThat(i.exit()).isEqualTo(4);
    assertThat(i.err()).contains("no such file: " + tmp.resolve("none.tar"));
  }

  @Test
  void verifyNeedsATrustSource() {
    AirlockCliTest.Run r = AirlockCliTest.run("bundle", "verify", "x.tar");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--trust-key").contains("--data-dir");
  }
}
