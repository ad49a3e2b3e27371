package dev.airlock.vault.testing;

import dev.airlock.vault.Progress;
import dev.airlock.vault.Sha256;
import dev.airlock.vault.bundle.BundleFile;
import dev.airlock.vault.bundle.BundleManifest;
import dev.airlock.vault.bundle.BundlePaths;
import dev.airlock.vault.bundle.BundleWriter;
import dev.airlock.vault.bundle.TransferSignature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.airlock.vault.signing.SigningKey;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Test bundles: real ones made by {@link BundleWriter}, and hand-made bad ones, all signed. */
public final class Bundles {
  public static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");

  private Bundles() {}

  public static SigningKey newKey() {
    return SigningKey.generate(dev.airlock.vault.signing.Curve.P256);
  }

  /** A small model directory: config, tokenizer, two weight shards, a nested file. */
  public static Path modelDir(Path parent, String seed) throws IOException {
    Path dir = Files.createDirectories(parent.resolve("model-" + seed));
    Files.writeString(dir.resolve("config.json"), "{\"model_type\":\"llama\",\"seed\":\"" + seed + "\"}");
    Files.writeString(dir.resolve("tokenizer.json"), "{\"version\":\"1.0\"}");
    Files.write(dir.resolve("model-00001-of-00002.safetensors"), safetensors(seed + "1", 75_000));
    Files.write(dir.resolve("model-00002-of-00002.safetensors"), safetensors(seed + "2", 17_500));
    Files.createDirectories(dir.resolve("extra"));
    Files.writeString(dir.resolve("extra/README.md"), "# " + seed + "\n");
    return dir;
  }

  /** A valid safetensors file: one F32 tensor of {@code floats} random values. */
  public static byte[] safetensors(String seed, int floats) {
    byte[] header = ("{\"w." + seed + "\":{\"dtype\":\"F32\",\"shape\":[" + floats
        + "],\"data_offsets\":[0," + (4L * floats) + "]}}").getBytes(StandardCharsets.UTF_8);
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + header.length + 4 * floats)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.putLong(header.length).put(header).put(random(seed, 4 * floats));
    return b.array();
  }

  public static byte[] random(String seed, int n) {
    byte[] b = new byte[n];
    new java.util.Random(seed.hashCode()).nextBytes(b);
    return b;
  }

  public static Path create(Path modelDir, String name, String version, SigningKey key, Path out)
      throws IOException {
    try (OutputStream o = Files.newOutputStream(out)) {
      BundleWriter.write(modelDir, Optional.empty(),
          new BundleWriter.Description(name, version, "Example Labs", "FR", Optional.of("https://example.org/m")),
          key, Clock.fixed(NOW, java.time.ZoneOffset.UTC), o, Progress.NONE);
    }
    return out;
  }

  /** A signed manifest declaring these files (path -> content). */
  public static BundleManifest manifest(Map<String, byte[]> declared) {
    List<BundleFile> files = new ArrayList<>();
    declared.forEach((p, c) -> files.add(new BundleFile(p, c.length, Sha256.of(c))));
    return manifestOf(files);
  }

  public static BundleManifest manifestOf(List<BundleFile> files) {
    return new BundleManifest(1, UUID.randomUUID().toString(), NOW, "tiny", "1.0", "Example Labs",
        "FR", Optional.empty(), files);
  }

  /** Starts a hand-made tar with a correctly signed manifest first. */
  public static RawTar signedStart(BundleManifest manifest, SigningKey key) {
    byte[] json = manifest.toJson();
    return new RawTar().file(BundlePaths.MANIFEST, json)
        .file(BundlePaths.SIGNATURE, TransferSignature.sign(json, manifest, key));
  }

  public static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  public static byte[] bytes(Path p) throws IOException {
    return Files.readAllBytes(p);
  }

  public static ByteArrayOutputStream buffer() {
    return new ByteArrayOutputStream();
  }
}
