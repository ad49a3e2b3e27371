package dev.airlock.audit.bench;

import dev.airlock.audit.AuditKeys;
import dev.airlock.audit.AuditLog;
import dev.airlock.audit.AuditLogOptions;
import dev.airlock.audit.AuditLogReader;
import dev.airlock.audit.AuditRecord;
import dev.airlock.audit.Actor;
import dev.airlock.audit.MerkleHash;
import dev.airlock.audit.VerificationReport;
import dev.airlock.audit.note.NoteVerifier;
import dev.airlock.audit.proof.InclusionProof;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load generator for the audit log (a benchmark, not a test). Modes:
 *
 * <pre>
 * append  DIR SECONDS THREADS...   durable 1 KiB appends/s for each thread count, 3 runs each, medians
 * verify  DIR ENTRIES              full verification leaves/s of a fresh ENTRIES-entry log, 3 runs
 * prove   DIR ENTRIES              inclusion proof latency in a log of ENTRIES small entries (built once)
 * </pre>
 * Results are printed as plain lines; docs/benchmarks.md records them with the command.
 */
public final class AuditLogLoad {
  static AuditKeys KEYS;
  static final byte[] KIB = new byte[1024];

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[1]);
    Files.createDirectories(dir);
    KEYS = AuditKeys.loadOrGenerate(dir.resolve("bench.keys"), "airlock.bench/audit"); // logs are reused between runs
    switch (args[0]) {
      case "append" -> append(dir, Integer.parseInt(args[2]), Arrays.stream(args, 3, args.length).mapToInt(Integer::parseInt).toArray());
      case "verify" -> verify(dir, Long.parseLong(args[2]));
      case "prove" -> prove(dir, Long.parseLong(args[2]));
      case "scan" -> scan(dir, Long.parseLong(args[2]));
      default -> throw new IllegalArgumentException("mode must be append, verify or prove");
    }
  }

  static AuditRecord record(long i, byte[] payload) {
    return AuditRecord.builder("inference.request").actor(Actor.app("bench")).subject("subject-" + (i % 1000))
        .model("llama-3-8b").requestId("r" + i).payload(payload).build();
  }

  static void deleteTree(Path p) throws Exception {
    if (Files.exists(p)) {
      try (var s = Files.walk(p)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    s.sort(null);
    return s.get(s.size() / 2);
  }

  static void append(Path dir, int seconds, int[] threadCounts) throws Exception {
    for (int round = 0; round < 3; round++) {
      for (int threads : threadCounts) {
        Path logDir = dir.resolve("append-" + threads + "-" + round);
        deleteTree(logDir);
        double rate = appendRun(logDir, seconds, threads);
        System.out.printf("append threads=%d run=%d appends/s=%.0f%n", threads, round, rate);
        results.computeIfAbsent(threads, k -> new ArrayList<>()).add(rate);
        deleteTree(logDir);
      }
    }
    for (int threads : threadCounts) {
      System.out.printf("append threads=%d median appends/s=%.0f (runs %s)%n", threads, median(results.get(threads)),
          results.get(threads));
    }
  }

  static final java.util.Map<Integer, List<Double>> results = new java.util.TreeMap<>();

  static double appendRun(Path logDir, int seconds, int threads) throws Exception {
    try (AuditLog log = AuditLog.open(logDir, KEYS, AuditLogOptions.defaults())) {
      AtomicBoolean measuring = new AtomicBoolean();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong count = new AtomicLong();
      CountDownLatch done = new CountDownLatch(threads);
      for (int t = 0; t < threads; t++) {
        Thread.ofVirtual().start(() -> {
          long i = 0;
          while (!stop.get()) {
            log.append(record(i++, KIB));
            if (measuring.get()) {
              count.incrementAndGet();
            }
          }
          done.countDown();
        });
      }
      Thread.sleep(2000); // warm-up: JIT, file growth
      measuring.set(true);
      long start = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      long n = count.get();
      double elapsed = (System.nanoTime() - start) / 1e9;
      stop.set(true);
      done.await();
      return n / elapsed;
    }
  }

  static void verify(Path dir, long entries) throws Exception {
    Path logDir = dir.resolve("verify-" + entries);
    if (!Files.exists(logDir)) {
      try (AuditLog log = AuditLog.open(logDir, KEYS, AuditLogOptions.defaults())) {
        fill(log, entries, KIB);
      }
    }
    NoteVerifier v = NoteVerifier.parse(KEYS.verifierKey());
    List<Double> rates = new ArrayList<>();
    List<Double> baselines = new ArrayList<>();
    byte[] sample = AuditLogReader.open(logDir).checkpointNotes().isEmpty() ? new byte[1100] : firstLeaf(logDir);
    for (int run = 0; run < 3; run++) {
      // Baseline in the same run: one thread doing nothing but SHA-256 over leaf-sized buffers, to
      // show how much CPU this shared machine gives right now.
      long b0 = System.nanoTime();
      for (int k = 0; k < 200_000; k++) {
        MerkleHash.leaf(sample);
      }
      double baseline = 200_000 / ((System.nanoTime() - b0) / 1e9);
      baselines.add(baseline);
      long start = System.nanoTime();
      VerificationReport r = AuditLogReader.open(logDir).verify(v);
      double elapsed = (System.nanoTime() - start) / 1e9;
      if (!r.ok()) {
        throw new IllegalStateException(r.problem().toString());
      }
      double rate = r.entries() / elapsed;
      rates.add(rate);
      System.out.printf("verify entries=%d run=%d seconds=%.2f leaves/s=%.0f baseline sha256-only 1 thread=%.0f/s ratio=%.2f%n",
          r.entries(), run, elapsed, rate, baseline, rate / baseline);
    }
    System.out.printf("verify entries=%d median leaves/s=%.0f median baseline=%.0f/s (leaf %d bytes)%n", entries,
        median(rates), median(baselines), sample.length);
  }

  /** Reading alone (frames, checksums), no hashing: where verification's sequential part stands. */
  static void scan(Path dir, long entries) {
    Path logDir = dir.resolve("verify-" + entries);
    for (int run = 0; run < 3; run++) {
      long start = System.nanoTime();
      long n = AuditLogReader.open(logDir).entries(0, Long.MAX_VALUE, (i, leaf) -> {});
      double elapsed = (System.nanoTime() - start) / 1e9;
      System.out.printf("scan entries=%d run=%d leaves/s=%.0f%n", n, run, n / elapsed);
    }
  }

  static byte[] firstLeaf(Path logDir) {
    byte[][] out = new byte[1][];
    AuditLogReader.open(logDir).entries(0, 1, (i, leaf) -> out[0] = leaf);
    return out[0];
  }

  /** Appends from 512 virtual threads until the log holds {@code entries}. */
  static void fill(AuditLog log, long entries, byte[] payload) throws Exception {
    AtomicLong next = new AtomicLong(log.size());
    int threads = 512; // enough concurrent appenders for large group commits
    CountDownLatch done = new CountDownLatch(threads);
    long start = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      Thread.ofVirtual().start(() -> {
        long i;
        while ((i = next.getAndIncrement()) < entries) {
          log.append(record(i, payload));
          if (i % 1_000_000 == 0 && i > 0) {
            System.out.printf("  filled %d entries, %.0f s%n", i, (System.nanoTime() - start) / 1e9);
          }
        }
        done.countDown();
      });
    }
    done.await();
  }

  static void prove(Path dir, long entries) throws Exception {
    Path logDir = dir.resolve("prove-" + entries);
    try (AuditLog log = AuditLog.open(logDir, KEYS, AuditLogOptions.defaults())) {
      if (log.size() < entries) {
        fill(log, entries, new byte[16]);
      }
      long size = log.checkpoint().size();
      Random rnd = new Random(42);
      int proofs = 20_000;
      long[] nanos = new long[proofs];
      long[] verifyNanos = new long[proofs];
      for (int k = 0; k < proofs; k++) {
        long i = (rnd.nextLong() & Long.MAX_VALUE) % size;
        long t0 = System.nanoTime();
        InclusionProof p = log.proveInclusion(i, size);
        long t1 = System.nanoTime();
        p.verify(MerkleHash.leaf(log.leaf(i)), log.rootHash(size));
        long t2 = System.nanoTime();
        nanos[k] = t1 - t0;
        verifyNanos[k] = t2 - t1;
      }
      // The first 2,000 proofs warm the JIT and the page cache; report the rest.
      long[] gen = Arrays.copyOfRange(nanos, 2000, proofs);
      Arrays.sort(gen);
      System.out.printf("prove size=%d proofs=%d median=%.1f us p99=%.1f us max=%.1f us (hashes per proof ~%d)%n",
          size, gen.length, gen[gen.length / 2] / 1e3, gen[(int) (gen.length * 0.99)] / 1e3, gen[gen.length - 1] / 1e3,
          64 - Long.numberOfLeadingZeros(size - 1));
      // Baseline in the same run: the same number of iterations of pure CPU work of similar size
      // (24 SHA-256 node hashes in memory, no I/O). Its tail shows what scheduling on this shared
      // machine alone does to a ~30 us task.
      long[] base = new long[proofs];
      byte[] h = new byte[32];
      for (int k = 0; k < proofs; k++) {
        long t0 = System.nanoTime();
        for (int j = 0; j < 24; j++) {
          h = MerkleHash.node(h, h);
        }
        base[k] = System.nanoTime() - t0;
      }
      long[] b = Arrays.copyOfRange(base, 2000, proofs);
      Arrays.sort(b);
      System.out.printf("baseline 24 in-memory node hashes: median=%.1f us p99=%.1f us max=%.1f us%n",
          b[b.length / 2] / 1e3, b[(int) (b.length * 0.99)] / 1e3, b[b.length - 1] / 1e3);
      long[] cold = Arrays.copyOfRange(nanos, 0, 2000);
      Arrays.sort(cold);
      System.out.printf("prove first 2000 (cold) median=%.1f us p99=%.1f us%n", cold[cold.length / 2] / 1e3,
          cold[(int) (cold.length * 0.99)] / 1e3);
    }
  }

}
