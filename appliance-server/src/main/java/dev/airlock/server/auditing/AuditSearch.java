package dev.airlock.server.auditing;

import dev.airlock.audit.Actor;
import dev.airlock.audit.AuditExport;
import dev.airlock.audit.AuditLeaf;
import dev.airlock.audit.AuditLog;
import dev.airlock.audit.AuditLogException;
import dev.airlock.audit.AuditRecord;
import dev.airlock.audit.Checkpoint;
import dev.airlock.audit.MerkleHash;
import dev.airlock.audit.index.AuditIndex;
import dev.airlock.audit.index.AuditQuery;
import dev.airlock.audit.index.DayCount;
import dev.airlock.audit.index.IndexedEntry;
import dev.airlock.audit.index.PageCursor;
import dev.airlock.audit.index.QueryPage;
import dev.airlock.audit.note.CheckpointBody;
import dev.airlock.audit.note.NoteFormatException;
import dev.airlock.audit.note.NoteVerificationException;
import dev.airlock.audit.note.NoteVerifier;
import dev.airlock.audit.proof.ProofException;
import dev.airlock.audit.proof.ProofVerifier;
import jakarta.inject.Singleton;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Searching and reading the audit trail for the security team: {@link #search} (through the query
 * index, newest first), {@link #record} (one record, decrypted when its subject's key still
 * exists, with its inclusion proof verified against the latest signed checkpoint), {@link #export}
 * (a proven export the offline verifiers check) and {@link #requestsPerDay} (chart data).
 *
 * <p>Every search, view and export is itself an audit record ({@code audit.searched},
 * {@code audit.viewed}, {@code audit.exported}, actor = the viewer), durable before anything is
 * returned; when it cannot be written the call fails with {@link AuditRefusedException}. Who may
 * call is the web layer's decision; this class takes the viewer's username as given.
 */
@Singleton
public final class AuditSearch {
  public static final String TYPE_SEARCHED = "audit.searched";
  public static final String TYPE_VIEWED = "audit.viewed";
  public static final String TYPE_EXPORTED = "audit.exported";

  /** The record type that counts as one request in charts (the gateway writes one per call). */
  public static final String REQUEST_TYPE = "inference.request";

  /** Deepest offset a page may start at; beyond it, narrow the filters or page with the cursor. */
  public static final int MAX_OFFSET = 10_000;

  /** Most entries one export holds: about 100 MB of JSON lines; narrow the filters for more. */
  public static final int MAX_EXPORT = 100_000;

  /**
   * Filters of a search; every one given must match. Build with {@link #all()} and the withers.
   *
   * @param from entries at or after this time
   * @param to entries strictly before this time
   * @param app the app id that acted
   * @param user the user who acted (matched by the log's pseudonymous tag)
   * @param subject whose personal data the record carries (matched by tag)
   * @param model model id
   * @param type record type, e.g. {@code inference.request}
   * @param status outcome, e.g. {@code ok}, {@code refused}
   * @param requestId gateway request id
   * @param after page cursor ({@link Page#next()}) to continue after
   */
  public record Query(Optional<Instant> from, Optional<Instant> to, Optional<String> app, Optional<String> user,
      Optional<String> subject, Optional<String> model, Optional<String> type, Optional<String> status,
      Optional<String> requestId, Optional<String> after) {
    public Query {
      for (Optional<String> s : List.of(app, user, subject, model, type, status, requestId, after)) {
        if (s.isPresent() && s.get().isBlank()) {
          throw new IllegalArgumentException("a search filter must not be blank; leave it out to match everything");
        }
      }
      if (from.isPresent() && to.isPresent() && !from.get().isBefore(to.get())) {
        throw new IllegalArgumentException("the time range is empty: 'from' (" + from.get()
            + ", inclusive) must be before 'to' (" + to.get() + ", exclusive)");
      }
      after.ifPresent(PageCursor::parse);
    }

    /** No filter: every entry. */
    public static Query all() {
      return new Query(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
          Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    public Query from(Instant t) {
      return new Query(Optional.of(t), to, app, user, subject, model, type, status, requestId, after);
    }

    public Query to(Instant t) {
      return new Query(from, Optional.of(t), app, user, subject, model, type, status, requestId, after);
    }

    public Query app(String v) {
      return new Query(from, to, Optional.of(v), user, subject, model, type, status, requestId, after);
    }

    public Query user(String v) {
      return new Query(from, to, app, Optional.of(v), subject, model, type, status, requestId, after);
    }

    public Query subject(String v) {
      return new Query(from, to, app, user, Optional.of(v), model, type, status, requestId, after);
    }

    public Query model(String v) {
      return new Query(from, to, app, user, subject, Optional.of(v), type, status, requestId, after);
    }

    public Query type(String v) {
      return new Query(from, to, app, user, subject, model, Optional.of(v), status, requestId, after);
    }

    public Query status(String v) {
      return new Query(from, to, app, user, subject, model, type, Optional.of(v), requestId, after);
    }

    public Query requestId(String v) {
      return new Query(from, to, app, user, subject, model, type, status, Optional.of(v), after);
    }

    /** Continue after the page that ended at this cursor ({@link Page#next()}). */
    public Query after(String cursor) {
      return new Query(from, to, app, user, subject, model, type, status, requestId, Optional.of(cursor));
    }
  }

  /**
   * One entry as a result row; nothing personal (a user's id and the subject are sealed in the log).
   *
   * @param index the entry's log index (what {@link #record} takes)
   * @param time when it happened
   * @param type record type
   * @param actorKind app, user or system
   * @param actorId the app id or system component; empty for a user
   * @param app the app id when an app acted
   * @param hasSubject whether the record carries someone's personal data
   * @param model model id, if any
   * @param status outcome
   * @param requestId gateway request id, if any
   */
  public record Summary(long index, Instant time, String type, Actor.Kind actorKind, Optional<String> actorId,
      Optional<String> app, boolean hasSubject, Optional<String> model, String status, Optional<String> requestId) {
    /** The actor for display: {@code app:crm}, {@code system:audit-log}, or {@code user} (the id is sealed). */
    public String actor() {
      return actorKind.name().toLowerCase(java.util.Locale.ROOT) + actorId.map(id -> ":" + id).orElse("");
    }

    static Summary of(IndexedEntry e) {
      return new Summary(e.index(), e.time(), e.type(), e.actorKind(), e.actorId(),
          e.actorKind() == Actor.Kind.APP ? e.actorId() : Optional.empty(), e.hasSubject(), e.model(), e.status(),
          e.requestId());
    }

    static Summary of(long index, AuditLeaf l) {
      return new Summary(index, l.time(), l.type(), l.actorKind(), l.actorId(),
          l.actorKind() == Actor.Kind.APP ? l.actorId() : Optional.empty(), l.hasSubject(), l.model(), l.status(),
          l.requestId());
    }
  }

  /**
   * A page of results.
   *
   * @param entries newest first
   * @param next cursor for the following page ({@link Query#after}); empty on the last page
   * @param indexed entries the index held when searched; entries past it are not in this page
   * @param logSize entries in the log when the search was made (its own audit record excluded)
   * @param auditRecord the log index of the {@code audit.searched} record of this search
   */
  public record Page(List<Summary> entries, Optional<String> next, long indexed, long logSize, long auditRecord) {
    public Page {
      entries = List.copyOf(entries);
    }

    /** True when the index had every entry the log held when the search was made. */
    public boolean complete() {
      return indexed >= logSize;
    }

    /** Entries the index had not caught up with: recent ones that may be missing from this page. */
    public long behind() {
      return Math.max(0, logSize - indexed);
    }
  }

  /** What a record holds beyond its summary: its decrypted fields, or why they cannot be shown. */
  public sealed interface Content permits Decrypted, Erased, Unreadable {}

  /**
   * The record's sealed fields, decrypted.
   *
   * @param subject whose personal data it carries, if anyone's
   * @param userId the user who acted, when a user did
   * @param indexFields the record's plaintext index fields
   * @param payload the body (prompt, response, admin details), usually JSON
   */
  public record Decrypted(Optional<String> subject, Optional<String> userId, Map<String, String> indexFields,
      byte[] payload) implements Content {
    public Decrypted {
      indexFields = Map.copyOf(indexFields);
      payload = payload.clone();
    }

    @Override
    public byte[] payload() {
      return payload.clone();
    }

    /** The payload as UTF-8 text. */
    public String payloadText() {
      return new String(payload, StandardCharsets.UTF_8);
    }
  }

  /**
   * The record's key was destroyed: its payload, subject and user id are gone for good.
   *
   * @param erasureRecord the {@code audit.erasure} (or {@code audit.retention}) record that did it, when found
   * @param indexFields the record's plaintext index fields, still readable
   * @param message for display
   */
  public record Erased(Optional<Long> erasureRecord, Map<String, String> indexFields, String message)
      implements Content {
    public Erased {
      indexFields = Map.copyOf(indexFields);
    }
  }

  /** The entry could not be read or decrypted (damage or tampering); the proof says more. */
  public record Unreadable(String reason) implements Content {}

  /**
   * The entry's inclusion proof, checked against a signed checkpoint with the log's public key.
   *
   * @param checkpointSize size of the checkpoint proven against
   * @param rootHash its root, base64
   * @param checkpoint the signed checkpoint note, verbatim
   * @param proofHashes the RFC 9162 inclusion path, base64, leaf's sibling first
   * @param verified true only if the signature, the leaf and the path all check
   * @param reason what was verified, or what failed
   */
  public record ProofCheck(long checkpointSize, String rootHash, String checkpoint, List<String> proofHashes,
      boolean verified, String reason) {
    public ProofCheck {
      proofHashes = List.copyOf(proofHashes);
    }
  }

  /**
   * One record as the console shows it.
   *
   * @param index log index
   * @param summary its plaintext fields; empty when the entry cannot be read at all
   * @param content decrypted, erased or unreadable
   * @param proof its inclusion proof and whether it verified
   * @param auditRecord the log index of the {@code audit.viewed} record of this view
   */
  public record RecordView(long index, Optional<Summary> summary, Content content, ProofCheck proof, long auditRecord) {}

  /**
   * What an export wrote.
   *
   * @param entries entries written, each with its proof
   * @param checkpointSize the size of the checkpoint they are proven against
   * @param auditRecord the log index of the {@code audit.exported} record
   */
  public record ExportSummary(long entries, long checkpointSize, long auditRecord) {}

  private final AuditLog log;
  private final AuditIndex index;

  public AuditSearch(AuditLog log, AuditIndex index) {
    this.log = log;
    this.index = index;
  }

  /**
   * Entries matching {@code q}, newest first, {@code limit} of them after skipping {@code offset}
   * (for page numbers; the cursor in {@link Page#next()} is cheaper for "next page"). The search is
   * recorded as {@code audit.searched} by {@code viewer} before it runs.
   *
   * @throws IllegalArgumentException limit outside 1..1000, offset outside 0..{@link #MAX_OFFSET}
   * @throws AuditRefusedException the search could not be recorded; nothing was searched
   */
  public Page search(Query q, int limit, int offset, String viewer) {
    String user = AccessRecords.requireUser(viewer, "viewer");
    if (limit < 1 || limit > AuditQuery.MAX_LIMIT) {
      throw new IllegalArgumentException("page size must be between 1 and " + AuditQuery.MAX_LIMIT + ", got " + limit);
    }
    if (offset < 0 || offset > MAX_OFFSET) {
      throw new IllegalArgumentException("offset must be between 0 and " + MAX_OFFSET + ", got " + offset
          + "; narrow the filters (e.g. the time range) or page on with the cursor");
    }
    Map<String, String> fields = filterFields(q);
    fields.put("limit", Integer.toString(limit));
    fields.put("offset", Integer.toString(offset));
    long audit = AccessRecords.append(log, TYPE_SEARCHED, user, "ok", fields, Map.of("filters", fields));
    AuditQuery query = toIndexQuery(q);
    int toSkip = offset;
    while (toSkip > 0) {
      QueryPage skipped = index.search(query.limit(Math.min(toSkip, AuditQuery.MAX_LIMIT)));
      toSkip -= skipped.entries().size();
      if (skipped.next().isEmpty()) {
        return new Page(List.of(), Optional.empty(), skipped.indexed(), Math.min(skipped.logSize(), audit), audit);
      }
      query = query.after(skipped.next().get());
    }
    QueryPage page = index.search(query.limit(limit));
    return new Page(page.entries().stream().map(Summary::of).toList(), page.next().map(PageCursor::toString),
        page.indexed(), Math.min(page.logSize(), audit), audit);
  }

  /**
   * The record at {@code index}: decrypted when its subject's key still exists (else
   * {@link Erased}, naming the erasure record), with its inclusion proof verified against the
   * latest signed checkpoint (one is signed now if none covers the entry yet). The view is
   * recorded as {@code audit.viewed} by {@code viewer} first.
   *
   * @throws IndexOutOfBoundsException no such entry
   * @throws AuditRefusedException the view could not be recorded; nothing was read
   */
  public RecordView record(long index, String viewer) {
    String user = AccessRecords.requireUser(viewer, "viewer");
    long size = log.size();
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException("entry " + index + " is not in the audit log (it holds entries 0.."
          + (size - 1) + ")");
    }
    long audit = AccessRecords.append(log, TYPE_VIEWED, user, "ok", Map.of("index", Long.toString(index)),
        Map.of("index", index));
    Optional<AuditLeaf> leaf;
    Content content;
    try {
      AuditLeaf l = AuditLeaf.decode(log.leaf(index));
      leaf = Optional.of(l);
      content = content(index, l);
    } catch (AuditLogException | IllegalArgumentException e) {
      leaf = Optional.empty();
      content = new Unreadable("entry " + index + " cannot be read: " + e.getMessage());
    }
    return new RecordView(index, leaf.map(l -> Summary.of(index, l)), content, prove(index), audit);
  }

  private Content content(long index, AuditLeaf leaf) {
    Optional<AuditRecord> r;
    try {
      r = log.decrypt(index);
    } catch (AuditLogException e) {
      return new Unreadable("entry " + index + " does not decrypt: " + e.getMessage()
          + " (its sealed part or plaintext fields were altered)");
    }
    if (r.isPresent()) {
      AuditRecord rec = r.get();
      return new Decrypted(rec.subject(), rec.actor().isPersonal() ? Optional.of(rec.actor().id()) : Optional.empty(),
          rec.indexFields(), rec.payload());
    }
    Optional<Long> by = leaf.hasSubject() ? erasureOf(HexFormat.of().formatHex(leaf.subjectTag())) : retentionAfter(leaf);
    return new Erased(by, leaf.indexFields(), "erased: the data key of this record was destroyed"
        + by.map(i -> " (by audit record " + i + ")").orElse("")
        + "; its payload, subject and user id can no longer be read by anyone, and its proof still holds");
  }

  /**
   * The newest {@code audit.erasure} record naming this subject tag: from the index, then among the
   * newest entries it may not have caught up with yet (an erasure just performed).
   */
  private Optional<Long> erasureOf(String subjectTagHex) {
    QueryPage page = index.search(AuditQuery.newestFirst().type(AuditRecord.TYPE_ERASURE).limit(AuditQuery.MAX_LIMIT));
    long end = log.size();
    for (long i = end - 1; i >= Math.max(page.indexed(), end - MAX_UNINDEXED_SCAN); i--) {
      if (isErasureOf(i, subjectTagHex)) {
        return Optional.of(i);
      }
    }
    for (IndexedEntry e : page.entries()) {
      if (isErasureOf(e.index(), subjectTagHex)) {
        return Optional.of(e.index());
      }
    }
    return Optional.empty();
  }

  /** Newest entries read directly when the index lags: bounds the cost of one record view. */
  private static final long MAX_UNINDEXED_SCAN = 10_000;

  private boolean isErasureOf(long i, String subjectTagHex) {
    try {
      AuditLeaf l = AuditLeaf.decode(log.leaf(i));
      return l.type().equals(AuditRecord.TYPE_ERASURE) && subjectTagHex.equals(l.indexFields().get("subject_tag"));
    } catch (AuditLogException | IllegalArgumentException e) {
      return false; // a damaged entry is not the reference; keep looking
    }
  }

  /** The first retention sweep after the record. */
  private Optional<Long> retentionAfter(AuditLeaf leaf) {
    AuditQuery q = AuditQuery.oldestFirst().type(AuditRecord.TYPE_RETENTION).from(leaf.time()).limit(1);
    return index.search(q).entries().stream().map(IndexedEntry::index).findFirst();
  }

  /** The inclusion proof of {@code index} against the latest checkpoint, checked with the log's public key. */
  ProofCheck prove(long index) {
    Checkpoint cp;
    try {
      cp = log.latestCheckpoint().filter(c -> c.size() > index).orElseGet(log::checkpoint);
    } catch (AuditLogException e) {
      return new ProofCheck(0, "", "", List.of(), false, "no signed checkpoint covers entry " + index + ": "
          + e.getMessage());
    }
    String note = cp.signedNote();
    CheckpointBody body;
    NoteVerifier key;
    try {
      key = NoteVerifier.parse(log.verifierKey());
      body = CheckpointBody.parse(key.verify(note).text());
    } catch (NoteFormatException | NoteVerificationException e) {
      return new ProofCheck(cp.size(), b64(cp.rootHash()), note, List.of(), false,
          "the checkpoint's signature does not verify with the log's public key: " + e.getMessage());
    }
    if (!body.origin().equals(key.name())) {
      return new ProofCheck(body.size(), b64(body.rootHash()), note, List.of(), false,
          "the checkpoint names origin '" + body.origin() + "' but the log's key is for '" + key.name() + "'");
    }
    List<byte[]> path;
    try {
      path = log.proveInclusion(index, body.size()).hashes();
    } catch (RuntimeException e) {
      return new ProofCheck(body.size(), b64(body.rootHash()), note, List.of(), false,
          "no inclusion proof could be built from the tree files: " + e.getMessage());
    }
    List<String> hashes = path.stream().map(AuditSearch::b64).toList();
    byte[] leaf;
    try {
      leaf = log.leaf(index);
    } catch (AuditLogException e) {
      return new ProofCheck(body.size(), b64(body.rootHash()), note, hashes, false,
          "entry " + index + " cannot be read (" + e.getMessage() + "): it was damaged or altered");
    }
    try {
      ProofVerifier.verifyInclusion(index, body.size(), MerkleHash.leaf(leaf), path, body.rootHash());
    } catch (ProofException e) {
      return new ProofCheck(body.size(), b64(body.rootHash()), note, hashes, false,
          "the inclusion proof does not lead to the signed root (" + e.getMessage() + "): the entry or the stored "
              + "tree was altered; run a full verification to find the first bad entry");
    }
    return new ProofCheck(body.size(), b64(body.rootHash()), note, hashes, true, "entry " + index
        + " is included in the tree of " + body.size() + " entries whose root is signed by " + key.verifierKey());
  }

  /**
   * Writes every entry matching {@code q} (newest first, at most {@link #MAX_EXPORT}) as a proven
   * export: the latest signed checkpoint, then each entry's leaf with its inclusion proof
   * ({@code docs/audit-log-format.md} section 7). {@code airlock audit verify --export FILE} and
   * {@code docs/audit-log-verify.py} check it with the log's verifier key alone. Recorded as
   * {@code audit.exported} by {@code viewer} before anything is written. The stream is not closed.
   *
   * @throws IllegalArgumentException more than {@link #MAX_EXPORT} entries match
   * @throws AuditRefusedException the export could not be recorded; nothing was written
   */
  public ExportSummary export(Query q, OutputStream out, String viewer) {
    String user = AccessRecords.requireUser(viewer, "viewer");
    List<Long> indexes = new ArrayList<>();
    AuditQuery query = toIndexQuery(q).limit(AuditQuery.MAX_LIMIT);
    while (true) {
      QueryPage page = index.search(query);
      page.entries().forEach(e -> indexes.add(e.index()));
      if (indexes.size() > MAX_EXPORT) {
        throw new IllegalArgumentException("more than " + MAX_EXPORT + " entries match; narrow the filters (e.g. the"
            + " time range) and export in parts");
      }
      if (page.next().isEmpty()) {
        break;
      }
      query = query.after(page.next().get());
    }
    Map<String, String> fields = filterFields(q);
    fields.put("entries", Integer.toString(indexes.size()));
    long audit = AccessRecords.append(log, TYPE_EXPORTED, user, "ok", fields, Map.of("filters", fields));
    Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
    Checkpoint cp = AuditExport.writeProven(log, indexes, w);
    return new ExportSummary(indexes.size(), cp.size(), audit);
  }

  /**
   * Request records ({@value #REQUEST_TYPE}) with a time in {@code [from, to)}, counted per UTC day
   * and per model or app, from the index. Not an access to record contents, so not itself audited.
   */
  public List<DayCount> requestsPerDay(Instant from, Instant to, AuditIndex.GroupBy by) {
    return index.countByDay(REQUEST_TYPE, from, to, by);
  }

  private AuditQuery toIndexQuery(Query q) {
    AuditQuery a = AuditQuery.newestFirst();
    if (q.from().isPresent()) a = a.from(q.from().get());
    if (q.to().isPresent()) a = a.to(q.to().get());
    if (q.app().isPresent()) a = a.app(q.app().get());
    if (q.user().isPresent()) a = a.user(q.user().get());
    if (q.subject().isPresent()) a = a.subject(q.subject().get());
    if (q.model().isPresent()) a = a.model(q.model().get());
    if (q.type().isPresent()) a = a.type(q.type().get());
    if (q.status().isPresent()) a = a.status(q.status().get());
    if (q.requestId().isPresent()) a = a.requestId(q.requestId().get());
    if (q.after().isPresent()) a = a.after(PageCursor.parse(q.after().get()));
    return a;
  }

  /** The filters as index fields: users and subjects only as the log's tags, never in plaintext. */
  private Map<String, String> filterFields(Query q) {
    Map<String, String> f = new LinkedHashMap<>();
    q.from().ifPresent(v -> f.put("from", v.toString()));
    q.to().ifPresent(v -> f.put("to", v.toString()));
    q.app().ifPresent(v -> f.put("app", v));
    q.user().ifPresent(v -> f.put("userTag", log.subjectTag(v)));
    q.subject().ifPresent(v -> f.put("subjectTag", log.subjectTag(v)));
    q.model().ifPresent(v -> f.put("model", v));
    q.type().ifPresent(v -> f.put("type", v));
    q.status().ifPresent(v -> f.put("status", v));
    q.requestId().ifPresent(v -> f.put("requestId", v));
    q.after().ifPresent(v -> f.put("after", v));
    return f;
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }
}
