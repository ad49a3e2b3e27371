package dev.airlock.server.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.vault.Sha256;
import dev.airlock.vault.Vault;
import dev.airlock.vault.catalog.CatalogFile;
import dev.airlock.vault.catalog.ModelVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A vault version laid out for serving: read-only, byte for byte the vault's blobs, built atomically, reused. */
class ServableLayoutTest {
  @TempDir Path dir;
  private Vault vault;
  private TestBundles bundles;
  private ModelVersion version;

  @BeforeEach
  void importTinyModel() throws Exception {
    Path data = dir.resolve("data");
    bundles = TestBundles.trustedIn(data, dir.resolve("work"));
    vault = Vault.openEmbedded(data, Vault.Options.defaults());
    Path model = bundles.tinyLlamaDirectory("tiny");
    Files.createDirectories(model.resolve("tokenizer"));
    Files.writeString(model.resolve("tokenizer/notes.txt"), "a nested file keeps its relative path");
    version = bundles.importDirectory(vault, model, "tiny", "1.0");
  }

  @AfterEach
  void close() throws IOException {
    vault.close();
  }

  private ServableLayout layout(ServableLayout.Linker linker) throws IOException {
    return new ServableLayout(vault, dir.resolve("data/serve"), linker);
  }

  @Test
  void laysOutTheModelFilesAsReadOnlyHardLinksToTheVaultsBlobs() throws Exception {
    Path served = layout(Files::createLink).materialize(version.id());

    assertThat(served).isEqualTo(dir.resolve("data/serve").resolve(version.id()));
    assertThat(relativeFiles(served)).containsExactlyInAnyOrder("README.md", "tiny-llama.gguf", "tokenizer/notes.txt");
    for (CatalogFile f : vault.catalog().files(version.id())) {
      Path p = served.resolve(f.path().substring("model/".length()));
      assertThat(sha256(p)).as(f.path()).isEqualTo(f.sha256());
      assertThat(Files.getPosixFilePermissions(p)).isEqualTo(PosixFilePermissions.fromString("r--r--r--"));
      assertThat(Files.isSameFile(p, vault.blobs().pathOf(f.sha256()))).as("a hard link, not a copy").isTrue();
    }
    assertThat(ServableLayout.singleGguf(served)).isEqualTo(served.resolve("tiny-llama.gguf"));
    try (Stream<Path> s = Files.list(dir.resolve("data/serve"))) {
      assertThat(s.map(p -> p.getFileName().toString()).toList()).as("no build directory left").containsExactly(version.id());
    }
  }

  @Test
  void fallsBackToCheckedReadOnlyCopiesWhenHardLinksCannotBeMade() throws Exception {
    ServableLayout.Linker acrossFileSystems = (link, existing) -> {
      throw new java.nio.file.FileSystemException(link.toString(), existing.toString(), "Invalid cross-device link");
    };
    Path served = layout(acrossFileSystems).materialize(version.id());

    for (CatalogFile f : vault.catalog().files(version.id())) {
      Path p = served.resolve(f.path().substring("model/".length()));
      assertThat(Files.isSameFile(p, vault.blobs().pathOf(f.sha256()))).as("a copy").isFalse();
      assertThat(sha256(p)).as(f.path()).isEqualTo(f.sha256());
      assertThat(Files.getPosixFilePermissions(p)).isEqualTo(PosixFilePermissions.fromString("r--r--r--"));
    }
    // An intact copy is reused as it is.
    Object key = Files.readAttributes(served.resolve("tiny-llama.gguf"), "unix:ino").get("ino");
    layout(acrossFileSystems).materialize(version.id());
    assertThat(Files.readAttributes(served.resolve("tiny-llama.gguf"), "unix:ino").get("ino")).isEqualTo(key);
  }

  @Test
  void reusesAnIntactDirectoryAndRebuildsADamagedOne() throws Exception {
    ServableLayout layout = layout(Files::createLink);
    Path served = layout.materialize(version.id());
    Object dirKey = Files.readAttributes(served, "unix:ino").get("ino");
    assertThat(layout.materialize(version.id())).isEqualTo(served);
    assertThat(Files.readAttributes(served, "unix:ino").get("ino")).as("reused, not rebuilt").isEqualTo(dirKey);

    // A stray file, a missing file, a file made writable: each makes the directory be rebuilt whole.
    Files.writeString(served.resolve("stray.bin"), "not from the vault");
    Files.delete(served.resolve("README.md"));
    Path rebuilt = layout.materialize(version.id());
    assertThat(relativeFiles(rebuilt)).containsExactlyInAnyOrder("README.md", "tiny-llama.gguf", "tokenizer/notes.txt");

    Files.setPosixFilePermissions(rebuilt.resolve("README.md"), PosixFilePermissions.fromString("rw-r--r--"));
    layout.materialize(version.id());
    assertThat(Files.getPosixFilePermissions(rebuilt.resolve("README.md")))
        .isEqualTo(PosixFilePermissions.fromString("r--r--r--"));
  }

  @Test
  void aCopyWhoseBytesDifferFromTheCatalogIsRebuilt() throws Exception {
    ServableLayout.Linker noLinks = (link, existing) -> {
      throw new UnsupportedOperationException("no hard links on this file system");
    };
    Path served = layout(noLinks).materialize(version.id());
    Path readme = served.resolve("README.md");
    Files.setPosixFilePermissions(readme, PosixFilePermissions.fromString("rw-r--r--"));
    byte[] original = Files.readAllBytes(readme);
    byte[] tampered = original.clone();
    tampered[0] ^= 1;
    Files.write(readme, tampered);
    Files.setPosixFilePermissions(readme, PosixFilePermissions.fromString("r--r--r--"));

    layout(noLinks).materialize(version.id());
    assertThat(Files.readAllBytes(readme)).isEqualTo(original);
  }

  @Test
  void aMissingBlobIsAClearErrorAndLeavesNothingBehind() throws Exception {
    CatalogFile gguf = vault.catalog().files(version.id()).stream().filter(f -> f.path().endsWith(".gguf")).findFirst()
        .orElseThrow();
    Files.delete(vault.blobs().pathOf(gguf.sha256()));

    assertThatThrownBy(() -> layout(Files::createLink).materialize(version.id()))
        .isInstanceOf(IOException.class)
        .hasMessage("the vault has no blob for model/tiny-llama.gguf (sha256 " + gguf.sha256().hex()
            + "); run 'airlock vault verify' and re-import the bundle");
    try (Stream<Path> s = Files.list(dir.resolve("data/serve"))) {
      assertThat(s.toList()).isEmpty();
    }
  }

  @Test
  void theEmbeddedEngineNeedsExactlyOneGgufAndTheErrorNamesTheFiles() throws Exception {
    Path none = Files.createDirectories(dir.resolve("none"));
    Files.writeString(none.resolve("config.json"), "{}");
    Files.writeString(none.resolve("model.safetensors"), "x");
    assertThatThrownBy(() -> ServableLayout.singleGguf(none)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the embedded engine serves exactly one .gguf file, but this version has none among its files"
            + " [config.json, model.safetensors]; serve it with the vllm backend, or import a bundle with a single"
            + " GGUF file");
    Path two = Files.createDirectories(dir.resolve("two"));
    Files.writeString(two.resolve("a.gguf"), "x");
    Files.writeString(two.resolve("b.GGUF"), "x");
    assertThatThrownBy(() -> ServableLayout.singleGguf(two)).hasMessageContaining("this version has 2 among its files"
        + " [a.gguf, b.GGUF]");
  }

  @Test
  void refusesAnythingButAVersionIdAsADirectoryName() throws Exception {
    assertThatThrownBy(() -> layout(Files::createLink).materialize("../../etc"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("'../../etc' is not a catalog version id");
  }

  private static List<String> relativeFiles(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).toList();
    }
  }

  private static Sha256 sha256(Path p) throws IOException {
    try (InputStream in = Files.newInputStream(p)) {
      return Sha256.of(in);
    }
  }
}
