package dev.airlock.license.bench;

import dev.airlock.license.LicenseAudit;
import dev.airlock.license.LicenseReport;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Warm license scans of the fixture model directories. Run with {@link SpdxFullListBaseline} (the
 * slow path the scanner avoids) in one JMH run, as docs/benchmarks.md shows. Each model directory also holds a
 * 4 GiB sparse weights file, which a scan must not read.
 *
 * <p>Run: see docs/benchmarks.md, "License scan".
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "-Dorg.spdx.useJARLicenseInfoOnly=true")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class LicenseScanBenchmark {
  /** Big enough that reading it would dominate the timing: proof that weights are not read. */
  private static final long WEIGHTS_BYTES = 4L << 30;

  @Param({"qwen3-apache", "llama31-finetune", "mit-llama-distill", "gemma", "cc-by-nc", "unknown-license"})
  public String model;

  private Path dir;

  @Setup(Level.Trial)
  public void setUp() throws IOException, URISyntaxException {
    Path fixture = Path.of(LicenseScanBenchmark.class.getResource("/fixtures/models/" + model).toURI());
    dir = Files.createTempDirectory("airlock-bench-" + model);
    try (Stream<Path> files = Files.list(fixture)) {
      for (Path f : files.toList()) Files.copy(f, dir.resolve(f.getFileName()));
    }
    try (RandomAccessFile weights = new RandomAccessFile(dir.resolve("model.safetensors").toFile(), "rw")) {
      weights.setLength(WEIGHTS_BYTES);
    }
    LicenseAudit.warmUp();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) Files.delete(f);
    }
    Files.delete(dir);
  }

  @Benchmark
  public LicenseReport scanModelDirectory() {
    return LicenseAudit.scan(dir);
  }

}
