package dev.airlock.server.auditing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The audit services' answers as plain maps: what the console's templates read and what the
 * JSON API sends, so both show the same fields under the same names. Absent values are left out.
 */
public final class AuditViews {
  private static final ObjectMapper PRETTY = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  private AuditViews() {}

  public static Map<String, Object> summary(AuditSearch.Summary s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("index", s.index());
    m.put("time", s.time().toString());
    m.put("type", s.type());
    m.put("actor", s.actor());
    s.app().ifPresent(v -> m.put("app", v));
    s.model().ifPresent(v -> m.put("model", v));
    m.put("status", s.status());
    s.requestId().ifPresent(v -> m.put("requestId", v));
    m.put("hasSubject", s.hasSubject());
    return m;
  }

  public static Map<String, Object> page(AuditSearch.Page p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("data", p.entries().stream().map(AuditViews::summary).toList());
    p.next().ifPresent(v -> m.put("next", v));
    m.put("logSize", p.logSize());
    m.put("indexed", p.indexed());
    m.put("behind", p.behind());
    m.put("auditRecord", p.auditRecord());
    return m;
  }

  /**
   * One record: {@code content.kind} is {@code decrypted} (with {@code payload}, pretty-printed when
   * it is JSON), {@code erased} (with {@code erasureRecord}) or {@code unreadable}.
   */
  public static Map<String, Object> record(AuditSearch.RecordView r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("index", r.index());
    r.summary().ifPresent(s -> m.put("summary", summary(s)));
    Map<String, Object> c = new LinkedHashMap<>();
    switch (r.content()) {
      case AuditSearch.Decrypted d -> {
        c.put("kind", "decrypted");
        d.subject().ifPresent(v -> c.put("subject", v));
        d.userId().ifPresent(v -> c.put("userId", v));
        c.put("indexFields", new TreeMap<>(d.indexFields()));
        c.put("payload", pretty(d.payloadText()));
      }
      case AuditSearch.Erased e -> {
        c.put("kind", "erased");
        e.erasureRecord().ifPresent(v -> c.put("erasureRecord", v));
        c.put("indexFields", new TreeMap<>(e.indexFields()));
        c.put("message", e.message());
      }
      case AuditSearch.Unreadable u -> {
        c.put("kind", "unreadable");
        c.put("message", u.reason());
      }
    }
    m.put("content", c);
    m.put("proof", proof(r.proof()));
    m.put("auditRecord", r.auditRecord());
    return m;
  }

  public static Map<String, Object> proof(AuditSearch.ProofCheck p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("verified", p.verified());
    m.put("reason", p.reason());
    m.put("checkpointSize", p.checkpointSize());
    m.put("rootHash", p.rootHash());
    m.put("proofHashes", p.proofHashes());
    m.put("checkpoint", p.checkpoint());
    return m;
  }

  public static Map<String, Object> integrity(AuditIntegrity.Status s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("verifierKey", s.verifierKey());
    m.put("logSize", s.logSize());
    s.latestCheckpoint().ifPresent(cp -> {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("size", cp.size());
      c.put("rootHash", cp.rootHash());
      cp.coversUntil().ifPresent(t -> c.put("coversUntil", t.toString()));
      c.put("signatureVerified", cp.signatureVerified());
      c.put("detail", cp.detail());
      c.put("signedNote", cp.signedNote());
      m.put("latestCheckpoint", c);
    });
    s.lastVerification().ifPresent(v -> m.put("lastVerification", verification(v)));
    return m;
  }

  public static Map<String, Object> verification(AuditIntegrity.Verification v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", v.id());
    m.put("requestedBy", v.requestedBy());
    m.put("startedAt", v.startedAt().toString());
    m.put("finishedAt", v.finishedAt().toString());
    m.put("entries", v.entries());
    m.put("checkpoints", v.checkpoints());
    m.put("ok", v.ok());
    v.problemIndex().ifPresent(i -> m.put("problemIndex", i));
    v.problem().ifPresent(p -> m.put("problem", p));
    m.put("verifierKey", v.verifierKey());
    m.put("auditRecord", v.auditRecord());
    return m;
  }

  public static Map<String, Object> erasure(ErasureRequests.ErasureRequest r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.id());
    r.subject().ifPresent(v -> m.put("subject", v));
    m.put("subjectTag", r.subjectTag());
    m.put("requestedBy", r.requestedBy());
    m.put("reason", r.reason());
    m.put("requestedAt", r.requestedAt().toString());
    m.put("status", r.status().name());
    m.put("requestRecord", r.requestRecord());
    r.confirmedBy().ifPresent(v -> m.put("confirmedBy", v));
    r.confirmedAt().ifPresent(v -> m.put("confirmedAt", v.toString()));
    r.confirmRecord().ifPresent(v -> m.put("confirmRecord", v));
    r.erasureRecord().ifPresent(v -> m.put("erasureRecord", v));
    r.keysDestroyed().ifPresent(v -> m.put("keysDestroyed", v));
    return m;
  }

  public static List<Map<String, Object>> erasures(List<ErasureRequests.ErasureRequest> list) {
    return list.stream().map(AuditViews::erasure).toList();
  }

  /** JSON indented for reading; anything else as it is. */
  static String pretty(String text) {
    if (text.isBlank()) return text;
    try {
      JsonNode n = PRETTY.readTree(text);
      return n == null ? text : PRETTY.writeValueAsString(n);
    } catch (IOException e) {
      return text;
    }
  }
}
