package dev.airlock.vault.bench;

import dev.airlock.vault.ImportResult;
import dev.airlock.vault.Progress;
import dev.airlock.vault.Vault;
import dev.airlock.vault.bundle.BundleWriter;
import dev.airlock.vault.signing.Curve;
import dev.airlock.vault.signing.SigningKey;
import dev.airlock.vault.signing.VerifyingKey;
import dev.airlock.vault.trust.TrustRole;
import dev.airlock.vault.trust.TrustStore;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The bundle import benchmark's Java side (a load generator, not a test): generate random
 * weights, pack them into a bundle, import a bundle and report time and peak heap. The shell
 * script {@code model-vault/bench/bundle-import.sh} runs it next to sha256sum and cp.
 */
public final class ImportBenchmark {
  private ImportBenchmark() {}

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "generate" -> generate(Path.of(args[1]), Long.parseLong(args[2]), Integer.parseInt(args[3]));
      case "bundle" -> bundle(Path.of(args[1]), Path.of(args[2]), Path.of(args[3]));
      case "import" -> importBundle(Path.of(args[1]), Path.of(args[2]), Path.of(args[3]));
      default -> throw new IllegalArgumentException("generate | bundle | import");
    }
  }

  /** {@code files} safetensors files of random F32 data, {@code totalMiB} in all, plus a config. */
  static void generate(Path dir, long totalMiB, int files) throws Exception {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("config.json"),
        "{\"architectures\":[\"LlamaForCausalLM\"],\"model_type\":\"llama\",\"torch_dtype\":\"float32\"}");
    long perFile = (totalMiB << 20) / files / 4 * 4;
    SplittableRandom random = new SplittableRandom(42);
    byte[] chunk = new byte[1 << 20];
    for (int i = 0; i < files; i++) {
      String name = String.format("model-%05d-of-%05d.safetensors", i + 1, files);
      byte[] header = ("{\"w" + i + "\":{\"dtype\":\"F32\",\"shape\":[" + perFile / 4
          + "],\"data_offsets\":[0," + perFile + "]}}").getBytes(StandardCharsets.UTF_8);
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(dir.resolve(name)), 1 << 20)) {
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
        out.write(header);
        for (long left = perFile; left > 0; ) {
          ByteBuffer b = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
          while (b.remaining() >= 8) b.putLong(random.nextLong());
          int n = (int) Math.min(chunk.length, left);
          out.write(chunk, 0, n);
          left -= n;
        }
      }
    }
  }

  static void bundle(Path modelDir, Path out, Path keyDir) throws Exception {
    SigningKey key = SigningKey.generate(Curve.P256);
    Files.createDirectories(keyDir);
    Files.writeString(keyDir.resolve("public.pem"), key.verifyingKey().toPem());
    try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(out), 1 << 20)) {
      BundleWriter.write(modelDir, Optional.empty(), new BundleWriter.Description("bench-model",
          "1.0", "Benchmark Labs", "FR", Optional.empty()), key, Clock.systemUTC(), o, Progress.NONE);
    }
  }

  static void importBundle(Path bundle, Path dataDir, Path publicPem) throws Exception {
    TrustStore.open(dataDir, Clock.systemUTC()).addKey("bench", TrustRole.TRANSFER,
        VerifyingKey.fromPem(publicPem).publicKey(), Optional.empty(), Optional.empty());
    try (Vault vault = Vault.openEmbedded(dataDir, Vault.Options.defaults())) {
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) pool.resetPeakUsage();
      long start = System.nanoTime();
      ImportResult r = vault.importBundle(bundle, "bench", Progress.NONE);
      long nanos = System.nanoTime() - start;
      long peakHeap = 0;
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP) peakHeap += pool.getPeakUsage().getUsed();
      }
      System.out.printf("import_ms=%d bytes=%d files=%d max_heap_mib=%d peak_heap_mib=%d outcome=%s%n",
          nanos / 1_000_000, r.bytes(), r.files(), Runtime.getRuntime().maxMemory() >> 20,
          peakHeap >> 20, r.outcome());
    }
  }
}
