package dev.airlock.server.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.server.ApplianceConfig;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The gateway's durable audit trail until the Merkle audit log is wired in: JSON lines in
 * {@code <data dir>/audit/gateway.jsonl}, each batch written and fsynced before any caller in it
 * returns (group commit: concurrent requests share one fsync). The file is opened for every batch,
 * so storage that becomes unusable fails the next append instead of writing into a stale handle.
 */
@Singleton
public class FileAuditTrail implements AuditTrail, AutoCloseable {
  /** How long a request waits for its record to be durable before the gateway answers 503. */
  static final long APPEND_TIMEOUT_MS = 5_000;

  private static final ObjectMapper JSON = new ObjectMapper();

  private record Pending(byte[] line, CompletableFuture<Long> done) {}

  private final Path file;
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Thread writer;
  private long nextIndex;
  private volatile boolean closed;

  public FileAuditTrail(ApplianceConfig config) {
    this.file = config.getDataDir().toAbsolutePath().normalize().resolve("audit").resolve("gateway.jsonl");
    try {
      Files.createDirectories(file.getParent());
      nextIndex = Files.exists(file) ? countLines(file) : 0;
    } catch (IOException e) {
      throw new IllegalStateException("cannot open the audit trail at " + file
          + ": check that the data directory is writable", e);
    }
    writer = Thread.ofPlatform().daemon().name("audit-writer").start(this::writeLoop);
  }

  public Path file() {
    return file;
  }

  @Override
  public long append(AuditEvent event) throws AuditUnavailableException {
    if (closed) throw new AuditUnavailableException("the audit trail is closed", null);
    ObjectNode rec = JSON.createObjectNode();
    rec.put("time", Instant.now().toString());
    rec.put("type", event.type());
    rec.put("subject", event.subject());
    rec.set("fields", JSON.valueToTree(event.fields()));
    rec.set("payload", JSON.valueToTree(event.payload()));
    byte[] line;
    try {
      line = (JSON.writeValueAsString(rec) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AuditUnavailableException("cannot encode an audit record: " + e.getMessage(), e);
    }
    Pending p = new Pending(line, new CompletableFuture<>());
    queue.add(p);
    try {
      return p.done.get(APPEND_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new AuditUnavailableException("the audit trail cannot write " + file + ": " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new AuditUnavailableException("the audit trail did not confirm a write within " + APPEND_TIMEOUT_MS + " ms", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AuditUnavailableException("interrupted while waiting for the audit trail", e);
    }
  }

  private void writeLoop() {
    List<Pending> batch = new ArrayList<>();
    while (!closed || !queue.isEmpty()) {
      try {
        Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) continue;
        batch.add(first);
        queue.drainTo(batch);
        writeBatch(batch);
      } catch (InterruptedException e) {
        if (closed) break;
      } finally {
        batch.clear();
      }
    }
  }

  private void writeBatch(List<Pending> batch) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      for (Pending p : batch) {
        ByteBuffer buf = ByteBuffer.wrap(p.line);
        while (buf.hasRemaining()) ch.write(buf);
      }
      ch.force(false);
    } catch (IOException | RuntimeException e) {
      for (Pending p : batch) p.done.completeExceptionally(e);
      return;
    }
    for (Pending p : batch) p.done.complete(nextIndex++);
  }

  /** Every record written so far, oldest first (for the admin API and tests). */
  public List<ObjectNode> records() throws IOException {
    List<ObjectNode> out = new ArrayList<>();
    if (!Files.exists(file)) return out;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) out.add((ObjectNode) JSON.readTree(line));
    }
    return out;
  }

  private static long countLines(Path f) throws IOException {
    try (var lines = Files.lines(f, StandardCharsets.UTF_8)) {
      return lines.count();
    }
  }

  @PreDestroy
  @Override
  public void close() {
    closed = true;
    writer.interrupt();
  }
}
