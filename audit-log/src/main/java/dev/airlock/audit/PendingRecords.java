package dev.airlock.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Records left for the audit log by a process that does not write it: the CLI changing a stopped
 * server's data directory ({@code airlock bundle import --data-dir}, {@code airlock trust add}).
 * Each is one file in {@code <audit dir>/pending/}, written whole and fsync'd before the caller
 * goes on, and appended (sealed, in the order they were left) by the next {@link AuditLog#open},
 * which deletes each file once its entry is durable. Until then the record is in plaintext on the
 * appliance's disk, as the change it describes is.
 *
 * <p>A crash while the log appends them can append one of them twice (two equal entries, with the
 * time the record was left); none is lost. A file that cannot be read back is kept, renamed
 * {@code *.unreadable}, and its name is recorded as {@code audit.pending_unreadable}.
 */
public final class PendingRecords {
  /** The directory inside the audit log's directory. */
  public static final String DIRECTORY = "pending";
  static final String TYPE_UNREADABLE = "audit.pending_unreadable";
  /** Records of administrative changes are small; far below what one entry may hold. */
  static final int MAX_PAYLOAD_BYTES = 1 << 20;
  private static final String SUFFIX = ".json";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final System.Logger LOG = System.getLogger(PendingRecords.class.getName());

  private PendingRecords() {}

  /**
   * Leaves {@code record} for the audit log in {@code auditDir} (see {@link AuditLog#directoryIn}).
   * When this returns the record is durable; when it throws, nothing was left.
   */
  public static void leave(Path auditDir, AuditRecord record) throws IOException {
    if (record.payload().length > MAX_PAYLOAD_BYTES) {
      throw new IllegalArgumentException("a pending " + record.type() + " record may carry " + MAX_PAYLOAD_BYTES
          + " bytes of payload, not " + record.payload().length);
    }
    Path dir = auditDir.resolve(DIRECTORY);
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir);
      DirectorySync.force(auditDir); // a new directory's own entry must survive a crash too
    }
    // Names sort in the order records were left: nanoseconds since the epoch, zero-padded.
    Instant now = Instant.now();
    String name = String.format("%020d-%s", now.getEpochSecond() * 1_000_000_000L + now.getNano(), UUID.randomUUID());
    Path tmp = dir.resolve(name + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(JSON.writeValueAsBytes(toJson(record))));
      ch.force(true);
    }
    try {
      Files.move(tmp, dir.resolve(name + SUFFIX), StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.delete(tmp);
      throw e;
    }
    DirectorySync.force(dir);
  }

  /**
   * Appends every record left in {@code auditDir} to {@code log}, oldest first, deleting each file
   * once its entry is durable, and returns how many were appended.
   *
   * @throws AuditLogException when the log cannot append one: it and the ones after it stay
   */
  static int appendAll(AuditLog log, Path auditDir) throws IOException {
    Path dir = auditDir.resolve(DIRECTORY);
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String name = p.getFileName().toString();
        if (name.endsWith(SUFFIX)) {
          files.add(p);
        } else if (name.endsWith(".tmp")) {
          Files.delete(p); // a leave() that died before its rename: never acknowledged, so never appended
        }
      }
    }
    files.sort(null);
    int appended = 0;
    for (Path file : files) {
      AuditRecord record;
      try {
        record = fromJson(JSON.readTree(Files.readAllBytes(file)));
      } catch (IOException | RuntimeException e) {
        Path kept = file.resolveSibling(file.getFileName() + ".unreadable");
        Files.move(file, kept, StandardCopyOption.ATOMIC_MOVE);
        LOG.log(System.Logger.Level.ERROR, "audit log " + auditDir + ": a pending record could not be read ("
            + e.getMessage() + "); it is kept as " + kept + " and was not added to the log");
        log.append(AuditRecord.builder(TYPE_UNREADABLE).status("error")
            .indexField("file", kept.getFileName().toString()).indexField("error", String.valueOf(e.getMessage()))
            .build());
        continue;
      }
      log.append(record);
      Files.delete(file);
      appended++;
    }
    DirectorySync.force(dir);
    if (appended > 0) {
      LOG.log(System.Logger.Level.INFO, "audit log " + auditDir + ": appended " + appended
          + " record(s) left while it was closed");
    }
    return appended;
  }

  private static ObjectNode toJson(AuditRecord r) {
    ObjectNode n = JSON.createObjectNode();
    n.put("type", r.type());
    n.put("time", r.time().toString());
    n.put("actorKind", r.actor().kind().name());
    n.put("actorId", r.actor().id());
    r.subject().ifPresent(s -> n.put("subject", s));
    r.model().ifPresent(m -> n.put("model", m));
    r.requestId().ifPresent(id -> n.put("requestId", id));
    n.put("status", r.status());
    ObjectNode fields = n.putObject("indexFields");
    r.indexFields().forEach(fields::put);
    n.put("payload", Base64.getEncoder().encodeToString(r.payload()));
    return n;
  }

  private static AuditRecord fromJson(JsonNode n) {
    AuditRecord.Builder b = AuditRecord.builder(required(n, "type"))
        .time(Instant.parse(required(n, "time")))
        .actor(new Actor(Actor.Kind.valueOf(required(n, "actorKind")), required(n, "actorId")))
        .status(required(n, "status"))
        .payload(Base64.getDecoder().decode(required(n, "payload")));
    if (n.hasNonNull("subject")) b.subject(n.get("subject").asText());
    if (n.hasNonNull("model")) b.model(n.get("model").asText());
    if (n.hasNonNull("requestId")) b.requestId(n.get("requestId").asText());
    for (Map.Entry<String, JsonNode> f : n.path("indexFields").properties()) {
      b.indexField(f.getKey(), f.getValue().asText());
    }
    return b.build();
  }

  private static String required(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException("no '" + field + "' in the record");
    }
    return v.asText();
  }
}
