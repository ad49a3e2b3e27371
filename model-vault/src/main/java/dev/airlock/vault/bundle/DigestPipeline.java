package dev.airlock.vault.bundle;

import dev.airlock.vault.Sha256;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Hashes and writes file contents on worker threads while the tar is read on the caller's thread,
 * so reading, hashing and writing overlap, and several files hash on several cores. Memory is
 * bounded by a fixed pool of buffers: the reader waits when the workers fall behind.
 */
final class DigestPipeline implements AutoCloseable {
  /** Big enough that per-call overhead vanishes next to SHA-256 and write(2). */
  static final int BUFFER_SIZE = 1 << 20;
  /** 16 MiB in flight at most: keeps the heap bounded for any bundle size. */
  static final int BUFFERS = 16;
  /** Tar reading is sequential; more than a few hashing threads cannot be fed. */
  static final int MAX_WORKERS = 4;

  private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(BUFFERS);
  private final List<Worker> workers = new ArrayList<>();
  private final List<Lane> lanes = new ArrayList<>();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  DigestPipeline() {
    for (int i = 0; i < BUFFERS; i++) free.add(new byte[BUFFER_SIZE]);
    int n = Math.max(1, Math.min(MAX_WORKERS, Runtime.getRuntime().availableProcessors()));
    for (int i = 0; i < n; i++) {
      Worker w = new Worker("airlock-digest-" + i);
      workers.add(w);
      w.thread.start();
    }
  }

  /** A free buffer, waiting for one if all are in flight. */
  byte[] buffer() throws IOException {
    rethrowFailure();
    try {
      byte[] b = free.take();
      rethrowFailure();
      return b;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while reading the bundle");
    }
  }

  void release(byte[] buffer) {
    free.offer(buffer);
  }

  /** Starts a file; its chunks go to the least busy worker, in order. */
  Lane open(String path, Optional<FileSink> sink) {
    Worker w = workers.get(0);
    for (Worker candidate : workers) {
      if (candidate.pendingBytes.get() < w.pendingBytes.get()) w = candidate;
    }
    Lane lane = new Lane(path, w, sink);
    lanes.add(lane);
    return lane;
  }

  private void rethrowFailure() throws IOException {
    Throwable t = failure.get();
    if (t != null) throw new SinkFailure(t.getMessage(), t);
  }

  /** Writing a file's bytes failed (disk full, I/O error): not the bundle's fault. */
  static final class SinkFailure extends IOException {
    SinkFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** One file in flight: its digest and its sink live on one worker. */
  final class Lane {
    private final String path;
    private final Worker worker;
    private final Optional<FileSink> sink;
    private final MessageDigest sha = Sha256.newDigest();
    private final CompletableFuture<Sha256> digest = new CompletableFuture<>();
    private volatile boolean failed;
    private boolean completed;

    private Lane(String path, Worker worker, Optional<FileSink> sink) {
      this.path = path;
      this.worker = worker;
      this.sink = sink;
    }

    void submit(byte[] buffer, int length) {
      worker.pendingBytes.addAndGet(length);
      worker.queue.add(() -> {
        try {
          if (!failed) {
            sha.update(buffer, 0, length);
            if (sink.isPresent()) {
              ByteBuffer bb = ByteBuffer.wrap(buffer, 0, length);
              while (bb.hasRemaining()) sink.get().write(bb);
            }
          }
        } catch (IOException | RuntimeException e) {
          fail(new SinkFailure("cannot write " + path + ": " + e.getMessage(), e));
        } finally {
          worker.pendingBytes.addAndGet(-length);
          release(buffer);
        }
      });
    }

    /** The digest of everything submitted, once the worker got there. */
    CompletableFuture<Sha256> finish() {
      worker.queue.add(() -> {
        if (failed) return;
        digest.complete(new Sha256(HexFormat.of().formatHex(sha.digest())));
      });
      return digest;
    }

    /** Called by the reader once the digest is known to match. */
    void complete() throws IOException {
      completed = true;
      if (sink.isPresent()) sink.get().complete();
    }

    void abandon() {
      sink.ifPresent(FileSink::abandon);
    }

    private void fail(IOException e) {
      failed = true;
      failure.compareAndSet(null, e);
      digest.completeExceptionally(e);
    }
  }

  private static final Runnable STOP = () -> {};

  private static final class Worker {
    final Thread thread;
    final BlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    final AtomicLong pendingBytes = new AtomicLong();

    Worker(String name) {
      thread = new Thread(this::run, name);
      thread.setDaemon(true);
    }

    private void run() {
      try {
        for (Runnable task; (task = queue.take()) != STOP; ) task.run();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Stops the workers after the work queued so far; closes sinks that were never completed. */
  @Override
  public void close() {
    for (Worker w : workers) w.queue.add(STOP);
    for (Worker w : workers) {
      try {
        w.thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (Lane lane : lanes) {
      if (!lane.completed) lane.abandon();
    }
  }
}
