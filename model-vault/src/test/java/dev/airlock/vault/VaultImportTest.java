package dev.airlock.vault;

import static dev.airlock.vault.testing.Bundles.NOW;
import static dev.airlock.vault.testing.Bundles.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.vault.bundle.BundleFile;
import dev.airlock.vault.bundle.BundleManifest;
import dev.airlock.vault.bundle.BundlePaths;
import dev.airlock.vault.bundle.BundleRejectedException;
import dev.airlock.vault.bundle.BundleRejectedException.Problem;
import dev.airlock.vault.bundle.TransferSignature;
import dev.airlock.vault.catalog.LifecycleState;
import dev.airlock.vault.catalog.ModelFacts;
import dev.airlock.vault.catalog.ModelVersion;
import dev.airlock.vault.catalog.PublisherSignature;
import dev.airlock.vault.testing.Bundles;
import dev.airlock.vault.testing.RawTar;
import dev.airlock.vault.trust.TrustRole;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.airlock.vault.signing.SigningKey;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VaultImportTest {
  @TempDir Path tmp;
  Path dataDir;
  SigningKey transferKey = Bundles.newKey();
  Vault vault;
  Vault.Options options = Vault.Options.defaults().withClock(Clock.fixed(NOW, ZoneOffset.UTC));

  @BeforeEach
  void openVault() throws IOException {
    dataDir = tmp.resolve("data");
    vault = Vault.openEmbedded(dataDir, options);
    vault.trust().addKey("org-transfer", TrustRole.TRANSFER, transferKey.verifyingKey().publicKey(),
        Optional.empty(), Optional.empty());
  }

  @AfterEach
  void closeVault() throws IOException {
    if (vault != null) vault.close();
  }

  private ImportResult importBytes(byte[] tar) throws IOException {
    return vault.importBundle(new ByteArrayInputStream(tar), "tester", Progress.NONE);
  }

  private void assertRejected(byte[] tar, Problem problem, String... messageParts) {
    assertThatThrownBy(() -> importBytes(tar))
        .isInstanceOfSatisfying(BundleRejectedException.class, e -> {
          assertThat(e.problem()).isEqualTo(problem);
          assertThat(e.getMessage()).contains(messageParts);
        });
    assertVaultEmpty();
  }

  private void assertVaultEmpty() {
    try {
      assertThat(vault.catalog().list()).as("catalog").isEmpty();
      assertThat(vault.catalog().blobs()).as("catalog blobs").isEmpty();
      assertThat(vault.blobs().list()).as("blob files").isEmpty();
      try (Stream<Path> s = Files.list(dataDir.resolve("vault/staging"))) {
        assertThat(s.toList()).as("staging").isEmpty();
      }
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private byte[] validBundle(String seed, String version) throws IOException {
    Path dir = Bundles.modelDir(tmp, seed);
    return Files.readAllBytes(Bundles.create(dir, "tiny-" + seed, version, transferKey,
        tmp.resolve(seed + "-" + version + ".tar")));
  }

  // ---- the happy path ----

  @Test
  void importsAVerifiedBundleWithItsProvenance() throws Exception {
    Path dir = Bundles.modelDir(tmp, "a");
    Path bundle = Bundles.create(dir, "tiny-a", "1.0", transferKey, tmp.resolve("a.tar"));

    ImportResult r = vault.importBundle(bundle, "alice", Progress.NONE);

    assertThat(r.outcome()).isEqualTo(ImportResult.Outcome.IMPORTED);
    assertThat(r.files()).isEqualTo(5);
    assertThat(r.newBlobs()).isEqualTo(5);
    ModelVersion v = r.version();
    assertThat(v.modelName()).isEqualTo("tiny-a");
    assertThat(v.version()).isEqualTo("1.0");
    assertThat(v.state()).isEqualTo(LifecycleState.IMPORTED);
    assertThat(v.provenance().publisher()).isEqualTo("Example Labs");
    assertThat(v.provenance().originCountry()).isEqualTo("FR");
    assertThat(v.provenance().source()).contains("https://example.org/m");
    assertThat(v.provenance().importer()).isEqualTo("alice");
    assertThat(v.provenance().importedAt()).isEqualTo(NOW);
    assertThat(v.provenance().transferSignerName()).isEqualTo("org-transfer");
    assertThat(v.provenance().publisherSignature().status()).isEqualTo(PublisherSignature.Status.ABSENT);
    assertThat(r.event()).hasValueSatisfying(e -> {
      assertThat(e.from()).isEmpty();
      assertThat(e.to()).isEqualTo(LifecycleState.IMPORTED);
      assertThat(e.actor()).isEqualTo("alice");
    });
    var files = vault.catalog().files(v.id());
    assertThat(files).extracting(f -> f.path()).containsExactly("model/config.json",
        "model/extra/README.md", "model/model-00001-of-00002.safetensors",
        "model/model-00002-of-00002.safetensors", "model/tokenizer.json");
    for (var f : files) {
      String name = f.path().substring("model/".length());
      assertThat(Files.readAllBytes(vault.blobs().pathOf(f.sha256())))
          .isEqualTo(Files.readAllBytes(dir.resolve(name)));
    }
    assertThat(vault.verify(Progress.NONE).isIntact()).isTrue();
  }

  @Test
  void recordsWhatTheInspectorLearnsFromTheModelFiles() throws Exception {
    Path dir = Bundles.modelDir(tmp, "a");
    Files.writeString(dir.resolve("config.json"), "{\"architectures\":[\"LlamaForCausalLM\"],"
        + "\"model_type\":\"llama\",\"auto_map\":{\"AutoModel\":\"modeling.Model\"}}");
    Files.writeString(dir.resolve("modeling.py"), "import os\n");
    ImportResult r = vault.importBundle(Bundles.create(dir, "tiny-a", "1.0", transferKey,
        tmp.resolve("a.tar")), "alice", Progress.NONE);

    var facts = vault.catalog().facts(r.version().id()).orElseThrow();
    assertThat(facts.weightFormat()).isEqualTo("SAFETENSORS");
    assertThat(facts.architecture()).contains("LlamaForCausalLM");
    assertThat(facts.parameterCount()).hasValue(92_500);
    assertThat(facts.needsRemoteCode()).isTrue();
    assertThat(facts.risks()).extracting(ModelFacts.Risk::kind).contains("REMOTE_CODE", "PYTHON_CODE");
  }

  @Test
  void rejectsAWeightsHeaderClaimingAbsurdSizes() throws Exception {
    Path dir = Bundles.modelDir(tmp, "a");
    byte[] lying = Bundles.safetensors("x", 10);
    java.nio.ByteBuffer.wrap(lying).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE / 2);
    Files.write(dir.resolve("model-00002-of-00002.safetensors"), lying);
    byte[] tar = Files.readAllBytes(Bundles.create(dir, "tiny-a", "1.0", transferKey, tmp.resolve("a.tar")));
    assertRejected(tar, Problem.INVALID_MODEL_FILE, "a model file of tiny-a 1.0 cannot be used",
        "model-00002-of-00002.safetensors", "Nothing was imported");
  }

  @Test
  void importingTheSameBundleTwiceChangesNothing() throws Exception {
    byte[] tar = validBundle("a", "1.0");
    ImportResult first = importBytes(tar);
    var blobsBefore = vault.blobs().list().keySet();

    ImportResult second = importBytes(tar);

    assertThat(second.outcome()).isEqualTo(ImportResult.Outcome.ALREADY_PRESENT);
    assertThat(second.version().id()).isEqualTo(first.version().id());
    assertThat(second.event()).isEmpty();
    assertThat(vault.catalog().list()).hasSize(1);
    assertThat(vault.blobs().list().keySet()).isEqualTo(blobsBefore);
  }

  @Test
  void sharedFilesAreStoredOnceAcrossModels() throws Exception {
    importBytes(validBundle("a", "1.0"));
    // Same directory, new version: every file's content is already there.
    ImportResult again = importBytes(Files.readAllBytes(Bundles.create(tmp.resolve("model-a"),
        "tiny-a", "1.1", transferKey, tmp.resolve("a-1.1.tar"))));

    assertThat(again.newBlobs()).isZero();
    assertThat(vault.blobs().list()).hasSize(5);
    assertThat(vault.catalog().list()).hasSize(2);
  }

  @Test
  void refusesANewBundleForAVersionAlreadyInTheVault() throws Exception {
    importBytes(validBundle("a", "1.0"));
    byte[] other = Files.readAllBytes(Bundles.create(tmp.resolve("model-a"), "tiny-a", "1.0",
        transferKey, tmp.resolve("a-again.tar")));

    assertThatThrownBy(() -> importBytes(other))
        .isInstanceOfSatisfying(BundleRejectedException.class,
            e -> assertThat(e.problem()).isEqualTo(Problem.CONFLICT))
        .hasMessageContaining("tiny-a version 1.0 is already in the vault")
        .hasMessageContaining("give the new bundle a new --model-version");
    assertThat(vault.catalog().list()).hasSize(1);
  }

  // ---- bad input: each refused with a clear message and nothing left behind ----

  @Test
  void rejectsCorruptTar() throws Exception {
    byte[] tar = validBundle("a", "1.0");
    // Damage the header of the first model file (after manifest and signature entries).
    int header = findHeader(tar, "model/config.json");
    tar[header + 130] ^= 0x7f;
    assertRejected(tar, Problem.CORRUPT, "not a readable tar near", "corrupt or cut short");
  }

  @Test
  void rejectsTruncatedTar() throws Exception {
    byte[] tar = validBundle("a", "1.0");
    int header = findHeader(tar, "model/model-00001-of-00002.safetensors");
    byte[] cut = Arrays.copyOf(tar, header + 512 + 100_000);
    assertRejected(cut, Problem.CORRUPT, "cut short inside 'model/model-00001-of-00002.safetensors'",
        "Copy the bundle again from the original medium");
  }

  @Test
  void rejectsTarCutAtAnEntryBoundaryAsMissingFiles() throws Exception {
    byte[] tar = validBundle("a", "1.0");
    byte[] cut = Arrays.copyOf(tar, findHeader(tar, "model/tokenizer.json"));
    assertRejected(cut, Problem.MISSING_FILE, "'model/tokenizer.json'", "the bundle is incomplete");
  }

  @Test
  void rejectsSomethingThatIsNotABundle() throws Exception {
    byte[] tar = new RawTar().file("model/config.json", utf8("{}")).finish();
    assertRejected(tar, Problem.NOT_A_BUNDLE, "first entry should be 'bundle/manifest.json'",
        "'model/config.json'");
  }

  @Test
  void rejectsAManifestEntryClaimingAnAbsurdSize() throws Exception {
    byte[] tar = new RawTar().entry(BundlePaths.MANIFEST, 10L << 30, '0', "", utf8("{}")).finish();
    assertRejected(tar, Problem.NOT_A_BUNDLE, "'bundle/manifest.json' is 10737418240 bytes",
        "more than the 67108864 a bundle allows");
  }

  @Test
  void rejectsAFormatVersionThisBuildDoesNotRead() throws Exception {
    BundleManifest m = Bundles.manifest(Map.of("model/config.json", utf8("{}")));
    byte[] json = new String(m.toJson(), java.nio.charset.StandardCharsets.UTF_8)
        .replace("\"formatVersion\" : 1", "\"formatVersion\" : 2").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] tar = new RawTar().file(BundlePaths.MANIFEST, json)
        .file(BundlePaths.SIGNATURE, TransferSignature.sign(json, m, transferKey)).finish();
    assertRejected(tar, Problem.NOT_A_BUNDLE, "format version 2 but this Airlock reads version 1");
  }

  @Test
  void rejectsInvalidManifestSignature() throws Exception {
    byte[] content = utf8("{}");
    BundleManifest m = Bundles.manifest(Map.of("model/config.json", content));
    byte[] json = m.toJson();
    byte[] sig = TransferSignature.sign(json, m, transferKey);
    // Flip one character of the base64 signature value.
    String s = new String(sig, java.nio.charset.StandardCharsets.UTF_8);
    int at = s.indexOf("\"sig\"") + 12;
    char c = s.charAt(at);
    s = s.substring(0, at) + (c == 'A' ? 'B' : 'A') + s.substring(at + 1);
    byte[] tar = new RawTar().file(BundlePaths.MANIFEST, json)
        .file(BundlePaths.SIGNATURE, utf8(s)).file("model/config.json", content).finish();
    assertRejected(tar, Problem.SIGNATURE_INVALID, "manifest signature is invalid",
        "does not verify with the trusted transfer key");
  }

  @Test
  void rejectsManifestAlteredAfterSigning() throws Exception {
    byte[] content = utf8("{}");
    BundleManifest m = Bundles.manifest(Map.of("model/config.json", content));
    byte[] sig = TransferSignature.sign(m.toJson(), m, transferKey);
    BundleManifest altered = new BundleManifest(1, m.bundleId(), m.created(), m.modelName(),
        m.modelVersion(), "Somebody Else", m.originCountry(), m.source(), m.files());
    byte[] tar = new RawTar().file(BundlePaths.MANIFEST, altered.toJson())
        .file(BundlePaths.SIGNATURE, sig).file("model/config.json", content).finish();
    assertRejected(tar, Problem.SIGNATURE_INVALID, "the signature covers a different manifest");
  }

  @Test
  void rejectsUntrustedSigner() throws Exception {
    Path dir = Bundles.modelDir(tmp, "a");
    byte[] tar = Files.readAllBytes(Bundles.create(dir, "tiny", "1.0", Bundles.newKey(), tmp.resolve("x.tar")));
    assertRejected(tar, Problem.SIGNER_UNTRUSTED, "not a trusted transfer key",
        "airlock trust add --role transfer");
  }

  @Test
  void rejectsRevokedSignerAndFlagsTheModelsItBroughtIn() throws Exception {
    ImportResult earlier = importBytes(validBundle("a", "1.0"));

    Vault.Revocation rev = vault.revokeTrust("org-transfer", "key leaked");

    assertThat(rev.modelsFlagged()).isEqualTo(1);
    ModelVersion flagged = vault.catalog().find(earlier.version().id()).orElseThrow();
    assertThat(flagged.flag()).hasValueSatisfying(f ->
        assertThat(f.reason()).contains("org-transfer").contains("key leaked"));
    byte[] next = validBundle("b", "1.0");
    assertThatThrownBy(() -> importBytes(next))
        .isInstanceOfSatisfying(BundleRejectedException.class,
            e -> assertThat(e.problem()).isEqualTo(Problem.SIGNER_REVOKED))
        .hasMessageContaining("transfer key 'org-transfer'")
        .hasMessageContaining("key leaked");
    assertThat(vault.catalog().list()).hasSize(1);
  }

  @Test
  void rejectsExpiredSigner() throws Exception {
    vault.close();
    vault = null;
    Path other = tmp.resolve("data2");
    dataDir = other;
    vault = Vault.openEmbedded(other, options);
    vault.trust().addKey("old-transfer", TrustRole.TRANSFER, transferKey.verifyingKey().publicKey(),
        Optional.of(Instant.parse("2025-01-01T00:00:00Z")), Optional.of(Instant.parse("2026-01-01T00:00:00Z")));
    assertRejected(validBundle("a", "1.0"), Problem.SIGNER_EXPIRED, "'old-transfer'",
        "until 2026-01-01T00:00:00Z", "it is now " + NOW);
  }

  @Test
  void rejectsDigestMismatch() throws Exception {
    byte[] content = utf8("{\"a\":1}");
    BundleManifest m = Bundles.manifest(Map.of("model/config.json", content));
    byte[] tar = Bundles.signedStart(m, transferKey).file("model/config.json", utf8("{\"a\":2}")).finish();
    assertRejected(tar, Problem.CONTENT_MISMATCH, "'model/config.json' has SHA-256",
        "but the signed manifest says " + Sha256.of(content).hex());
  }

  @Test
  void rejectsSizeMismatch() throws Exception {
    BundleManifest m = Bundles.manifest(Map.of("model/config.json", utf8("{\"a\":1}")));
    byte[] tar = Bundles.signedStart(m, transferKey).file("model/config.json", utf8("{\"a\":12}")).finish();
    assertRejected(tar, Problem.CONTENT_MISMATCH, "'model/config.json' is 8 bytes in the tar header",
        "the signed manifest says 7 bytes");
  }

  @Test
  void rejectsHeaderThatClaimsMoreBytesThanFollow() throws Exception {
    byte[] big = Bundles.random("x", 4000);
    BundleManifest m = Bundles.manifest(Map.of("model/w.bin", big));
    // The header says 4000 bytes (as the manifest does) but only 1000 follow, then the end.
    byte[] tar = Bundles.signedStart(m, transferKey)
        .entry("model/w.bin", 4000, '0', "", Arrays.copyOf(big, 1000)).finish();
    assertRejected(tar, Problem.CORRUPT, "cut short inside 'model/w.bin'");
  }

  @Test
  void rejectsHeaderThatClaimsFewerBytesThanFollow() throws Exception {
    byte[] data = Bundles.random("y", 3000);
    BundleManifest m = Bundles.manifest(Map.of("model/w.bin", Arrays.copyOf(data, 1000)));
    // Header and manifest agree on 1000 bytes; 3000 follow: the rest is read as a header.
    byte[] tar = Bundles.signedStart(m, transferKey).entry("model/w.bin", 1000, '0', "", data).finish();
    assertRejected(tar, Problem.CORRUPT, "not a readable tar");
  }

  @Test
  void rejectsUndeclaredFile() throws Exception {
    byte[] content = utf8("{}");
    BundleManifest m = Bundles.manifest(Map.of("model/config.json", content));
    byte[] tar = Bundles.signedStart(m, transferKey).file("model/config.json", content)
        .file("model/evil.py", utf8("import os")).finish();
    assertRejected(tar, Problem.UNDECLARED_FILE, "'model/evil.py'", "does not declare");
  }

  @Test
  void rejectsDeclaredFileMissing() throws Exception {
    Map<String, byte[]> declared = new LinkedHashMap<>();
    declared.put("model/config.json", utf8("{}"));
    declared.put("model/weights.safetensors", Bundles.random("w", 2048));
    byte[] tar = Bundles.signedStart(Bundles.manifest(declared), transferKey)
        .file("model/config.json", utf8("{}")).finish();
    assertRejected(tar, Problem.MISSING_FILE, "1 file(s)", "'model/weights.safetensors'");
  }

  @Test
  void rejectsBundleWithPathTraversal() throws Exception {
    byte[] content = utf8("{}");
    BundleManifest m = Bundles.manifest(Map.of("model/config.json", content));
    byte[] tar = Bundles.signedStart(m, transferKey).file("model/../../etc/cron.d/x", content).finish();
    assertRejected(tar, Problem.UNSAFE_PATH, "'model/../../etc/cron.d/x'", "climbs out with '..'");
  }

  @Test
  void rejectsAbsolutePath() throws Exception {
    byte[] content = utf8("{}");
    BundleManifest m = Bundles.manifest(Map.of("model/config.json", content));
    byte[] tar = Bundles.signedStart(m, transferKey).file("/etc/passwd", content).finish();
    assertRejected(tar, Problem.UNSAFE_PATH, "'/etc/passwd'", "it is absolute");
  }

  @Test
  void rejectsTraversalDeclaredInTheSignedManifestItself() throws Exception {
    assertThatThrownBy(() -> new BundleFile("model/../x", 1, Sha256.of(new byte[1])))
        .isInstanceOf(BundleRejectedException.class).hasMessageContaining("climbs out");
    // A manifest written by another tool with such a path is refused while parsing.
    String json = new String(Bundles.manifest(Map.of("model/a", utf8("x"))).toJson(),
        java.nio.charset.StandardCharsets.UTF_8).replace("model/a", "model/../a");
    assertThatThrownBy(() -> BundleManifest.parse(utf8(json)))
        .isInstanceOfSatisfying(BundleRejectedException.class,
            e -> assertThat(e.problem()).isEqualTo(Problem.UNSAFE_PATH));
  }

  @Test
  void rejectsSymbolicLink() throws Exception {
    BundleManifest m = Bundles.manifest(Map.of("model/config.json", utf8("{}")));
    byte[] tar = Bundles.signedStart(m, transferKey)
        .entry("model/config.json", 0, '2', "/etc/shadow", new byte[0]).finish();
    assertRejected(tar, Problem.UNSUPPORTED_ENTRY, "'model/config.json' is a symbolic link to '/etc/shadow'",
        "only regular files");
  }

  @Test
  void rejectsHardLink() throws Exception {
    BundleManifest m = Bundles.manifest(Map.of("model/config.json", utf8("{}")));
    byte[] tar = Bundles.signedStart(m, transferKey)
        .entry("model/config.json", 0, '1', "bundle/manifest.json", new byte[0]).finish();
    assertRejected(tar, Problem.UNSUPPORTED_ENTRY, "is a hard link to 'bundle/manifest.json'");
  }

  @Test
  void rejectsDevicesAndFifos() throws Exception {
    BundleManifest m = Bundles.manifest(Map.of("model/config.json", utf8("{}")));
    for (char type : new char[] {'3', '4', '6'}) {
      byte[] tar = Bundles.signedStart(m, transferKey).entry("model/dev", 0, type, "", new byte[0]).finish();
      String kind = switch (type) {
        case '3' -> "a character device";
        case '4' -> "a block device";
        default -> "a FIFO";
      };
      assertRejected(tar, Problem.UNSUPPORTED_ENTRY, "'model/dev' is " + kind);
    }
  }

  @Test
  void rejectsDuplicateEntries() throws Exception {
    byte[] content = utf8("{}");
    BundleManifest m = Bundles.manifest(Map.of("model/config.json", content));
    byte[] tar = Bundles.signedStart(m, transferKey).file("model/config.json", content)
        .file("model/config.json", content).finish();
    assertRejected(tar, Problem.DUPLICATE_ENTRY, "holds 'model/config.json' twice");
  }

  @Test
  void rejectsBundleWhenDiskIsTooSmallBeforeCopying() throws Exception {
    vault.close();
    long[] asked = {0};
    vault = Vault.open(dataDir, dev.airlock.vault.catalog.VaultSchema.embedded(dataDir),
        options.withFreeSpace(where -> {
          asked[0]++;
          return 300L << 20; // 300 MiB: less than the 256 MiB reserve plus the bundle
        }));
    byte[] big = new byte[64 << 20];
    BundleManifest m = Bundles.manifestOf(List.of(new BundleFile("model/w.bin", big.length, Sha256.of(big))));
    // Only the manifest and signature: the refusal must come before any file is read.
    byte[] tar = Bundles.signedStart(m, transferKey).unfinished();
    assertRejected(tar, Problem.NOT_ENOUGH_SPACE, "it needs 64.0 MiB", "only 300.0 MiB is free",
        "nothing was copied");
    assertThat(asked[0]).isEqualTo(1);
  }

  // ---- crash safety ----

  @Test
  void leftoversOfAnInterruptedImportAreRemovedOnOpen() throws Exception {
    ImportResult kept = importBytes(validBundle("a", "1.0"));
    // What a crash leaves: a staging directory mid-copy, and a blob renamed in before the commit.
    Path stale = Files.createDirectories(dataDir.resolve("vault/staging/1234/blobs"));
    Files.write(stale.resolve("partial"), new byte[1000]);
    byte[] orphanBytes = utf8("never committed");
    Sha256 orphan = Sha256.of(orphanBytes);
    Files.createDirectories(vault.blobs().pathOf(orphan).getParent());
    Files.write(vault.blobs().pathOf(orphan), orphanBytes);
    vault.close();

    vault = Vault.openEmbedded(dataDir, options);

    assertThat(Files.exists(dataDir.resolve("vault/staging/1234"))).isFalse();
    assertThat(vault.blobs().contains(orphan)).isFalse();
    assertThat(vault.catalog().list()).extracting(ModelVersion::id).containsExactly(kept.version().id());
    assertThat(vault.verify(Progress.NONE).isIntact()).isTrue();
  }

  @Test
  void anImportInterruptedMidCopyLeavesNothing() throws Exception {
    byte[] tar = validBundle("a", "1.0");
    Progress interrupting = new Progress() {
      long seen;
      @Override public void start(String task, long totalBytes) {}
      @Override public void advance(long bytes) {
        seen += bytes;
        if (seen > 100_000) throw new IllegalStateException("power cut");
      }
      @Override public void finish() {}
    };
    assertThatThrownBy(() -> vault.importBundle(new ByteArrayInputStream(tar), "t", interrupting))
        .hasMessage("power cut");
    assertVaultEmpty();
  }

  @Test
  void aCatalogFailureAfterTheBlobsMovedInLeavesNothingVisibleAndTheBlobsGoOnNextOpen() throws Exception {
    vault.close();
    org.h2.jdbcx.JdbcConnectionPool db = dev.airlock.vault.catalog.VaultSchema.embedded(dataDir);
    try {
      vault = Vault.open(dataDir, db, options);
      try (var c = db.getConnection()) {
        // The last statement of the import's transaction will fail.
        c.createStatement().execute("DROP TABLE vault_lifecycle_event");
      }
      byte[] tar = validBundle("a", "1.0");
      assertThatThrownBy(() -> importBytes(tar))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("cannot record tiny-a 1.0 in the catalog")
          .hasMessageContaining("nothing was imported, try again");
      assertThat(vault.catalog().list()).isEmpty();
      assertThat(vault.blobs().list()).as("moved in before the commit").hasSize(5);
      vault.close();

      vault = Vault.open(dataDir, db, options);

      assertVaultEmpty();
    } finally {
      vault.close();
      vault = null;
      db.dispose();
    }
  }

  @Test
  void aSecondProcessCannotOpenTheVaultWhileItIsInUse() {
    assertThatThrownBy(() -> Vault.openEmbedded(dataDir, options))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("in use by another Airlock process");
  }

  // ---- vault verify ----

  @Test
  void verifyReportsABlobWhoseBytesChanged() throws Exception {
    ImportResult r = importBytes(validBundle("a", "1.0"));
    var file = vault.catalog().files(r.version().id()).get(2);
    Path blob = vault.blobs().pathOf(file.sha256());
    byte[] bytes = Files.readAllBytes(blob);
    bytes[bytes.length / 2] ^= 1;
    Files.write(blob, bytes);

    VerifyReport report = vault.verify(Progress.NONE);

    assertThat(report.blobsChecked()).isEqualTo(5);
    assertThat(report.damage()).singleElement().satisfies(d -> {
      assertThat(d.expected()).isEqualTo(file.sha256());
      assertThat(d.problem()).startsWith("its content now hashes to ");
    });
  }

  private static int findHeader(byte[] tar, String name) {
    byte[] n = utf8(name);
    for (int off = 0; off + 512 <= tar.length; off += 512) {
      if (Arrays.equals(Arrays.copyOfRange(tar, off, off + n.length), n) && tar[off + n.length] == 0) return off;
    }
    throw new AssertionError("no header for " + name);
  }
}
