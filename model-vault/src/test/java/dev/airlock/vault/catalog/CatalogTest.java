package dev.airlock.vault.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.airlock.vault.Sha256;
import dev.airlock.vault.catalog.LifecycleState;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The catalog's SQL on both databases Airlock runs on: embedded H2 and PostgreSQL. */
class CatalogTest {
  static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
  @TempDir static Path tmp;

  static Stream<Arguments> databases() {
    return Stream.of(Arguments.of("H2"), Arguments.of("PostgreSQL"));
  }

  private static DataSource database(String kind) {
    if (kind.equals("H2")) return VaultSchema.embedded(tmp.resolve("h2-" + System.nanoTime()));
    Optional<DataSource> pg = Databases.freshPostgresSchema();
    assumeTrue(pg.isPresent(), "PostgreSQL not reachable at " + Databases.url() + ": skipped");
    return pg.get();
  }

  private static Catalog migratedCatalog(String kind) {
    DataSource ds = database(kind);
    VaultSchema.migrate(ds);
    return new Catalog(ds, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  static Catalog.NewVersion version(String name, String v, String bundleId, String signer, byte[]... contents) {
    List<CatalogFile> files = new java.util.ArrayList<>();
    long total = 0;
    for (int i = 0; i < contents.length; i++) {
      files.add(new CatalogFile("model/f" + i, contents[i].length, Sha256.of(contents[i])));
      total += contents[i].length;
    }
    Provenance p = new Provenance("Example Labs", "FR", Optional.of("https://example.org"), bundleId,
        Sha256.of(bundleId.getBytes()).hex(), NOW, "org-transfer", signer,
        PublisherSignature.absent(), NOW, "alice");
    return new Catalog.NewVersion(name, v, total, p, files, Optional.empty());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void recordsAnImportWithProvenanceFilesAndSharedBlobs(String kind) throws SQLException {
    Catalog catalog = migratedCatalog(kind);
    byte[] shared = "tokenizer".getBytes();
    LifecycleEvent first = catalog.recordImport(version("m", "1", "b-1", "aa", shared, "w1".getBytes()));
    catalog.recordImport(version("m", "2", "b-2", "aa", shared, "w2".getBytes()));

    assertThat(first.from()).isEmpty();
    assertThat(first.to()).isEqualTo(LifecycleState.IMPORTED);
    assertThat(catalog.list()).extracting(ModelVersion::version).containsExactly("1", "2");
    assertThat(catalog.blobs()).hasSize(3);
    ModelVersion v = catalog.findByBundleId("b-1").orElseThrow();
    assertThat(v.provenance().publisher()).isEqualTo("Example Labs");
    assertThat(v.provenance().importedAt()).isEqualTo(NOW);
    assertThat(v.provenance().source()).contains("https://example.org");
    assertThat(catalog.files(v.id())).extracting(CatalogFile::path).containsExactly("model/f0", "model/f1");
    assertThat(catalog.find("m", "2")).isPresent();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aVersionGoesThroughItsLifeAndEveryStepIsAnEvent(String kind) throws SQLException {
    Catalog catalog = migratedCatalog(kind);
    String id = catalog.recordImport(version("m", "1", "b-1", "aa", "x".getBytes())).versionId();

    for (LifecycleState to : List.of(LifecycleState.UNDER_REVIEW, LifecycleState.APPROVED,
        LifecycleState.ACTIVE, LifecycleState.RETIRED)) {
      LifecycleEvent e = catalog.transition(id, to, "dpo", Optional.of("ok"));
      assertThat(e.to()).isEqualTo(to);
      assertThat(e.modelName()).isEqualTo("m");
    }

    assertThat(catalog.history(id)).extracting(LifecycleEvent::to).containsExactly(
        LifecycleState.IMPORTED, LifecycleState.UNDER_REVIEW, LifecycleState.APPROVED,
        LifecycleState.ACTIVE, LifecycleState.RETIRED);
    assertThat(catalog.history(id).get(2).from()).contains(LifecycleState.UNDER_REVIEW);
    assertThat(catalog.find(id).orElseThrow().state()).isEqualTo(LifecycleState.RETIRED);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void refusesATransitionTheTableDoesNotAllow(String kind) throws SQLException {
    Catalog catalog = migratedCatalog(kind);
    String id = catalog.recordImport(version("m", "1", "b-1", "aa", "x".getBytes())).versionId();

    assertThatThrownBy(() -> catalog.transition(id, LifecycleState.ACTIVE, "op", Optional.empty()))
        .isInstanceOf(IllegalTransitionException.class)
        .hasMessage("m 1 is IMPORTED and cannot become ACTIVE; from IMPORTED it can become "
            + LifecycleState.IMPORTED.allowedNext());
    assertThat(catalog.history(id)).hasSize(1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void flagsEveryVersionARevokedKeyVouchedFor(String kind) throws SQLException {
    Catalog catalog = migratedCatalog(kind);
    catalog.recordImport(version("m", "1", "b-1", "aa", "x".getBytes()));
    catalog.recordImport(version("m", "2", "b-2", "bb", "y".getBytes()));

    assertThat(catalog.flagSignedBy("aa", "key aa revoked")).isEqualTo(1);

    assertThat(catalog.find("m", "1").orElseThrow().flag()).hasValueSatisfying(f ->
        assertThat(f.reason()).isEqualTo("key aa revoked"));
    assertThat(catalog.find("m", "2").orElseThrow().flag()).isEmpty();
  }
}
